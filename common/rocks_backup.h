// Backups of a RocksDB store (the centre's or an agent's) with RocksDB's
// BackupEngine, shared by both daemons and by fedregctl's offline restore.
//
// A backup directory holds any number of backups, numbered from 1 (RocksDB
// shares unchanged table files between them). Each backup records a crc32c
// checksum of every file when it is taken, so Verify can re-read them all.
// Each carries a metadata string the caller chooses (the daemons store a
// JSON document: when, seqs, audit head) that List shows.
//
// Errors always name the directory (and the backup id) and what to do.
// Thread-safety: each call opens its own BackupEngine; two Creates into one
// directory must not run at once (the daemons serialize theirs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fedreg/v1/backup.pb.h"

namespace rocksdb {
class DB;
}

namespace fedreg {

struct RocksBackupInfo {
  uint32_t id = 0;
  int64_t created_unix = 0;
  uint64_t size_bytes = 0;  // payload of its files (shared ones counted in each backup)
  uint32_t files = 0;
  std::string metadata;     // as given to CreateRocksBackup
};

// Flushes `db` and copies a consistent set of its live files (all column
// families, one point in time; the caller blocks its own writers while this
// runs when the metadata must match the copy exactly) into `dir` (created if
// missing), then keeps only the newest `keep` backups (keep 0 = keep all).
// UNAVAILABLE / RESOURCE_EXHAUSTED (disk full) naming `dir` on failure; a
// failed backup leaves the earlier ones intact.
// `b` as the admin APIs show it (proto/fedreg/v1/backup.proto).
void ToBackupSummary(const RocksBackupInfo& b, v1::BackupSummary* out);

absl::StatusOr<RocksBackupInfo> CreateRocksBackup(rocksdb::DB* db, const std::string& dir,
                                                  const std::string& metadata, int keep);

// Every backup in `dir`, oldest first. NOT_FOUND when `dir` does not exist.
absl::StatusOr<std::vector<RocksBackupInfo>> ListRocksBackups(const std::string& dir);

// Re-reads every file of backup `id` (0 = the newest) and checks its size
// and crc32c against what was recorded when it was taken. DATA_LOSS naming
// the backup, the directory and RocksDB's description of the bad file
// ("... checksum mismatch ... <file>"); NOT_FOUND for an unknown id.
// Returns the backup verified.
absl::StatusOr<RocksBackupInfo> VerifyRocksBackup(const std::string& dir, uint32_t id);

struct RocksRestoreResult {
  RocksBackupInfo backup;
  std::string moved_aside;  // where the store that was at db_path went ("" when there was none)
};

// Restores backup `id` (0 = the newest) into `db_path`, offline. The store
// at `db_path`, if any, is first moved aside to
// `<db_path>.before-restore-<UTC time>` (never deleted). FAILED_PRECONDITION
// when the store is in use (its RocksDB LOCK is held: stop the daemon first).
// The backup is verified (checksums) before anything is moved.
absl::StatusOr<RocksRestoreResult> RestoreRocksBackup(const std::string& dir, uint32_t id,
                                                      const std::string& db_path);

// FAILED_PRECONDITION when a process holds the RocksDB store at `db_path`
// (an flock on its LOCK file), naming the path; OK when none does or there
// is no store.
absl::Status CheckStoreNotInUse(const std::string& db_path);

// The record a restore leaves beside the store (`<data_dir>/restore-record.txt`)
// for the daemon's next start: the centre appends it to its audit chain (so
// the restore is an audit entry), an agent logs it. One line of text:
// "backup 3 taken 2026-11-30T21:00:00Z, audit seq 812, from /b, restored
// 2026-11-30T21:40:00Z; previous store kept at /d/store.before-restore-...".
absl::Status WriteRestoreRecord(const std::string& data_dir, const std::string& backup_dir,
                                const RocksRestoreResult& restored);
// The pending record's text (and removes the file), or "" when there is none.
absl::StatusOr<std::string> TakeRestoreRecord(const std::string& data_dir);

}  // namespace fedreg
