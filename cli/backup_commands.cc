#include "cli/backup_commands.h"

#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/table.h"
#include "common/rocks_backup.h"

namespace fedreg::cli {
namespace {

std::string Utc(int64_t unix) {
  std::time_t t = static_cast<std::time_t>(unix);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

// What the metadata says the store held, in a few words.
std::string Held(const std::string& metadata) {
  auto j = nlohmann::json::parse(metadata, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return "";
  std::string out;
  auto num = [&](const char* key) -> std::string {
    return j.contains(key) && j[key].is_number() ? std::to_string(j[key].get<int64_t>()) : "?";
  };
  if (j.value("kind", "") == "centre") {
    out = num("cases") + " cases, " + std::to_string(j.contains("sites") ? j["sites"].size() : 0) + " sites, audit seq " +
          num("audit_seq");
  } else {
    out = num("cases") + " cases, seq " + num("highest_seq") + ", acked " + num("acked_seq");
  }
  return out;
}

void PrintBackups(const Globals& g, const v1::ListBackupsResponse& resp) {
  if (g.json) return PrintJson(resp);
  if (resp.backups().empty()) {
    std::cout << "no backup in " << resp.backup_dir() << "\n";
    return;
  }
  Table t({"ID", "TAKEN (UTC)", "FILES", "BYTES", "HELD"});
  for (const auto& b : resp.backups())
    t.AddRow({std::to_string(b.id()), Utc(b.created_unix()), std::to_string(b.files()), std::to_string(b.size_bytes()),
           Held(b.metadata_json())});
  std::cout << t.Render();
  std::cout << "in " << resp.backup_dir() << "\n";
}

template <typename Stub>
void Create(const Globals& g, Stub& stub, uint32_t keep, const std::string& what) {
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s * 20);  // a copy of the whole store
  v1::CreateBackupRequest req;
  req.set_keep(keep);
  v1::CreateBackupResponse resp;
  DieOnRpc(stub.CreateBackup(&ctx, req, &resp), what + " backup create");
  if (g.json) return PrintJson(resp);
  const auto& b = resp.backup();
  std::cout << "backup " << b.id() << " taken " << Utc(b.created_unix()) << ": " << b.files() << " files, "
            << b.size_bytes() << " bytes, " << Held(b.metadata_json()) << "\n"
            << "in " << resp.backup_dir() << " (" << resp.kept() << " backups kept)\n";
}

template <typename Stub>
void List(const Globals& g, Stub& stub, const std::string& what) {
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  v1::ListBackupsResponse resp;
  DieOnRpc(stub.ListBackups(&ctx, {}, &resp), what + " backup list");
  PrintBackups(g, resp);
}

template <typename Stub>
void Verify(const Globals& g, Stub& stub, uint32_t id, const std::string& what) {
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s * 20);  // re-reads every file
  v1::VerifyBackupRequest req;
  req.set_id(id);
  v1::VerifyBackupResponse resp;
  DieOnRpc(stub.VerifyBackup(&ctx, req, &resp), what + " backup verify");
  if (g.json) return PrintJson(resp);
  std::cout << "backup " << resp.backup().id() << " in " << resp.backup_dir() << " verified: "
            << resp.backup().files() << " files, every checksum matches\n";
}

void ToProto(const RocksBackupInfo& b, v1::BackupSummary* out) {
  out->set_id(b.id);
  out->set_created_unix(b.created_unix);
  out->set_size_bytes(b.size_bytes);
  out->set_files(b.files);
  out->set_metadata_json(b.metadata);
}

// --backup-dir given: read the directory here, no daemon needed (the
// centre stopped before a restore, or a copy on another machine).
void ListLocal(const Globals& g, const std::string& dir) {
  auto all = ListRocksBackups(dir);
  if (!all.ok()) Die(std::string(all.status().message()));
  v1::ListBackupsResponse resp;
  resp.set_backup_dir(dir);
  for (const auto& b : *all) ToProto(b, resp.add_backups());
  PrintBackups(g, resp);
}

void VerifyLocal(const Globals& g, const std::string& dir, uint32_t id) {
  auto b = VerifyRocksBackup(dir, id);
  if (!b.ok()) Die(std::string(b.status().message()));
  v1::VerifyBackupResponse resp;
  ToProto(*b, resp.mutable_backup());
  resp.set_backup_dir(dir);
  if (g.json) return PrintJson(resp);
  std::cout << "backup " << b->id << " in " << dir << " verified: " << b->files << " files, every checksum matches\n";
}

// Offline: the daemon using `data_dir` must be stopped.
void Restore(const Globals& g, bool centre, std::string backup_dir, const std::string& data_dir, uint32_t id) {
  if (data_dir.empty()) Die("backup restore needs --data-dir (the daemon's, which must be stopped)");
  if (backup_dir.empty()) backup_dir = data_dir + "/backups";
  const std::string store = data_dir + "/store";
  auto r = RestoreRocksBackup(backup_dir, id, store);
  if (!r.ok()) Die(std::string(r.status().message()));
  if (auto s = WriteRestoreRecord(data_dir, backup_dir, *r); !s.ok())
    Die("backup " + std::to_string(r->backup.id) + " was restored into " + store + " but the restore record could "
        "not be written (" + std::string(s.message()) + "); the restore will not be an audit entry");
  if (g.json) {
    nlohmann::json j = {{"backup_id", r->backup.id}, {"store", store}, {"moved_aside", r->moved_aside},
                        {"metadata", r->backup.metadata}};
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << "restored backup " << r->backup.id << " (taken " << Utc(r->backup.created_unix) << ", "
            << Held(r->backup.metadata) << ") into " << store << "\n";
  if (!r->moved_aside.empty()) std::cout << "the previous store is kept at " << r->moved_aside << "\n";
  if (centre) {
    std::cout << "next: start fedreg-aggregator (it records the restore in the audit log). Each agent that the "
                 "centre acknowledged beyond this backup sends a snapshot at its next Hello; watch 'fedregctl "
                 "sites', then 'fedregctl reconcile SITE', 'fedregctl stats --verify', 'fedregctl audit verify'\n";
  } else {
    std::cout << "next: start fedreg-agent; it takes a new store id, and the centre refuses it until the central "
                 "office runs 'fedregctl sites rebase SITE'; the agent then sends a snapshot. Run 'fedregctl agent "
                 "withdraw' again for consent withdrawals made since the backup, then re-import the exports made "
                 "since (docs/backup-restore.md)\n";
  }
}

}  // namespace

BackupCommands::BackupCommands(CLI::App& app, CLI::App& agent) {
  auto add = [this](CLI::App& parent, Target* t, const std::string& whose) {
    auto* b = parent.add_subcommand("backup", "backups of " + whose + " store (docs/backup-restore.md)");
    b->require_subcommand(1);
    t->create = b->add_subcommand("create", "take a backup now (all data at one point in time)");
    t->create->add_option("--keep", keep_, "then keep only the newest N backups (0 = all)")->capture_default_str();
    t->list = b->add_subcommand("list", "the backups, oldest first, with what each held");
    t->list->add_option("--backup-dir", backup_dir_, "read this directory here instead of asking the daemon");
    t->verify = b->add_subcommand("verify", "re-read every file of a backup against its checksums");
    t->verify->add_option("--id", id_, "backup id (0 = the newest)")->capture_default_str();
    t->verify->add_option("--backup-dir", backup_dir_, "verify in this directory here instead of asking the daemon");
    t->restore = b->add_subcommand("restore", "OFFLINE (daemon stopped): restore a backup into --data-dir");
    t->restore->add_option("--data-dir", data_dir_, "the daemon's data directory (its store is data-dir/store)")
        ->required();
    t->restore->add_option("--backup-dir", backup_dir_, "where the backups are (Default: <data-dir>/backups)");
    t->restore->add_option("--id", id_, "backup id (0 = the newest)")->capture_default_str();
  };
  add(app, &centre_, "the centre's");
  add(agent, &agent_, "this agent's");
}

bool BackupCommands::Run(const Globals& g) const {
  if (*centre_.create) Create(g, *AdminStub(g), keep_, "centre");
  else if ((*centre_.list || *agent_.list) && !backup_dir_.empty()) ListLocal(g, backup_dir_);
  else if ((*centre_.verify || *agent_.verify) && !backup_dir_.empty()) VerifyLocal(g, backup_dir_, id_);
  else if (*centre_.list) List(g, *AdminStub(g), "centre");
  else if (*centre_.verify) Verify(g, *AdminStub(g), id_, "centre");
  else if (*centre_.restore) Restore(g, true, backup_dir_, data_dir_, id_);
  else if (*agent_.create) Create(g, *AgentStub(g), keep_, "agent");
  else if (*agent_.list) List(g, *AgentStub(g), "agent");
  else if (*agent_.verify) Verify(g, *AgentStub(g), id_, "agent");
  else if (*agent_.restore) Restore(g, false, backup_dir_, data_dir_, id_);
  else return false;
  return true;
}

}  // namespace fedreg::cli
