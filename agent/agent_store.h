// The agent's RocksDB store: the one class that owns it.
//
// Column families and key layouts (on disk; never change):
//   cases      : case_id                         -> v1::Case
//   outbox     : seq (big-endian u64)            -> v1::ChangeEvent
//   reid       : "r" HMAC(reid_key, record_no)   -> AES-256-GCM(v1::ReidEntry)
//                "c" case_id                     -> the "r" key of that case
//                "p" token                       -> the live cases' ids carrying that
//                                                   person token (PersonTokenOf), one per
//                                                   line, in order (schema 3)
//   quarantine : id (big-endian u64)             -> v1::QuarantineEntry
//   meta       : "store_id" | "next_seq" | "acked_seq" | "cases" | "quarantined"
//                | "schema_version" | "rejected" | "notice_cursor"
//                | "quarantine_open" (schema 2)  -> value (u64 as decimal)
//
// Schema versions (common/schema_version.h; a newer store is refused):
//   1  the first release
//   2  quarantine entries can be closed (state, resolution); "quarantine_open"
//      counts the open ones (migration: every entry of a schema-1 store is open)
//   3  the person-token index ("p" keys in reid), kept by Commit, so an import
//      looks a person up instead of reading every stored case (migration:
//      one scan of the cases)
//   notices    : case_id "\0" trial_id           -> v1::AgentNotice (agent_notices.cc)
//
// Every accepted change takes the next seq in the same WriteBatch as the case
// (Commit), with the WAL synced, so a crash leaves either both or neither.
// Thread-safe: Commit/Acknowledge are serialized internally; readers use
// snapshots of RocksDB and may run on any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "common/rocks_backup.h"
#include "fedreg/v1/agent.pb.h"
#include "fedreg/v1/sync.pb.h"

namespace rocksdb {
class DB;
class WriteBatch;
class ColumnFamilyHandle;
class Cache;
class WriteBufferManager;
}  // namespace rocksdb

namespace fedreg::agent {

struct AgentStoreOptions {
  std::string path;                              // created if missing
  size_t block_cache_bytes = 8 << 20;            // Default: 8 MiB
  size_t write_buffer_budget_bytes = 8 << 20;    // Default: 8 MiB for all memtables, stalls above
  int64_t min_free_bytes = 256LL << 20;          // Default: imports refused below 256 MiB free
};

// One change to commit. kind UPSERT carries the full case; TOMBSTONE the case
// id (and cancels the case's notices here); REFERRAL a referral status, with
// the notice record it updates.
struct Change {
  v1::ChangeKind kind = v1::CHANGE_KIND_UPSERT;
  v1::Case case_record;          // UPSERT
  bool new_case = false;         // UPSERT: the case is not stored yet (counted); false for updates and re-sends
  std::string case_id;
  uint64_t record_version = 0;   // TOMBSTONE: version withdrawn
  std::string reason;            // TOMBSTONE
  bool case_present = true;      // TOMBSTONE: the case is in `cases` (counted)
  std::string reid_key;          // "r..." key, written when reid_value is set
  std::string reid_value;        // sealed ReidEntry; empty = reid unchanged
  v1::ReferralUpdate referral;   // REFERRAL
  v1::AgentNotice notice;        // REFERRAL: the notice record as updated
};

class AgentStore {
 public:
  static constexpr uint32_t kSchemaVersion = 3;

  static absl::StatusOr<std::unique_ptr<AgentStore>> Open(const AgentStoreOptions& options);
  ~AgentStore();
  AgentStore(const AgentStore&) = delete;
  AgentStore& operator=(const AgentStore&) = delete;

  const std::string& store_id() const { return store_id_; }
  // Writes every memtable to its table file and frees it (after a large
  // import: the agent idles without them). Fails as RocksDB's Flush does.
  absl::Status FlushMemtables();
  // The store's directory (AgentStoreOptions::path).
  const std::string& path() const { return path_; }
  uint64_t highest_seq() const;
  uint64_t acked_seq() const;
  int64_t case_count() const;
  int64_t quarantined_count() const;  // entries ever quarantined (the next id - 1)
  int64_t quarantine_open() const;    // entries not yet dropped or retried
  int64_t rejected_count() const;
  // Commit time of the oldest change the centre has not acknowledged; 0 when none.
  int64_t OldestUnackedUnixMs() const;

  // Point lookups. std::nullopt when absent.
  absl::StatusOr<std::optional<std::string>> GetReid(const std::string& reid_key) const;
  absl::StatusOr<std::optional<v1::Case>> GetCase(const std::string& case_id) const;
  absl::StatusOr<std::optional<std::string>> ReidKeyForCase(const std::string& case_id) const;
  // The live case carrying person token `token` (the smallest case id when
  // several do), "" when none: one point read of the person-token index.
  absl::StatusOr<std::string> FindPersonCase(const std::string& token) const;
  // Whether some live case carries a person token starting with `prefix`.
  absl::StatusOr<bool> HoldsPersonTokenPrefix(const std::string& prefix) const;

