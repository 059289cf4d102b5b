// The aggregator's RocksDB store: the one class that owns it.
//
// Column families and key layouts (on disk; never change):
//   cases   : site "/" case_id                 -> v1::Case
//             "~t/" site "/" case_id           -> v1::Tombstone (withdrawn; never resurrected)
//             "~s/" site "/" case_id           -> v1::Case staged by a snapshot in progress
//   persons : person_key "\0" site "/" case_id -> ""   (person_key = T1 link token)
//   sites   : site                             -> v1::SiteState
//   views   : "national"                       -> v1::ViewCounters (dimension "\x1f" value -> count),
//                                                 one merge operand of deltas per applied batch
//   audit   : seq (big-endian u64)              -> v1::AuditEntry (hash-chained)
//   trials  : trial_id                         -> v1::StoredTrial
//   default : "schema_version"                 -> u64 as decimal (common/schema_version.h)
//   notices : "m/" trial "\0" site "/" case_id  -> v1::TrialMatch
//             "c/" site "/" case_id           -> v1::CaseMatches (trials with an open match)
//             "n/" site "/" seq (big-endian)  -> v1::Notice (the site's notice log)
//             "q/" site | "d/" site           -> last notice seq made | stored at the site
//             "r/" trial_id                   -> v1::RematchProgress (background pass)
//             "a/day"                         -> last day the daily age check was queued
//
// A batch of events becomes one WriteBatch (cases, persons, view deltas,
// trial matches and notices, site state, audit entry). QueueBatch builds it and queues it for a writer
// thread, so the next batch is built while this one is written (two cores);
// reads made while building see the queued batches. Written, a batch is
// visible ("applied"); the WAL is not synced then: a group-commit thread
// syncs it for every write made since its last sync ("durable", DESIGN.md
// section 5). WaitProgress says how far both got. A killed process loses
// nothing written (the WAL is in the page cache); a machine crash may lose an
// unsynced suffix, which the agents still hold because they trim only what
// was acknowledged as durable. Builds and the other writers are serialized
// (the other writers first wait for the queue to drain); reads may run on any
// thread.
//
// Where each job lives (one class, its jobs in files by name):
//   centre_store.cc     opening and closing, sites and Hello decisions, reads
//   centre_apply.cc     QueueBatch/ApplyBatch: the build of one batch's WriteBatch
//   centre_commit.cc    the writer thread and the group commit (applied, durable)
//   centre_snapshot.cc  snapshots (stage, finish) and reconciliation
//   centre_trials.cc    trial definitions (the `trials` column family)
//   centre_matching.cc  the trial index, background re-matching, notices, matches
//   match_index.h       which open trials a case could match
//   match_writer.h      a batch's matches and notices
//   centre_layout.h     column families, keys and encodings
//   overlay_batch.h     the WriteBatch that reads back queued writes; person membership
//   view_document.h     the national view's document and merge operator
//   audit_chain.h       the audit log's hash chain
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "common/rocks_backup.h"
#include "fedreg/v1/centre.pb.h"
#include "fedreg/v1/notice.pb.h"
#include "fedreg/v1/sync.pb.h"
#include "fedreg/v1/trial.pb.h"
#include "server/audit_chain.h"
#include "server/match_index.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Cache;
class WriteBufferManager;
}  // namespace rocksdb

namespace fedreg::server {

struct PendingWrite;

struct CentreStoreOptions {
  std::string path;
  size_t block_cache_bytes = 64 << 20;          // Default: 64 MiB
  size_t write_buffer_budget_bytes = 64 << 20;  // Default: 64 MiB for all memtables, stalls above
  int64_t min_free_bytes = 512LL << 20;         // Default: applies refused below 512 MiB free
};

struct ApplyResult {
  uint64_t applied_seq = 0;
  std::vector<v1::Rejection> rejections;
  // The write's place in the commit order: the batch is applied, then
  // durable, once WaitProgress reports this generation written, then durable.
  uint64_t generation = 0;
};

// The national view as stored: "dimension\x1fvalue" -> count.
using ViewCounts = std::map<std::string, int64_t>;

class CentreStore {
 public:
  // Schema versions (a store newer than the binary is refused at Open):
  //   1  0.1.0 (no version recorded)
  //   2  0.2.0: the version is recorded (no data changes)
  static constexpr uint32_t kSchemaVersion = 2;

  static absl::StatusOr<std::unique_ptr<CentreStore>> Open(const CentreStoreOptions& options);
  ~CentreStore();
  CentreStore(const CentreStore&) = delete;
  CentreStore& operator=(const CentreStore&) = delete;

