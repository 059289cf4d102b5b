#include "cli/quarantine_commands.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/table.h"
#include "common/owner_token.h"

namespace fedreg::cli {
namespace {

// Calls to the agent carry the owner token when this user can read it:
// then the agent shows identifying fields (common/owner_token.h).
void WithOwnerToken(grpc::ClientContext* ctx, const Globals& g) {
  if (auto token = ReadOwnerToken(g.agent_socket)) ctx->AddMetadata(kOwnerTokenMetadata, *token);
}

std::string Where(const v1::QuarantineEntry& e) {
  std::string file = std::filesystem::path(e.file()).filename().string();
  if (e.source() == "centre") return "centre: case " + e.case_id();
  return file + (e.line() > 0 ? ":" + std::to_string(e.line()) : "");
}

std::string State(const v1::QuarantineEntry& e) { return e.state().empty() ? "open" : e.state(); }

void CmdList(const Globals& g, bool all, const std::string& source, uint32_t limit) {
  auto stub = AgentStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  WithOwnerToken(&ctx, g);
  v1::ListQuarantineRequest req;
  req.set_include_closed(all);
  req.set_source(source);
  req.set_limit(limit);
  v1::ListQuarantineResponse resp;
  DieOnRpc(stub->ListQuarantine(&ctx, req, &resp), "agent quarantine list");
  if (g.json) return PrintJson(resp);
  std::cout << resp.open() << " open, " << resp.closed() << " retried or dropped\n";
  if (resp.items_size() == 0) return;
  Table table({"ID", "WHERE", "FIELD", "WHEN", "STATE", "REASON"});
  for (const auto& it : resp.items()) {
    const auto& e = it.entry();
    std::string reason = e.reason();
    if (reason.size() > 120) reason = reason.substr(0, 117) + "...";
    table.AddRow({std::to_string(it.id()), Where(e), e.field().empty() ? "(row)" : e.field(),
                  LocalTime(e.at_unix(), "%Y-%m-%d %H:%M"),
                  State(e), reason});
  }
  std::cout << table.Render();
  if (resp.items_size() >= static_cast<int>(limit == 0 ? 1000 : limit))
    std::cout << "(the first " << resp.items_size() << " shown; 'fedregctl --json agent quarantine list' for scripts)\n";
}

void PrintItem(const v1::QuarantineItem& it) {
  const auto& e = it.entry();
  std::cout << "entry " << it.id() << " (" << State(e) << ")\n"
            << "  from:   " << (e.source() == "centre" ? "the centre refused case " + e.case_id() : e.file()) << "\n";
  if (e.line() > 0) std::cout << "  line:   " << e.line() << "\n";
  std::cout << "  field:  " << (e.field().empty() ? "(the row)" : e.field()) << "\n"
            << "  reason: " << e.reason() << "\n"
            << "  when:   " << LocalTime(e.at_unix(), "%Y-%m-%d %H:%M") << "\n";
  if (!e.state().empty())
    std::cout << "  " << e.state() << " " << LocalTime(e.resolved_unix(), "%Y-%m-%d %H:%M") << ": " << e.resolution()
              << "\n";
  if (it.fields_size() > 0) {
    std::cout << "  row:\n";
    size_t width = 0;
    for (const auto& f : it.fields()) width = std::max(width, f.name().size());
    for (const auto& f : it.fields()) {
      if (f.value().empty()) continue;  // the row's empty cells say nothing
      std::cout << "    " << f.name() << std::string(width - f.name().size(), ' ') << "  " << f.value() << "\n";
    }
  }
  if (!it.raw_row().empty() && it.fields_size() == 0) std::cout << "  row as read:\n    " << it.raw_row() << "\n";
  if (it.identifiers_withheld())
    std::cout << "  (identifying fields withheld: run as the agent's user or root to see them)\n";
}

void CmdShow(const Globals& g, uint64_t id) {
  auto stub = AgentStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  WithOwnerToken(&ctx, g);
  v1::ShowQuarantineRequest req;
  req.set_id(id);
  v1::QuarantineItem resp;
  DieOnRpc(stub->ShowQuarantine(&ctx, req, &resp), "agent quarantine show");
  if (g.json) return PrintJson(resp);
  PrintItem(resp);
}

// FILE for one file of the format FILE names; otherwise FILE's stem with
// "-N" and the format's extension, one per source file.
std::string OutputPath(const std::string& file, const std::string& format, int n, int count) {
  std::filesystem::path p(file);
  const std::string ext = format == "csv" ? ".csv" : ".ndjson";
  if (count == 1 && p.extension() == ext) return file;
  return (p.parent_path() / (p.stem().string() + (count == 1 ? "" : "-" + std::to_string(n)) + ext)).string();
}

void CmdExport(const Globals& g, const std::vector<uint64_t>& ids, const std::string& file, bool force) {
  auto stub = AgentStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  WithOwnerToken(&ctx, g);
  v1::ExportQuarantineRequest req;
  for (uint64_t id : ids) req.add_ids(id);
  v1::ExportQuarantineResponse resp;
  DieOnRpc(stub->ExportQuarantine(&ctx, req, &resp), "agent quarantine export");
  if (resp.files_size() == 0 && resp.skipped_size() == 0) {
    std::cout << "no open rows to export\n";
    return;
  }
  std::vector<std::string> paths;
  for (int i = 0; i < resp.files_size(); ++i) {
    paths.push_back(OutputPath(file, resp.files(i).format(), i + 1, resp.files_size()));
    if (!force && std::filesystem::exists(paths.back()))
      Die(paths.back() + " exists: choose another name or add --force");
  }
  for (int i = 0; i < resp.files_size(); ++i) {
    const auto& f = resp.files(i);
    // The rows hold identifiers: the file is the caller's alone.
    const mode_t old = umask(077);
    std::ofstream out(paths[i], std::ios::binary | std::ios::trunc);
    umask(old);
    out << f.content();
    out.close();
    if (!out) Die(paths[i] + ": cannot write: " + std::strerror(errno));
    std::cout << paths[i] << ": " << f.rows() << " rows from " << f.source_file() << " (entries";
    for (uint64_t id : f.ids()) std::cout << " " << id;
    std::cout << ")\n";
  }
  for (const auto& s : resp.skipped()) std::cout << "not exported: " << s << "\n";
  if (resp.files_size() > 0)
    std::cout << "correct the rows, then 'fedregctl agent import FILE' (or put it in the drop folder) and drop the "
                 "old entries, or 'fedregctl agent quarantine retry' once the cause is fixed at the agent\n";
}

void CmdRetry(const Globals& g, const std::vector<uint64_t>& ids, bool accept_identity, bool accept_same) {
  auto stub = AgentStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  WithOwnerToken(&ctx, g);
  v1::RetryQuarantineRequest req;
  for (uint64_t id : ids) req.add_ids(id);
  req.set_accept_identity_changes(accept_identity);
  req.set_accept_same_person(accept_same);
  v1::RetryQuarantineResponse resp;
  DieOnRpc(stub->RetryQuarantine(&ctx, req, &resp), "agent quarantine retry");
  if (g.json) return PrintJson(resp);
  for (const auto& o : resp.outcomes()) {
    std::cout << "entry " << o.id() << ": " << o.result();
    if (o.new_id() != 0) std::cout << " (now entry " << o.new_id() << ")";
    if (!o.detail().empty()) std::cout << ": " << o.detail();
    std::cout << "\n";
  }
  std::cout << "retried: " << resp.accepted() << " accepted, " << resp.refused() << " refused again, " << resp.resent()
            << " cases queued to the centre again, " << resp.skipped() << " skipped\n";
}

void CmdDrop(const Globals& g, uint64_t id, const std::string& reason) {
  auto stub = AgentStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  WithOwnerToken(&ctx, g);
  v1::DropQuarantineRequest req;
  req.set_id(id);
  req.set_reason(reason);
  v1::QuarantineItem resp;
  DieOnRpc(stub->DropQuarantine(&ctx, req, &resp), "agent quarantine drop");
  if (g.json) return PrintJson(resp);
  std::cout << "entry " << id << " dropped: " << resp.entry().resolution() << "\n";
}

}  // namespace

QuarantineCommands::QuarantineCommands(CLI::App& agent) {
  quarantine_ = agent.add_subcommand("quarantine", "rows the agent refused and cases the centre refused");
  quarantine_->require_subcommand(1);
  list_ = quarantine_->add_subcommand("list", "open entries: file, line, field, reason");
  list_->add_flag("--all", all_, "retried and dropped entries too");
  list_->add_option("--source", source_, "only import (rows refused here) or centre (cases refused there)")
      ->check(CLI::IsMember({"import", "centre"}));
  list_->add_option("--limit", limit_, "at most this many (default and most: 1000)");
  show_ = quarantine_->add_subcommand("show", "one entry in full, with the row's fields");
  show_->add_option("ID", id_, "entry id (first column of 'list')")->required();
  export_ = quarantine_->add_subcommand(
      "export", "write refused rows back into importable files (with their header), for correction; agent's user only");
  export_->add_option("FILE", file_, "output file (several source files: FILE-1.csv, FILE-2.ndjson, ...)")->required();
  export_->add_option("--id", ids_, "only these entries (default: every open row)");
  export_->add_flag("--force", force_, "overwrite existing files");
  retry_ = quarantine_->add_subcommand("retry", "validate entries again (after a fix at the agent or a reference update)");
  retry_->add_option("ID", ids_, "entry ids (default: every open entry)");
  retry_->add_flag("--accept-identity-changes", accept_identity_changes_,
                   "as for 'agent import': the identity of a stored case was corrected");
  retry_->add_flag("--accept-same-person", accept_same_person_,
                   "as for 'agent import': two patients share name, birth date and sex");
  drop_ = quarantine_->add_subcommand("drop", "give an entry up (kept, closed, with the reason)");
  drop_->add_option("ID", id_, "entry id")->required();
  drop_->add_option("--reason", reason_, "why (required)")->required();
}

bool QuarantineCommands::Run(const Globals& g) const {
  if (*list_) CmdList(g, all_, source_, limit_);
  else if (*show_) CmdShow(g, id_);
  else if (*export_) CmdExport(g, ids_, file_, force_);
  else if (*retry_) CmdRetry(g, ids_, accept_identity_changes_, accept_same_person_);
  else if (*drop_) CmdDrop(g, id_, reason_);
  else return false;
  return true;
}

}  // namespace fedreg::cli