  // Commits changes and quarantine entries in one synced WriteBatch, giving
  // each change the next seq. Wakes WaitForWork callers. On error nothing is
  // written; RESOURCE_EXHAUSTED when the disk is (nearly) full.
  absl::Status Commit(const std::vector<Change>& changes,
                      const std::vector<v1::QuarantineEntry>& quarantined);

  // Moves a case's reid entry from `from_key` to `to_key` (a renumbered
  // patient) in one synced WriteBatch: the old key is deleted, `sealed` is
  // written under the new one and the case's "c" entry points to it. No
  // outbox event: the case and its id are unchanged.
  absl::Status MoveReid(const std::string& from_key, const std::string& to_key, const std::string& sealed,
                        const std::string& case_id);

  // Reads outbox events with seq >= from_seq into `batch`, at most max_events
  // and at most max_bytes serialized (counting the Batch's framing, so the
  // centre's max_batch_bytes can be passed as is), but at least one event.
  // Empty batch = nothing pending.
  absl::Status ReadOutbox(uint64_t from_seq, size_t max_events, size_t max_bytes, v1::Batch* batch) const;

  // The same events as ReadOutbox, as the bytes of the v1::Batch it would
  // fill (common/batch_codec.h), built from the entries' stored bytes without
  // parsing them: the sender packs these for a centre that takes packed
  // batches. `events` = 0 when nothing is pending.
  struct OutboxBytes {
    uint64_t first_seq = 0, last_seq = 0;
    size_t events = 0;
    std::string batch;  // a serialized v1::Batch
  };
  absl::Status ReadOutboxBytes(uint64_t from_seq, size_t max_events, size_t max_bytes, OutboxBytes* out) const;

  // Records that the centre holds everything up to `seq` durably and trims the
  // outbox up to it. Rejected records are moved to quarantine
  // in the same WriteBatch. Ignores seqs at or below the current ack.
  absl::Status Acknowledge(uint64_t seq, const std::vector<v1::QuarantineEntry>& rejected);

  // Blocks until highest_seq() > after_seq, `timeout_ms` passes or Wake() is called.
  void WaitForWork(uint64_t after_seq, int timeout_ms) const;
  void Wake() const;

  // Calls `fn` for every case as of one consistent moment. *as_of_seq is set,
  // before the first call, to the highest seq included (for snapshots and
  // reconciliation).
  absl::Status ScanCases(const std::function<void(const v1::Case&)>& fn, uint64_t* as_of_seq) const;

  // Notices (agent/agent_notices.cc, docs/trials.md "Notices").
  // The last centre notice seq stored.
  uint64_t notice_cursor() const;
  // Folds the centre's notices into their records, with the cursor, in one
  // synced write. Notices at or below the cursor are skipped (a replay).
  // INVALID_ARGUMENT when a notice is not the cursor's successor (the
  // centre skipped one): nothing is stored.
  absl::Status StoreNotices(const std::vector<v1::Notice>& notices);
  // Every notice record, by case id then trial id.
  absl::StatusOr<std::vector<v1::AgentNotice>> ListNotices() const;
  // The record with this id; nullopt when none.
  absl::StatusOr<std::optional<v1::AgentNotice>> FindNotice(uint64_t id) const;
  // A coordinator's status for notice `id`: the record and a REFERRAL
  // change to the outbox in one synced write (the note stays in the
  // record). NOT_FOUND for an unknown id; FAILED_PRECONDITION for a
  // cancelled one (the case was withdrawn). Returns the outbox seq.
  absl::StatusOr<uint64_t> SetNoticeStatus(uint64_t id, v1::NoticeStatus status, const std::string& note,
                                           v1::AgentNotice* updated);

  // Backups (agent/agent_backup.cc): the whole store, every column family
  // at one point in time, into `dir`, keeping the newest `keep` (0 = all).
  // Commits and acknowledgements wait while the files are copied, so the
  // metadata (JSON: site, store id, seqs, cases, notice cursor) describes
  // the copy. Errors name `dir` (common/rocks_backup.h).
  absl::StatusOr<RocksBackupInfo> CreateBackup(const std::string& dir, int keep, const std::string& site_id);
  // After a restore (agent/main.cc, at start, before the sender or anything
  // reads store_id()): a new random store id, synced. The restored store's
  // seqs after its backup point would repeat seqs the centre applied with
  // other contents; under a new id the centre refuses it as another store
  // until `fedregctl sites rebase`, however much it imports first.
  absl::Status RenewStoreIdAfterRestore();