  // NOT_FOUND when the site never connected.
  absl::StatusOr<v1::SiteState> GetSite(const std::string& site_id) const;
  absl::StatusOr<std::vector<v1::SiteState>> ListSites() const;

  struct HelloDecision {
    v1::SiteState state;
    bool snapshot_required = false;
  };
  // Decides what a Hello gets (DESIGN.md section 5). First contact registers
  // the store. A known store that holds less than the centre applied (lost
  // data) or a new store for a site with data is refused with
  // FAILED_PRECONDITION, unless an operator allowed a rebase: then a snapshot
  // is required. An agent that was acknowledged more than the centre holds
  // (centre restored from an older backup) gets a snapshot request at once.
  // `agent_notice_cursor` is the last notice seq the agent stored: when the
  // site's notice counter is below it (a centre restored from an older
  // backup), the counter moves up to it in the same write, so that the next
  // notice made for the site is one the agent takes (docs/backup-restore.md).
  // `agent_version` and `agent_schema` are recorded in the site state.
  absl::StatusOr<HelloDecision> Hello(const std::string& site_id, const std::string& store_id,
                                      uint64_t agent_highest_seq, uint64_t agent_acked_seq,
                                      uint64_t agent_notice_cursor = 0, const std::string& agent_version = "",
                                      uint32_t agent_schema = 0);
  // Shorthand for tests: Hello of a store with nothing sent yet.
  absl::StatusOr<v1::SiteState> RegisterStore(const std::string& site_id, const std::string& store_id) {
    auto d = Hello(site_id, store_id, 0, 0);
    if (!d.ok()) return d.status();
    return d->state;
  }

  // `fedregctl sites rebase`: allows the next snapshot. NOT_FOUND for an unknown site.
  absl::StatusOr<v1::SiteState> AllowRebase(const std::string& site_id);

  // Snapshot: stage cases (begin clears an earlier unfinished staging), then
  // swap them in at the end in one WriteBatch: the site's cases become exactly
  // the staged ones, those no longer present are tombstoned, views, persons
  // and digest follow, and applied_seq becomes as_of_seq.
  absl::Status StageSnapshot(const std::string& site_id, const std::string& store_id, bool begin,
                             const std::vector<v1::Case>& cases, std::vector<v1::Rejection>* rejections);
  absl::StatusOr<v1::SnapshotAck> FinishSnapshot(const std::string& site_id, const std::string& store_id,
                                                 uint64_t as_of_seq);

  // (case id, version) of the site's cases, and of its tombstones.
  absl::Status CaseVersions(const std::string& site_id, std::vector<v1::CaseVersion>* cases,
                            std::vector<v1::CaseVersion>* tombstones, uint64_t* applied_seq) const;
  // Keeps the site's latest reconciliation report. NOT_FOUND for an unknown site.
  absl::Status RecordReconcileReport(const std::string& site_id, const v1::ReconcileReport& report);

  // Records the last error seen for a site (best effort, for `fedregctl sites`).
  void RecordError(const std::string& site_id, const std::string& error);

  // Applies `batch` for the site. Events at or below the applied seq are
  // skipped (idempotent replays). OUT_OF_RANGE when the batch starts after a
  // gap; FAILED_PRECONDITION on a store id mismatch; INVALID_ARGUMENT when the
  // batch is malformed. Records failing validation are rejected one by one
  // and do not stop the batch.
  absl::StatusOr<ApplyResult> ApplyBatch(const std::string& site_id, const std::string& store_id,
                                         const v1::Batch& batch);
  // ApplyBatch without waiting for the write: the batch is applied once
  // WaitProgress reports its generation written. The result's applied_seq is
  // what the site's applied seq will then be.
  // `on_written` (optional) runs on the writer thread as soon as the batch is
  // visible; it must be quick.
  absl::StatusOr<ApplyResult> QueueBatch(const std::string& site_id, const std::string& store_id,
                                         const v1::Batch& batch, std::function<void()> on_written = nullptr);

  struct Progress {
    uint64_t written = 0;  // every batch up to this generation is applied (visible)
    uint64_t durable = 0;  // ... and its WAL synced
    bool failed = false;   // a write failed: nothing more will be written until a restart
  };
  // Waits until `written` is written or `durable` is durable (or a failure,
  // the store closing, `timeout`), and returns how far both got.
  Progress WaitProgress(uint64_t written, uint64_t durable, std::chrono::milliseconds timeout) const;

  // Waits until every queued batch is written (their on_written callbacks
  // have run). Writers other than QueueBatch call it first, under apply_mu_.
  void WaitQueueDrained() const;

