// BackupEngine behind the few calls the daemons and fedregctl need (see
// common/rocks_backup.h).
#include "common/rocks_backup.h"

#include <fcntl.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/utilities/backup_engine.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <system_error>

#include "common/rocks_util.h"
#include <nlohmann/json.hpp>

namespace fedreg {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<std::unique_ptr<rocksdb::BackupEngine>> OpenEngine(const std::string& dir) {
  rocksdb::BackupEngineOptions options(dir);
  // Each file is synced as it is copied: a backup that List shows survives a
  // power cut.
  options.sync = true;
  rocksdb::BackupEngine* be = nullptr;
  auto s = rocksdb::BackupEngine::Open(rocksdb::Env::Default(), options, &be);
  if (!s.ok())
    return FromRocks(s, "backup directory " + dir + " cannot be opened (does it exist, is it writable, "
                        "is the disk full?)");
  return std::unique_ptr<rocksdb::BackupEngine>(be);
}

RocksBackupInfo Convert(const rocksdb::BackupInfo& b) {
  RocksBackupInfo out;
  out.id = b.backup_id;
  out.created_unix = b.timestamp;
  out.size_bytes = b.size;
  out.files = b.number_files;
  out.metadata = b.app_metadata;
  return out;
}

absl::StatusOr<RocksBackupInfo> Find(rocksdb::BackupEngine& be, const std::string& dir, uint32_t id) {
  std::vector<rocksdb::BackupInfo> infos;
  be.GetBackupInfo(&infos);
  if (infos.empty()) return absl::NotFoundError("backup directory " + dir + " holds no backup");
  if (id == 0) return Convert(infos.back());
  for (const auto& b : infos)
    if (b.backup_id == id) return Convert(b);
  return absl::NotFoundError("backup " + std::to_string(id) + " is not in " + dir + " (newest is " +
                             std::to_string(infos.back().backup_id) + "; see the list)");
}

std::string UtcText(int64_t unix) {
  std::time_t t = static_cast<std::time_t>(unix);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string UtcStamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace

absl::StatusOr<RocksBackupInfo> CreateRocksBackup(rocksdb::DB* db, const std::string& dir,
                                                  const std::string& metadata, int keep) {
  std::error_code ec;
  const bool created = fs::create_directories(dir, ec);
  if (ec) return absl::UnavailableError("backup directory " + dir + " cannot be created: " + ec.message());
  // As sensitive as the store: a directory made here is the owner's only
  // (one the operator made is left as it is).
  if (created) fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  auto be = OpenEngine(dir);
  if (!be.ok()) return be.status();
  rocksdb::CreateBackupOptions options;
  // Flushes every column family; with the WAL files BackupEngine copies
  // beside the tables, the set is one point in time.
  options.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  auto s = (*be)->CreateNewBackupWithMetadata(options, db, metadata, &id);
  if (!s.ok()) {
    // A half-written backup is left as garbage; the next Open or this call cleans it.
    (*be)->GarbageCollect().PermitUncheckedError();
    return FromRocks(s, "backup into " + dir + " failed (nothing restorable was added; the earlier backups stand)");
  }
  if (keep > 0) {
    if (auto p = (*be)->PurgeOldBackups(static_cast<uint32_t>(keep)); !p.ok())
      return FromRocks(p, "backup " + std::to_string(id) + " was taken in " + dir +
                              " but older backups could not be purged (--keep " + std::to_string(keep) + ")");
  }
  return Find(**be, dir, id);
}

absl::StatusOr<std::vector<RocksBackupInfo>> ListRocksBackups(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return absl::NotFoundError("backup directory " + dir + " does not exist (no backup was taken there yet?)");
  auto be = OpenEngine(dir);
  if (!be.ok()) return be.status();
  std::vector<rocksdb::BackupInfo> infos;
  (*be)->GetBackupInfo(&infos);
  std::vector<RocksBackupInfo> out;
  for (const auto& b : infos) out.push_back(Convert(b));
  return out;
}

absl::StatusOr<RocksBackupInfo> VerifyRocksBackup(const std::string& dir, uint32_t id) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return absl::NotFoundError("backup directory " + dir + " does not exist");
  auto be = OpenEngine(dir);
  if (!be.ok()) return be.status();
  auto info = Find(**be, dir, id);
  if (!info.ok()) return info.status();
  auto s = (*be)->VerifyBackup(info->id, /*verify_with_checksum=*/true);
  if (!s.ok())
    return absl::DataLossError("backup " + std::to_string(info->id) + " in " + dir + " does not verify: " +
                               s.ToString() + ". Do not restore it: restore another backup (fedregctl backup list) "
                               "or take a new one");
  return info;
}

absl::Status CheckStoreNotInUse(const std::string& db_path) {
  const std::string lock = db_path + "/LOCK";
  int fd = ::open(lock.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return absl::OkStatus();  // no store (or never opened): nobody holds it
  // RocksDB holds its LOCK with a POSIX record lock (fcntl F_SETLK): ask
  // whether one would block us, without taking it.
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  int r = ::fcntl(fd, F_GETLK, &fl);
  int err = errno;
  ::close(fd);
  if (r != 0) return absl::UnavailableError("cannot test the lock of " + lock + ": " + std::strerror(err));
  if (fl.l_type != F_UNLCK)
    return absl::FailedPreconditionError("the store " + db_path + " is in use (process " + std::to_string(fl.l_pid) +
                                         " holds its LOCK): stop the daemon first, restore is offline");
  return absl::OkStatus();
}

absl::StatusOr<RocksRestoreResult> RestoreRocksBackup(const std::string& dir, uint32_t id,
                                                      const std::string& db_path) {
  if (auto s = CheckStoreNotInUse(db_path); !s.ok()) return s;
  // Verified first, so that a bad backup leaves the current store in place.
  auto info = VerifyRocksBackup(dir, id);
  if (!info.ok()) return info.status();
  RocksRestoreResult out;
  out.backup = *info;
  std::error_code ec;
  if (fs::exists(db_path, ec)) {
    std::string aside = db_path + ".before-restore-" + UtcStamp();
    for (int n = 2; fs::exists(aside, ec); ++n) aside = db_path + ".before-restore-" + UtcStamp() + "-" + std::to_string(n);
    fs::rename(db_path, aside, ec);
    if (ec)
      return absl::UnavailableError("cannot move the current store " + db_path + " aside to " + aside + ": " +
                                    ec.message() + "; nothing was restored");
    out.moved_aside = aside;
  }
  auto be = OpenEngine(dir);
  if (!be.ok()) return be.status();
  auto s = (*be)->RestoreDBFromBackup(rocksdb::RestoreOptions(), info->id, db_path, db_path);
  if (!s.ok())
    return FromRocks(s, "restoring backup " + std::to_string(info->id) + " from " + dir + " into " + db_path +
                            " failed" + (out.moved_aside.empty() ? "" : "; the previous store is kept at " +
                                                                            out.moved_aside + " (move it back to undo)"));
  return out;
}

absl::Status WriteRestoreRecord(const std::string& data_dir, const std::string& backup_dir,
                                const RocksRestoreResult& restored) {
  const std::string path = data_dir + "/restore-record.txt";
  // One line, short enough for an audit entry's detail (512 bytes).
  std::string audit_seq;
  auto meta = nlohmann::json::parse(restored.backup.metadata, nullptr, /*allow_exceptions=*/false);
  if (meta.is_object() && meta.contains("audit_seq") && meta["audit_seq"].is_number_unsigned())
    audit_seq = ", audit seq " + std::to_string(meta["audit_seq"].get<uint64_t>());
  std::string line = "backup " + std::to_string(restored.backup.id) + " taken " + UtcText(restored.backup.created_unix) +
                     audit_seq + ", from " + backup_dir + ", restored " + UtcText(std::time(nullptr)) +
                     (restored.moved_aside.empty() ? "" : "; previous store kept at " + restored.moved_aside);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << line << "\n";
    out.flush();
    if (!out) return absl::UnavailableError("cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return absl::UnavailableError("cannot write " + path + ": " + ec.message());
  return absl::OkStatus();
}

absl::StatusOr<std::string> TakeRestoreRecord(const std::string& data_dir) {
  const std::string path = data_dir + "/restore-record.txt";
  std::ifstream in(path);
  if (!in) return std::string();
  std::string line;
  std::getline(in, line);
  in.close();
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) return absl::UnavailableError("cannot remove " + path + ": " + ec.message());
  return line;
}

void ToBackupSummary(const RocksBackupInfo& b, v1::BackupSummary* out) {
  out->set_id(b.id);
  out->set_created_unix(b.created_unix);
  out->set_size_bytes(b.size_bytes);
  out->set_files(b.files);
  out->set_metadata_json(b.metadata);
}

}  // namespace fedreg