  // For tests and reconciliation: every stored case, in case id order.
  absl::StatusOr<std::vector<v1::Case>> AllCases() const;
  absl::StatusOr<std::vector<v1::QuarantineEntry>> Quarantine(size_t limit) const;

  // The data manager's quarantine (agent/agent_quarantine.cc).
  struct QuarantineRecord {
    uint64_t id = 0;
    v1::QuarantineEntry entry;
  };
  // Entries with id > after_id in id order, at most `limit`; closed ones
  // only when include_closed; `source` "" or "import"/"centre".
  absl::StatusOr<std::vector<QuarantineRecord>> ListQuarantine(uint64_t after_id, size_t limit, bool include_closed,
                                                               const std::string& source) const;
  // std::nullopt for an unknown id.
  absl::StatusOr<std::optional<v1::QuarantineEntry>> GetQuarantine(uint64_t id) const;
  // The same, NOT_FOUND ("no quarantine entry N") for an unknown id.
  absl::StatusOr<v1::QuarantineEntry> FindQuarantine(uint64_t id) const;
  // The id the next quarantined entry will get.
  uint64_t next_quarantine_id() const;
  // Closes open entries: state "dropped" or "retried" with a resolution
  // each (same order as `ids`), in one synced write. NOT_FOUND for an
  // unknown id, FAILED_PRECONDITION for one already closed: nothing written.
  absl::Status CloseQuarantine(const std::vector<uint64_t>& ids, const std::string& state,
                               const std::vector<std::string>& resolutions);

 private:
  AgentStore() = default;

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;  // owned; indexed by Cf
  std::shared_ptr<rocksdb::Cache> cache_;
  std::shared_ptr<rocksdb::WriteBufferManager> wbm_;
  std::string store_id_;
  std::string path_;
  int64_t min_free_bytes_ = 0;
  // Set after a failed write: RocksDB must not be written again in this process
  // (see common/disk_space.h). Guarded by write_mu_.
  std::string write_failure_ ABSL_GUARDED_BY(write_mu_);

  mutable std::mutex write_mu_;  // serializes Commit and Acknowledge
  // Counters mirrored from meta; written under write_mu_, read under count_mu_.
  mutable std::mutex count_mu_;
  mutable std::condition_variable work_cv_;
  uint64_t next_seq_ ABSL_GUARDED_BY(count_mu_) = 1;
  uint64_t acked_seq_ ABSL_GUARDED_BY(count_mu_) = 0;
  int64_t cases_ ABSL_GUARDED_BY(count_mu_) = 0;
  int64_t quarantined_ ABSL_GUARDED_BY(count_mu_) = 0;
  int64_t rejected_ ABSL_GUARDED_BY(count_mu_) = 0;
  int64_t quarantine_open_ ABSL_GUARDED_BY(count_mu_) = 0;
  uint64_t next_quarantine_id_ ABSL_GUARDED_BY(write_mu_) = 1;
  uint64_t notice_cursor_ ABSL_GUARDED_BY(count_mu_) = 0;
  // Schema migrations at Open (common/schema_version.h).
  absl::Status Migrate();
  absl::Status CommitLocked(const std::vector<Change>& changes, const std::vector<v1::QuarantineEntry>& quarantined)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // In Commit: a withdrawn case's notice records become CANCELLED.
  absl::Status CancelNotices(const std::string& case_id, rocksdb::WriteBatch* batch);
  mutable uint64_t wake_epoch_ ABSL_GUARDED_BY(count_mu_) = 0;
  // When recent commits completed (last seq of the commit, unix us). An event
  // must carry its commit time inside the write that commits it, so the stored
  // stamp is taken just before the synced write; events sent while this
  // process still knows better carry the completion time instead (freshness is
  // measured from the commit, not from before its fsync).
  static constexpr size_t kRecentCommits = 4096;
  struct CommitTime {
    uint64_t first_seq, last_seq;
    int64_t done_us;
  };
  std::deque<CommitTime> recent_commits_ ABSL_GUARDED_BY(count_mu_);

  // The walk both outbox readers share: calls `take(seq, bytes)` for each
  // entry from `from_seq` on, dense, within the limits; returns the seq after
  // the last taken. DATA_LOSS on a gap at `from_seq`.
  absl::StatusOr<uint64_t> WalkOutbox(uint64_t from_seq, size_t max_events, size_t max_bytes,
                                      const std::function<absl::Status(uint64_t, std::string_view)>& take) const;
  // The completion time of the commit that wrote each of the seqs
  // [first, first + n) still remembered, else 0 (kept: the stamp stored).
  std::vector<int64_t> CommitTimes(uint64_t first, size_t n) const;
};

}  // namespace fedreg::agent