  // WAL syncs made by the group-commit thread (for /metrics and tests).
  uint64_t WalSyncs() const;

  absl::StatusOr<ViewCounts> ReadViews() const;
  // Recomputes every counter from the cases.
  absl::StatusOr<ViewCounts> RecomputeViews() const;

  // Every case of a site (or of all sites when empty), in key order.
  absl::StatusOr<std::vector<v1::Case>> Cases(const std::string& site_id) const;
  // The same, one case at a time (a cohort or an export over every case
  // without holding them all); stops at the first error `fn` returns.
  absl::Status ForEachCase(const std::string& site_id, const std::function<absl::Status(const v1::Case&)>& fn) const;
  // Persons with current cases at two or more sites (the same T1 link
  // token), each as its cases' (site, case id), by person key.
  absl::StatusOr<std::vector<std::vector<std::pair<std::string, std::string>>>> MultiSitePersons() const;
  absl::StatusOr<bool> IsTombstoned(const std::string& site_id, const std::string& case_id) const;

  // Trials (docs/trials.md). PutTrial stores a definition already read and
  // checked (common/trial_definition.h): kAdd refuses a known trial id
  // (ALREADY_EXISTS), kUpdate an unknown one (NOT_FOUND); the version moves
  // by one; synced. SetTrialStatus sets the trial's status, or with an arm
  // id that arm's (OPEN or SUSPENDED): NOT_FOUND for an unknown trial or
  // arm, INVALID_ARGUMENT for a status that does not apply.
  enum class TrialWrite { kAdd, kUpdate };
  absl::StatusOr<v1::StoredTrial> PutTrial(const v1::Trial& trial, TrialWrite mode, const std::string& who);
  absl::StatusOr<v1::StoredTrial> SetTrialStatus(const std::string& trial_id, const std::string& arm_id,
                                                 v1::TrialStatus status, const std::string& who);
  // nullopt when unknown.
  absl::StatusOr<std::optional<v1::StoredTrial>> GetTrial(const std::string& trial_id) const;
  // Every trial, by trial id.
  absl::StatusOr<std::vector<v1::StoredTrial>> ListTrials() const;

  // Matches and notices (docs/trials.md, "Matches and notices"; written by
  // every apply, snapshot and background pass: server/match_writer.h).
  //
  // The site's notices after `after_seq`, at most `limit`, once durable:
  // waits up to `timeout` for one (empty when none came).
  absl::StatusOr<std::vector<v1::Notice>> WaitNotices(const std::string& site_id, uint64_t after_seq, size_t limit,
                                                      std::chrono::milliseconds timeout) const;
  // The site stored its notices up to `seq` (metrics). Never moves back.
  absl::Status AckNotices(const std::string& site_id, uint64_t seq);
  struct NoticeBacklog {
    std::string site_id;
    uint64_t made = 0;             // last notice seq made
    uint64_t stored = 0;           // last one the site said it stored
    int64_t oldest_pending_unix = 0;  // when the oldest not yet stored was made (0 = none)
  };
  absl::StatusOr<std::vector<NoticeBacklog>> NoticeBacklogs() const;
  // A trial's matches (every site when `site_id` is empty), ended ones too
  // when asked; *total counts them all, the list stops at `limit`.
  absl::StatusOr<std::vector<v1::TrialMatch>> ListMatches(const std::string& trial_id, const std::string& site_id,
                                                          bool include_ended, size_t limit, int64_t* total) const;
  // Open matches of every trial (kept as they change).
  int64_t OpenMatches() const { return open_matches_.load(); }
  // The background pass of a trial: running (true) or none queued (false);
  // *progress is the running one.
  bool RematchRunning(const std::string& trial_id, v1::RematchProgress* progress) const;
  // Runs background passes to the end on this thread (tests and benches
  // that want them done now). Returns the number of chunks run.
  absl::StatusOr<int> RunRematchNow();
  // How the index finds a trial's candidates ("genes BRAF").
  std::string TrialIndexedBy(const std::string& trial_id);

  // Backups (server/centre_backup.cc): every column family at one point in
  // time into `dir`, keeping the newest `keep` (0 = all). Applies and the
  // other writers wait while the files are copied, so the metadata (JSON:
  // each site's applied seq and cases, the audit head) describes the copy.
  // Errors name `dir` (common/rocks_backup.h).
  absl::StatusOr<RocksBackupInfo> CreateBackup(const std::string& dir, int keep);

  // Appends one entry to the audit chain, synced.
  absl::Status Audit(const AuditEvent& event);
  // Entries from `from_seq` (0 = the last `limit`), at most `limit`.
  absl::StatusOr<std::vector<v1::AuditEntry>> ListAudit(uint64_t from_seq, size_t limit, uint64_t* last_seq) const;
  // Recomputes every link of the chain.
  AuditVerification VerifyAudit() const;
  // Overwrites a stored entry as is: for tamper drills and tests only.
  absl::Status OverwriteAuditEntryForTest(const v1::AuditEntry& entry);

 private:
  CentreStore() = default;

  // Matching (centre_matching.cc). Called under apply_mu_.
  absl::Status LoadMatchIndex();
  // Schema migrations at Open (common/schema_version.h); a new store is stamped.
  absl::Status Migrate(bool new_store);
  // Stores a trial and queues its background pass; rebuilds the index.
  absl::Status WriteTrial(const v1::StoredTrial& stored);
  // One chunk of the first queued background pass; false when none is queued.
  absl::StatusOr<bool> RematchChunk();
  // Queues a pass for every open trial with an age limit once per day.
  absl::Status QueueDailyAgeCheck();
  void RematchLoop();
  // After a synced write outside the writer thread that made notices.
  void NoteNoticesDurable(const std::map<std::string, uint64_t>& marks);
  absl::Status CountOpenMatches();

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::shared_ptr<rocksdb::WriteBufferManager> wbm_;

  // The group-commit thread: syncs the WAL whenever writes were made since
  // its last sync (the next group forms while a sync runs).
  void GroupCommitLoop();
  // The writer thread: writes queued batches in order.
  void WriterLoop();
  // After the writer wrote `generation`: wakes waiters and the syncer.
  void NoteWritten(uint64_t generation, std::map<std::string, uint64_t> notice_marks);
  // The newest queued, unwritten value of a key: true when a queued batch
  // puts (or deletes: *value = nullopt) it.
  bool PendingLookup(int cf, const std::string& key, std::optional<std::string>* value) const;
  // After a synced write: everything written before it is durable too.
  void NoteSyncedWrite();
  // The site's state when a snapshot was asked of `store_id`;
  // FAILED_PRECONDITION otherwise. Called under apply_mu_.
  absl::StatusOr<v1::SiteState> SiteAwaitingSnapshot(const std::string& site_id, const std::string& store_id) const;

  std::mutex apply_mu_;  // serializes every write: applies, Hello decisions, audit
  mutable std::mutex sync_mu_;
  mutable std::condition_variable sync_cv_;     // wakes the syncer: new writes or closing
  mutable std::condition_variable durable_cv_;  // wakes waiters: durable generation moved
  uint64_t written_gen_ = 0;   // guarded by sync_mu_: batches written (visible), in order
  uint64_t durable_gen_ = 0;   // guarded by sync_mu_: writes known synced
  uint64_t wal_syncs_ = 0;     // guarded by sync_mu_
  bool closing_ = false;       // guarded by sync_mu_
  std::thread syncer_;
  bool write_failed_ = false;  // guarded by sync_mu_

  static constexpr size_t kMaxQueued = 16;  // batches built ahead of the writer
  uint64_t queued_gen_ = 0;                 // guarded by apply_mu_
  mutable std::mutex pending_mu_;
  std::condition_variable pending_cv_;      // wakes the writer
  mutable std::condition_variable written_cv_;  // a queued batch was written (or all failed)
  std::deque<std::shared_ptr<PendingWrite>> pending_;  // guarded by pending_mu_; front = next to write
  std::string write_failure_;               // guarded by pending_mu_
  bool writer_stop_ = false;                // guarded by pending_mu_
  std::thread writer_;
  AuditChain audit_;           // guarded by apply_mu_
  MatchIndex match_index_;     // guarded by apply_mu_
  std::atomic<int64_t> open_matches_{0};
  // Notices become readable by their site once durable: the writer records
  // each written batch's last notice seq per site, the group commit moves
  // them to durable_notice_ when it syncs (both guarded by sync_mu_).
  std::deque<std::pair<uint64_t, std::map<std::string, uint64_t>>> written_notices_;
  std::map<std::string, uint64_t> durable_notice_;
  uint64_t notice_epoch_ = 0;  // guarded by sync_mu_: moves with durable_notice_
  std::mutex notice_ack_mu_;  // serializes AckNotices (read, compare, write d/<site>)
  std::mutex rematch_mu_;
  std::condition_variable rematch_cv_;
  bool rematch_stop_ = false;  // guarded by rematch_mu_
  bool rematch_wake_ = false;  // guarded by rematch_mu_
  std::thread rematcher_;
  std::string path_;
  int64_t min_free_bytes_ = 0;
};

}  // namespace fedreg::server
