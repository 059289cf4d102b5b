#include "server/centre_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <deque>
#include <functional>
#include <optional>
#include <set>

#include "common/crypto.h"
#include "common/digest.h"
#include "common/disk_space.h"
#include "common/rocks_util.h"
#include "common/utf8.h"
#include "common/validate.h"
#include "server/views.h"

namespace fedreg::server {

// A built batch waiting for the writer thread (see ApplyBatch).
struct PendingWrite {
  rocksdb::WriteBatch batch;
  std::map<std::pair<int, std::string>, std::optional<std::string>> overlay;  // what it puts (nullopt: deletes)
  uint64_t generation = 0;
  std::function<void()> on_written;
};

namespace {

enum Cf : size_t { kDefault = 0, kCases, kPersons, kSites, kViews, kTrials, kNotices, kAudit, kCfCount };
const char* const kCfNames[kCfCount] = {"default", "cases", "persons", "sites", "views", "trials", "notices", "audit"};

std::string EncodeI64(int64_t v) {
  std::string out(8, '\0');
  std::memcpy(out.data(), &v, 8);  // little-endian on every platform we build for
  return out;
}
int64_t DecodeI64(const rocksdb::Slice& s) {
  int64_t v = 0;
  if (s.size() == 8) std::memcpy(&v, s.data(), 8);
  return v;
}

// The national view is one document (v1::ViewCounters under kNationalView);
// each batch merges in its deltas, so view updates are blind writes.
const char kNationalView[] = "national";

void AddCounters(const rocksdb::Slice& encoded, std::map<std::string, int64_t>* sum) {
  v1::ViewCounters c;
  // An operand that does not parse cannot come from this code; it counts as empty.
  if (!c.ParseFromArray(encoded.data(), static_cast<int>(encoded.size()))) return;
  for (const auto& e : c.counters()) (*sum)[e.key()] += e.count();
}

std::string EncodeCounters(const std::map<std::string, int64_t>& sum) {
  v1::ViewCounters c;
  for (const auto& [key, count] : sum) {
    if (count == 0) continue;
    auto* e = c.add_counters();
    e->set_key(key);
    e->set_count(count);
  }
  return c.SerializeAsString();
}

// Sums every operand into the document in one pass (an associative operator
// would parse and re-serialize the whole document once per operand).
class ViewMergeOperator : public rocksdb::MergeOperator {
 public:
  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    std::map<std::string, int64_t> sum;
    if (in.existing_value) AddCounters(*in.existing_value, &sum);
    for (const auto& op : in.operand_list) AddCounters(op, &sum);
    out->new_value = EncodeCounters(sum);
    return true;
  }
  bool PartialMergeMulti(const rocksdb::Slice&, const std::deque<rocksdb::Slice>& operands, std::string* new_value,
                         rocksdb::Logger*) const override {
    std::map<std::string, int64_t> sum;
    for (const auto& op : operands) AddCounters(op, &sum);
    *new_value = EncodeCounters(sum);
    return true;
  }
  const char* Name() const override { return "fedreg.ViewCounters"; }
};

rocksdb::WriteOptions SyncWrite() {
  rocksdb::WriteOptions w;
  w.sync = true;
  return w;
}

std::string CaseKey(const std::string& site, const std::string& case_id) { return site + "/" + case_id; }
std::string TombKey(const std::string& site, const std::string& case_id) { return "~t/" + site + "/" + case_id; }
std::string StageKey(const std::string& site, const std::string& case_id) { return "~s/" + site + "/" + case_id; }
std::string PersonCountKey(const std::string& person) { return "#" + person; }
std::string PersonMemberKey(const std::string& person, const std::string& site, const std::string& case_id) {
  return person + std::string(1, '\0') + CaseKey(site, case_id);
}

// A WriteBatch that remembers what it wrote, so that one apply sees its own
// earlier writes, and sees the writes of batches queued before it that the
// writer thread has not yet written (`pending`). (A WriteBatchWithIndex did
// the same but its index and per-lookup iterators were most of the apply
// profile.) Merges are not readable back; views are only merged, never read
// during an apply.
class OverlayBatch {
 public:
  using PendingLookup = std::function<bool(int cf, const std::string& key, std::optional<std::string>* value)>;
  OverlayBatch(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& cfs, PendingLookup pending)
      : db_(db), cfs_(cfs), pending_(std::move(pending)), write_(std::make_shared<PendingWrite>()) {}

  void Put(Cf cf, const std::string& key, const std::string& value) {
    write_->batch.Put(cfs_[cf], key, value).PermitUncheckedError();
    write_->overlay[{cf, key}] = value;
  }
  void Delete(Cf cf, const std::string& key) {
    write_->batch.Delete(cfs_[cf], key).PermitUncheckedError();
    write_->overlay[{cf, key}] = std::nullopt;
  }
  void Merge(Cf cf, const std::string& key, const std::string& value) {
    write_->batch.Merge(cfs_[cf], key, value).PermitUncheckedError();
  }
  // False when absent (in this batch, the queued ones, or the DB).
  absl::StatusOr<bool> Get(Cf cf, const std::string& key, std::string* value) {
    auto it = write_->overlay.find({cf, key});
    std::optional<std::string> queued;
    if (it != write_->overlay.end()) {
      queued = it->second;
    } else if (!pending_ || !pending_(cf, key, &queued)) {
      auto s = db_->Get(rocksdb::ReadOptions(), cfs_[cf], key, value);
      if (s.IsNotFound()) return false;
      if (!s.ok()) return FromRocks(s, "read during apply");
      return true;
    }
    if (!queued) return false;
    *value = std::move(*queued);
    return true;
  }
  rocksdb::WriteBatch* batch() { return &write_->batch; }
  std::shared_ptr<PendingWrite> Take() { return std::move(write_); }

 private:
  rocksdb::DB* db_;
  const std::vector<rocksdb::ColumnFamilyHandle*>& cfs_;
  PendingLookup pending_;
  std::shared_ptr<PendingWrite> write_;
};

// A site's state, read by `get` (from the DB, or through a build's overlay);
// `get` returns false when the site has none.
absl::StatusOr<v1::SiteState> ReadSite(const std::string& site_id,
                                       const std::function<absl::StatusOr<bool>(std::string*)>& get) {
  std::string v;
  auto found = get(&v);
  if (!found.ok()) return found.status();
  if (!*found) return absl::NotFoundError("site " + Utf8Prefix(site_id, 40) + " never connected");
  v1::SiteState st;
  if (!st.ParseFromString(v)) return absl::DataLossError("site state of " + site_id + " does not parse");
  return st;
}

// Moves one case out of / into the persons index and the unique-person count:
// a person counts once however many hospitals registered them (member count
// kept under "#<person>").
absl::Status ChangePersonMembership(OverlayBatch& wb, const std::string& person, const std::string& site,
                                    const std::string& case_id, int delta, std::map<std::string, int64_t>* deltas) {
  std::string v;
  auto found = wb.Get(kPersons, PersonCountKey(person), &v);
  if (!found.ok()) return found.status();
  int64_t before = *found ? DecodeI64(v) : 0;
  int64_t after = before + delta;
  if (after <= 0) wb.Delete(kPersons, PersonCountKey(person));
  else wb.Put(kPersons, PersonCountKey(person), EncodeI64(after));
  if (delta > 0) wb.Put(kPersons, PersonMemberKey(person, site, case_id), "");
  else wb.Delete(kPersons, PersonMemberKey(person, site, case_id));
  if (before <= 0 && after > 0) (*deltas)[PersonsViewKey()] += 1;
  if (before > 0 && after <= 0) (*deltas)[PersonsViewKey()] -= 1;
  return absl::OkStatus();
}

}  // namespace

CentreStore::~CentreStore() {
  if (writer_.joinable()) {  // writes what is queued, then stops
    {
      std::lock_guard<std::mutex> lock(pending_mu_);
      writer_stop_ = true;
    }
    pending_cv_.notify_all();
    writer_.join();
  }
  if (syncer_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(sync_mu_);
      closing_ = true;
    }
    sync_cv_.notify_all();
    syncer_.join();
  }
  if (db_) {
    // What was applied but not yet synced goes to the disk before closing.
    db_->SyncWAL().PermitUncheckedError();
    for (auto* cf : cfs_) db_->DestroyColumnFamilyHandle(cf);
    db_->Close();
  }
}

absl::StatusOr<std::unique_ptr<CentreStore>> CentreStore::Open(const CentreStoreOptions& options) {
  std::unique_ptr<CentreStore> store(new CentreStore());
  store->cache_ = rocksdb::NewLRUCache(options.block_cache_bytes);
  // Below about 1 MiB per column family the stalling WriteBufferManager can
  // stall the very first write forever (found by the batch-apply fuzzer).
  const size_t budget = std::max<size_t>(options.write_buffer_budget_bytes, 16 << 20);
  store->wbm_ = std::make_shared<rocksdb::WriteBufferManager>(budget, /*cache=*/nullptr, /*allow_stall=*/true);
  rocksdb::DBOptions dbo = BaseDbOptions(store->wbm_);
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (size_t i = 0; i < kCfCount; ++i) {
    // Views take a merge entry per counter and batch (small, many): a small
    // memtable keeps their skiplist shallow and in the CPU cache, and its
    // flush folds the operands into one counter per key.
    rocksdb::ColumnFamilyOptions cfo = PointLookupCfOptions(store->cache_, 16 << 20);
    if (i == kViews) {
      cfo.merge_operator = std::make_shared<ViewMergeOperator>();
      // Past this many operands in the memtable, a write folds them into one
      // value, so a read of the view never sums more than this many.
      cfo.max_successive_merges = 64;
    }
    descs.emplace_back(kCfNames[i], cfo);
  }
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(dbo, options.path, descs, &store->cfs_, &raw);
  if (!s.ok()) return FromRocks(s, "open centre store " + options.path);
  store->db_.reset(raw);
  {
    std::unique_ptr<rocksdb::Iterator> it(store->db_->NewIterator(rocksdb::ReadOptions(), store->cfs_[kAudit]));
    it->SeekToLast();
    if (it->Valid()) {
      v1::AuditEntry last;
      if (!last.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
        return absl::DataLossError("the last audit entry does not parse");
      store->audit_seq_ = last.seq();
      store->audit_head_ = last.hash();
    }
  }
  store->path_ = options.path;
  store->min_free_bytes_ = options.min_free_bytes;
  store->syncer_ = std::thread([raw_store = store.get()] { raw_store->GroupCommitLoop(); });
  store->writer_ = std::thread([raw_store = store.get()] { raw_store->WriterLoop(); });
  return store;
}

void CentreStore::GroupCommitLoop() {
  std::unique_lock<std::mutex> lock(sync_mu_);
  bool failing = false;
  while (true) {
    sync_cv_.wait(lock, [&] { return closing_ || written_gen_ > durable_gen_; });
    if (closing_) return;  // the destructor makes the last sync
    const uint64_t target = written_gen_;
    lock.unlock();
    // Every write counted in `target` has returned from DB::Write, so its
    // WAL record is written; SyncWAL makes all of them durable at once.
    auto s = db_->SyncWAL();
    lock.lock();
    if (s.ok()) {
      if (failing) spdlog::info("WAL sync works again");
      failing = false;
      durable_gen_ = std::max(durable_gen_, target);
      ++wal_syncs_;
      durable_cv_.notify_all();
    } else {
      // Nothing is acknowledged as durable meanwhile; agents keep their outboxes.
      if (!failing) spdlog::error("WAL sync failed (acknowledgements as durable paused): {}", s.ToString());
      failing = true;
      sync_cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return closing_; });
    }
  }
}

void CentreStore::NoteWritten(uint64_t generation) {
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    written_gen_ = generation;
  }
  durable_cv_.notify_all();  // waiters for "applied"
  sync_cv_.notify_one();     // the group commit
}

void CentreStore::NoteSyncedWrite() {
  // A synced write syncs every live WAL file, so the writes before it too.
  std::lock_guard<std::mutex> lock(sync_mu_);
  durable_gen_ = std::max(durable_gen_, written_gen_);
  durable_cv_.notify_all();
}

CentreStore::Progress CentreStore::WaitProgress(uint64_t written, uint64_t durable,
                                                std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(sync_mu_);
  durable_cv_.wait_for(lock, timeout, [&] {
    return closing_ || write_failed_ || written_gen_ >= written || durable_gen_ >= durable;
  });
  return {written_gen_, durable_gen_, write_failed_};
}

uint64_t CentreStore::WalSyncs() const {
  std::lock_guard<std::mutex> lock(sync_mu_);
  return wal_syncs_;
}

absl::StatusOr<v1::SiteState> CentreStore::GetSite(const std::string& site_id) const {
  return ReadSite(site_id, [&](std::string* v) -> absl::StatusOr<bool> {
    auto s = db_->Get(rocksdb::ReadOptions(), cfs_[kSites], site_id, v);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return FromRocks(s, "read site");
    return true;
  });
}

absl::StatusOr<std::vector<v1::SiteState>> CentreStore::ListSites() const {
  std::vector<v1::SiteState> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kSites]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::SiteState st;
    if (!st.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return absl::DataLossError("site state does not parse");
    out.push_back(std::move(st));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "list sites");
  return out;
}

absl::StatusOr<CentreStore::HelloDecision> CentreStore::Hello(const std::string& site_id,
                                                             const std::string& store_id,
                                                             uint64_t agent_highest_seq, uint64_t agent_acked_seq) {
  std::lock_guard<std::mutex> lock(apply_mu_);
  WaitQueueDrained();
  HelloDecision d;
  auto st = GetSite(site_id);
  auto save = [&](const v1::SiteState& state) -> absl::Status {
    std::string v;
    state.SerializeToString(&v);
    return FromRocks(db_->Put(SyncWrite(), cfs_[kSites], site_id, v), "save site state");
  };
  if (!st.ok()) {
    if (!absl::IsNotFound(st.status())) return st.status();
    d.state.set_site_id(site_id);
    d.state.set_store_id(store_id);
    d.state.set_last_seen_unix(std::time(nullptr));
    if (auto s = save(d.state); !s.ok()) return s;
    NoteSyncedWrite();
    return d;
  }
  d.state = *st;
  const bool has_data = st->applied_seq() > 0 || st->cases() > 0;
  const bool same_store = st->store_id() == store_id;
  if (same_store && st->snapshot_pending()) {
    d.snapshot_required = true;
  } else if (same_store && agent_highest_seq < st->applied_seq()) {
    if (!st->rebase_allowed()) {
      d.state.set_identity_refusals(d.state.identity_refusals() + 1);
      d.state.set_last_error("store " + store_id + " holds seq " + std::to_string(agent_highest_seq) +
                             " but the centre applied " + std::to_string(st->applied_seq()) + ": agent lost data");
      save(d.state).IgnoreError();
      return absl::FailedPreconditionError(
          "this agent's store holds up to seq " + std::to_string(agent_highest_seq) + " but the centre applied " +
          std::to_string(st->applied_seq()) + " from it: the agent lost data. An operator must run 'fedregctl sites "
          "rebase " + site_id + "'; the agent then sends a snapshot");
    }
    d.snapshot_required = true;
  } else if (same_store && agent_acked_seq > st->applied_seq()) {
    // We acknowledged more than we hold: this centre was restored from an
    // older backup. The site is the authority: ask for its cases.
    d.snapshot_required = true;
  } else if (!same_store && has_data) {
    if (!st->rebase_allowed()) {
      d.state.set_identity_refusals(d.state.identity_refusals() + 1);
      d.state.set_last_error("refused new store " + store_id + " (reinstalled agent?)");
      save(d.state).IgnoreError();
      return absl::FailedPreconditionError(
          "site " + site_id + " is known with store " + st->store_id() + " (applied seq " +
          std::to_string(st->applied_seq()) + "); this agent presents store " + store_id +
          " (reinstalled or restored?). An operator must run 'fedregctl sites rebase " + site_id +
          "'; the agent then sends a snapshot");
    }
    d.snapshot_required = true;
  } else if (!same_store) {
    d.state.set_store_id(store_id);  // nothing applied yet: simply follow the new store
  }
  if (d.snapshot_required) {
    d.state.set_store_id(store_id);
    d.state.set_snapshot_pending(true);
    d.state.set_rebase_allowed(false);
  }
  d.state.set_last_seen_unix(std::time(nullptr));
  if (auto s = save(d.state); !s.ok()) return s;
  // The synced save made every earlier apply durable: the applied seq this
  // answer gives (which the agent may trim up to) is durable.
  NoteSyncedWrite();
  return d;
}

absl::StatusOr<v1::SiteState> CentreStore::AllowRebase(const std::string& site_id) {
  std::lock_guard<std::mutex> lock(apply_mu_);
  WaitQueueDrained();
  auto st = GetSite(site_id);
  if (!st.ok()) return st.status();
  st->set_rebase_allowed(true);
  std::string v;
  st->SerializeToString(&v);
  if (auto s = db_->Put(SyncWrite(), cfs_[kSites], site_id, v); !s.ok()) return FromRocks(s, "allow rebase");
  return st;
}

void CentreStore::RecordError(const std::string& site_id, const std::string& error) {
  std::lock_guard<std::mutex> lock(apply_mu_);
  WaitQueueDrained();
  auto st = GetSite(site_id);
  if (!st.ok()) return;
  st->set_last_error(Utf8Prefix(error, 300));
  std::string v;
  st->SerializeToString(&v);
  db_->Put(rocksdb::WriteOptions(), cfs_[kSites], site_id, v).PermitUncheckedError();
}

absl::StatusOr<ApplyResult> CentreStore::QueueBatch(const std::string& site_id, const std::string& store_id,
                                                    const v1::Batch& batch, std::function<void()> on_written) {
  if (batch.events_size() == 0 || batch.last_seq() < batch.first_seq() ||
      batch.last_seq() - batch.first_seq() + 1 != static_cast<uint64_t>(batch.events_size()))
    return absl::InvalidArgumentError("batch seq range does not match its events");
  for (int i = 0; i < batch.events_size(); ++i) {
    const uint64_t want = batch.first_seq() + static_cast<uint64_t>(i);
    if (batch.events(i).seq() != want)
      return absl::InvalidArgumentError("batch event " + std::to_string(i) + " has seq " +
                                        std::to_string(batch.events(i).seq()) + ", expected " + std::to_string(want) +
                                        ": events must be dense and in order");
  }
  std::lock_guard<std::mutex> lock(apply_mu_);
  if (auto s = CheckFreeSpace(path_, min_free_bytes_, "applying a batch"); !s.ok()) return s;
  {
    // Back-pressure: at most kMaxQueued batches built ahead of the writer.
    std::unique_lock<std::mutex> plock(pending_mu_);
    written_cv_.wait(plock, [&] { return pending_.size() < kMaxQueued || !write_failure_.empty(); });
    if (!write_failure_.empty()) return absl::UnavailableError(write_failure_);
  }
  OverlayBatch wb(db_.get(), cfs_, [this](int cf, const std::string& key, std::optional<std::string>* value) {
    return PendingLookup(cf, key, value);
  });
  auto st = ReadSite(site_id, [&](std::string* v) { return wb.Get(kSites, site_id, v); });
  if (!st.ok()) {
    if (absl::IsNotFound(st.status()))
      return absl::FailedPreconditionError("site " + site_id + " has never said Hello to this centre: call Hello first");
    return st.status();
  }
  if (st->store_id() != store_id)
    return absl::FailedPreconditionError("store id " + store_id + " is not the one registered for " + site_id);
  if (st->snapshot_pending())
    return absl::FailedPreconditionError("site " + site_id + " must send its snapshot before pushing");
  ApplyResult result;
  const uint64_t applied = st->applied_seq();
  if (batch.first_seq() > applied + 1)
    return absl::OutOfRangeError("gap: batch starts at seq " + std::to_string(batch.first_seq()) +
                                 " but applied seq is " + std::to_string(applied));
  if (batch.last_seq() <= applied) {
    result.applied_seq = applied;
    // A replay of what is already applied (or queued): applied and durable
    // once every batch queued so far is.
    result.generation = queued_gen_;
    return result;
  }

  std::map<std::string, int64_t> deltas;
  int64_t case_delta = 0, withdrawn_delta = 0, rejected = 0, parked = 0;
  std::string buf;

  auto get = [&](Cf cf, const std::string& key, std::string* value) { return wb.Get(cf, key, value); };
  uint64_t digest = st->digest();
  auto remove_case = [&](const v1::Case& old) -> absl::Status {
    digest -= CaseDigestTerm(old.case_id(), old.record_version());
    for (const auto& k : ViewKeys(old)) deltas[k] -= 1;
    return ChangePersonMembership(wb, PersonKey(old), site_id, old.case_id(), -1, &deltas);
  };
  auto add_case = [&](const v1::Case& c) -> absl::Status {
    digest += CaseDigestTerm(c.case_id(), c.record_version());
    for (const auto& k : ViewKeys(c)) deltas[k] += 1;
    return ChangePersonMembership(wb, PersonKey(c), site_id, c.case_id(), +1, &deltas);
  };
  auto reject = [&](const v1::ChangeEvent& ev, const std::string& reason) {
    v1::Rejection& r = result.rejections.emplace_back();
    r.set_seq(ev.seq());
    r.set_case_id(ev.case_id());
    r.set_reason(Utf8Prefix(reason, 1000));
    ++rejected;
  };

  for (const v1::ChangeEvent& ev : batch.events()) {
    if (ev.seq() <= applied) continue;
    const std::string& case_id = ev.case_id();
    if (!IsValidCaseId(case_id, site_id)) {
      reject(ev, "case id does not belong to site " + site_id);
      continue;
    }
    std::string tomb_value;
    auto tomb = get(kCases, TombKey(site_id, case_id), &tomb_value);
    if (!tomb.ok()) return tomb.status();
    std::string old_value;
    auto has_old = get(kCases, CaseKey(site_id, case_id), &old_value);
    if (!has_old.ok()) return has_old.status();
    v1::Case old;
    if (*has_old && !old.ParseFromString(old_value)) return absl::DataLossError("stored case does not parse");

    if (ev.kind() == v1::CHANGE_KIND_UPSERT) {
      const v1::Case& c = ev.case_();
      if (c.site_id() != site_id) {
        reject(ev, "payload names site '" + Utf8Prefix(c.site_id(), 40) + "', not the certificate's " + site_id);
        continue;
      }
      if (c.case_id() != case_id) {
        reject(ev, "event case id " + case_id + " differs from the case's own '" + Utf8Prefix(c.case_id(), 48) + "'");
        continue;
      }
      auto errs = ValidateCase(c);
      if (!errs.empty()) {
        reject(ev, FormatErrors(errs));
        continue;
      }
      if (*tomb) continue;  // withdrawn: a late event never brings it back
      if (*has_old && old.record_version() >= c.record_version()) continue;  // stale
      if (*has_old) {
        if (auto s = remove_case(old); !s.ok()) return s;
      } else {
        ++case_delta;
      }
      if (auto s = add_case(c); !s.ok()) return s;
      c.SerializeToString(&buf);
      wb.Put(kCases, CaseKey(site_id, case_id), buf);
    } else if (ev.kind() == v1::CHANGE_KIND_TOMBSTONE) {
      if (*has_old) {
        if (auto s = remove_case(old); !s.ok()) return s;
        wb.Delete(kCases, CaseKey(site_id, case_id));
        --case_delta;
      }
      if (!*tomb) {
        v1::Tombstone t;
        t.set_case_id(case_id);
        t.set_record_version(ev.record_version());
        t.set_reason(Utf8Prefix(ev.reason(), 64));
        t.set_at_unix(std::time(nullptr));
        t.SerializeToString(&buf);
        wb.Put(kCases, TombKey(site_id, case_id), buf);
        ++withdrawn_delta;
      }
    } else if (ev.kind() == v1::CHANGE_KIND_PARKED) {
      ++parked;  // held at the site (its quarantine says why): nothing to apply
    } else {
      reject(ev, "unknown change kind");
    }
  }
  wb.Merge(kViews, kNationalView, EncodeCounters(deltas));
  st->set_applied_seq(batch.last_seq());
  st->set_digest(digest);
  st->set_cases(st->cases() + case_delta);
  st->set_withdrawn(st->withdrawn() + withdrawn_delta);
  st->set_rejected(st->rejected() + rejected);
  st->set_batches(st->batches() + 1);
  st->set_last_seen_unix(std::time(nullptr));
  st->clear_last_error();
  st->SerializeToString(&buf);
  wb.Put(kSites, site_id, buf);
  v1::AuditEntry audit = PrepareAuditLocked(
      {"site/" + site_id, "sync.apply", site_id, "OK",
       "seq " + std::to_string(std::max(applied + 1, batch.first_seq())) + ".." + std::to_string(batch.last_seq()) +
           ", " + std::to_string(batch.events_size()) + " events, " + std::to_string(rejected) + " rejected" +
           (parked > 0 ? ", " + std::to_string(parked) + " parked at the site" : "")});
  audit.SerializeToString(&buf);
  wb.Put(kAudit, EncodeU64(audit.seq()), buf);
  // The writer thread writes it (not synced: the group commit syncs). The
  // audit chain moves now: the next batch built chains to this entry.
  CommitAuditLocked(audit);
  result.applied_seq = batch.last_seq();
  auto write = wb.Take();
  write->generation = result.generation = ++queued_gen_;
  write->on_written = std::move(on_written);
  {
    std::lock_guard<std::mutex> plock(pending_mu_);
    pending_.push_back(std::move(write));
  }
  pending_cv_.notify_one();
  return result;
}

absl::StatusOr<ApplyResult> CentreStore::ApplyBatch(const std::string& site_id, const std::string& store_id,
                                                    const v1::Batch& batch) {
  auto queued = QueueBatch(site_id, store_id, batch);
  if (!queued.ok()) return queued.status();
  auto progress = WaitProgress(queued->generation, UINT64_MAX, std::chrono::hours(1));
  if (progress.failed) return absl::UnavailableError("apply batch: the store refused a write");
  return queued;
}

bool CentreStore::PendingLookup(int cf, const std::string& key, std::optional<std::string>* value) const {
  std::lock_guard<std::mutex> lock(pending_mu_);
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {  // the newest write wins
    auto found = (*it)->overlay.find({cf, key});
    if (found != (*it)->overlay.end()) {
      *value = found->second;
      return true;
    }
  }
  return false;
}

void CentreStore::WriterLoop() {
  std::unique_lock<std::mutex> lock(pending_mu_);
  while (true) {
    pending_cv_.wait(lock, [&] { return writer_stop_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, and everything queued is written
    std::shared_ptr<PendingWrite> w = pending_.front();
    lock.unlock();
    auto s = db_->Write(rocksdb::WriteOptions(), &w->batch);
    lock.lock();
    if (!s.ok()) {
      // Every queued batch was built on this one: none can be written now.
      write_failure_ = "the centre's store refused a write (" + s.ToString() + "); restart it once the cause is fixed";
      spdlog::error("{}", write_failure_);
      pending_.clear();
      written_cv_.notify_all();
      std::lock_guard<std::mutex> slock(sync_mu_);
      write_failed_ = true;
      durable_cv_.notify_all();
      continue;
    }
    if (w->on_written) w->on_written();
    // Written and visible: readers find it in the DB now, so it leaves the queue.
    pending_.pop_front();
    written_cv_.notify_all();
    NoteWritten(w->generation);
  }
}

void CentreStore::WaitQueueDrained() const {
  std::unique_lock<std::mutex> lock(pending_mu_);
  written_cv_.wait(lock, [&] { return pending_.empty(); });
}

absl::StatusOr<ViewCounts> CentreStore::ReadViews() const {
  std::string doc;
  auto s = db_->Get(rocksdb::ReadOptions(), cfs_[kViews], kNationalView, &doc);
  if (s.IsNotFound()) return ViewCounts();
  if (!s.ok()) return FromRocks(s, "read views");
  std::map<std::string, int64_t> sum;
  AddCounters(doc, &sum);
  ViewCounts out;
  for (const auto& [key, count] : sum) {
    if (count != 0) out[key] = count;
  }
  return out;
}

absl::StatusOr<ViewCounts> CentreStore::RecomputeViews() const {
  ViewCounts out;
  std::set<std::string> persons;
  auto cases = Cases("");
  if (!cases.ok()) return cases.status();
  for (const auto& c : *cases) {
    for (const auto& k : ViewKeys(c)) out[k] += 1;
    persons.insert(PersonKey(c));
  }
  if (!persons.empty()) out[PersonsViewKey()] = static_cast<int64_t>(persons.size());
  return out;
}

absl::StatusOr<std::vector<v1::Case>> CentreStore::Cases(const std::string& site_id) const {
  std::vector<v1::Case> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kCases]));
  std::string prefix = site_id.empty() ? "" : site_id + "/";
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().starts_with("~")) break;  // tombstones and staging sort after every site id
    v1::Case c;
    if (!c.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return absl::DataLossError("stored case does not parse");
    out.push_back(std::move(c));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan cases");
  return out;
}

absl::Status CentreStore::StageSnapshot(const std::string& site_id, const std::string& store_id, bool begin,
                                        const std::vector<v1::Case>& cases,
                                        std::vector<v1::Rejection>* rejections) {
  std::lock_guard<std::mutex> lock(apply_mu_);
  WaitQueueDrained();
  auto st = GetSite(site_id);
  if (!st.ok()) return st.status();
  if (!st->snapshot_pending() || st->store_id() != store_id)
    return absl::FailedPreconditionError("no snapshot was asked of store " + store_id + " for site " + site_id);
  rocksdb::WriteBatch b;
  const std::string prefix = "~s/" + site_id + "/";
  if (begin) {
    std::string end = prefix;
    end.back() = '0';  // '/' + 1: the end of the prefix range
    b.DeleteRange(cfs_[kCases], prefix, end);
  }
  std::string buf;
  for (const auto& c : cases) {
    auto errs = ValidateCase(c);
    if (c.site_id() != site_id) errs.push_back({"site_id", "names another site"});
    if (!errs.empty()) {
      v1::Rejection r;
      r.set_case_id(c.case_id());
      r.set_reason(FormatErrors(errs));
      rejections->push_back(std::move(r));
      continue;
    }
    c.SerializeToString(&buf);
    b.Put(cfs_[kCases], StageKey(site_id, c.case_id()), buf);
  }
  // Staging need not be synced: an unfinished snapshot is simply sent again.
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &b), "stage snapshot");
}

absl::StatusOr<v1::SnapshotAck> CentreStore::FinishSnapshot(const std::string& site_id, const std::string& store_id,
                                                            uint64_t as_of_seq) {
  std::lock_guard<std::mutex> lock(apply_mu_);
  WaitQueueDrained();
  auto st = GetSite(site_id);
  if (!st.ok()) return st.status();
  if (!st->snapshot_pending() || st->store_id() != store_id)
    return absl::FailedPreconditionError("no snapshot was asked of store " + store_id + " for site " + site_id);
  OverlayBatch wb(db_.get(), cfs_, nullptr);  // exclusive: nothing is queued
  rocksdb::ReadOptions ro;
  std::map<std::string, int64_t> deltas;
  std::string buf;
  // Old cases out (tombstoned when the snapshot lacks them), staged cases in.
  auto old_cases = Cases(site_id);
  if (!old_cases.ok()) return old_cases.status();
  std::map<std::string, v1::Case> staged;
  {
    const std::string prefix = "~s/" + site_id + "/";
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[kCases]));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      v1::Case c;
      if (!c.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
        return absl::DataLossError("staged case does not parse");
      staged[c.case_id()] = std::move(c);
      wb.Delete(kCases, it->key().ToString());
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scan staging");
  }
  v1::SnapshotAck ack;
  for (const auto& old : *old_cases) {
    for (const auto& k : ViewKeys(old)) deltas[k] -= 1;
    if (auto s = ChangePersonMembership(wb, PersonKey(old), site_id, old.case_id(), -1, &deltas); !s.ok()) return s;
    wb.Delete(kCases, CaseKey(site_id, old.case_id()));
    if (!staged.count(old.case_id())) {
      v1::Tombstone t;
      t.set_case_id(old.case_id());
      t.set_record_version(old.record_version());
      t.set_reason("REBASE");
      t.set_at_unix(std::time(nullptr));
      t.SerializeToString(&buf);
      wb.Put(kCases, TombKey(site_id, old.case_id()), buf);
      ack.set_removed(ack.removed() + 1);
    }
  }
  uint64_t digest = 0;
  int64_t count = 0;
  for (const auto& [id, c] : staged) {
    std::string tomb;
    if (db_->Get(ro, cfs_[kCases], TombKey(site_id, id), &tomb).ok()) continue;  // withdrawn stays withdrawn
    for (const auto& k : ViewKeys(c)) deltas[k] += 1;
    if (auto s = ChangePersonMembership(wb, PersonKey(c), site_id, id, +1, &deltas); !s.ok()) return s;
    c.SerializeToString(&buf);
    wb.Put(kCases, CaseKey(site_id, id), buf);
    digest += CaseDigestTerm(id, c.record_version());
    ++count;
  }
  wb.Merge(kViews, kNationalView, EncodeCounters(deltas));
  st->set_applied_seq(as_of_seq);
  st->set_cases(count);
  st->set_digest(digest);
  st->set_snapshot_pending(false);
  st->set_rebase_allowed(false);
  st->set_withdrawn(st->withdrawn() + ack.removed());
  st->set_last_seen_unix(std::time(nullptr));
  st->clear_last_error();
  st->SerializeToString(&buf);
  wb.Put(kSites, site_id, buf);
  v1::AuditEntry audit = PrepareAuditLocked({"site/" + site_id, "sync.snapshot", site_id, "OK",
                                             "store " + store_id + " as of seq " + std::to_string(as_of_seq) + ", " +
                                                 std::to_string(count) + " cases, " +
                                                 std::to_string(ack.removed()) + " removed"});
  audit.SerializeToString(&buf);
  wb.Put(kAudit, EncodeU64(audit.seq()), buf);
  if (auto s = db_->Write(SyncWrite(), wb.batch()); !s.ok()) return FromRocks(s, "finish snapshot");
  CommitAuditLocked(audit);
  ack.set_applied_seq(as_of_seq);
  ack.set_cases(count);
  return ack;
}

absl::Status CentreStore::CaseVersions(const std::string& site_id, std::vector<v1::CaseVersion>* cases,
                                       std::vector<v1::CaseVersion>* tombstones, uint64_t* applied_seq) const {
  // One RocksDB snapshot, so the list and the applied seq agree.
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  absl::Status status;
  std::string v;
  auto s = db_->Get(ro, cfs_[kSites], site_id, &v);
  v1::SiteState st;
  if (s.ok() && st.ParseFromString(v)) *applied_seq = st.applied_seq();
  else *applied_seq = 0;
  auto scan = [&](const std::string& prefix, bool tomb, std::vector<v1::CaseVersion>* out) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[kCases]));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      v1::CaseVersion cv;
      if (tomb) {
        v1::Tombstone t;
        if (!t.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) continue;
        cv.set_case_id(t.case_id());
        cv.set_record_version(t.record_version());
      } else {
        v1::Case c;
        if (!c.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
          status = absl::DataLossError("stored case does not parse");
          return;
        }
        cv.set_case_id(c.case_id());
        cv.set_record_version(c.record_version());
      }
      out->push_back(std::move(cv));
    }
    if (!it->status().ok()) status = FromRocks(it->status(), "scan for reconciliation");
  };
  scan(site_id + "/", false, cases);
  if (status.ok()) scan("~t/" + site_id + "/", true, tombstones);
  db_->ReleaseSnapshot(snap);
  return status;
}

absl::Status CentreStore::RecordReconcileReport(const std::string& site_id, const v1::ReconcileReport& report) {
  std::lock_guard<std::mutex> lock(apply_mu_);
  WaitQueueDrained();
  auto st = GetSite(site_id);
  if (!st.ok()) return st.status();
  *st->mutable_last_reconcile() = report;
  st->set_last_reconcile_unix(std::time(nullptr));
  std::string v;
  st->SerializeToString(&v);
  return FromRocks(db_->Put(SyncWrite(), cfs_[kSites], site_id, v), "record reconciliation report");
}

namespace {
std::string AuditHash(const v1::AuditEntry& entry) {
  v1::AuditEntry copy = entry;
  copy.clear_hash();
  std::string bytes;
  copy.SerializeToString(&bytes);
  return crypto::ToHex(crypto::Sha256(entry.prev_hash() + bytes));
}
}  // namespace

v1::AuditEntry CentreStore::PrepareAuditLocked(const AuditEvent& event) {
  v1::AuditEntry e;
  e.set_seq(audit_seq_ + 1);
  e.set_at_unix_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count());
  e.set_who(Utf8Prefix(event.who, 128));
  e.set_action(Utf8Prefix(event.action, 64));
  e.set_target(Utf8Prefix(event.target, 128));
  e.set_outcome(Utf8Prefix(event.outcome, 32));
  e.set_detail(Utf8Prefix(event.detail, 512));
  e.set_prev_hash(audit_head_);
  e.set_hash(AuditHash(e));
  return e;
}

void CentreStore::CommitAuditLocked(const v1::AuditEntry& entry) {
  audit_seq_ = entry.seq();
  audit_head_ = entry.hash();
}

absl::Status CentreStore::Audit(const AuditEvent& event) {
  std::lock_guard<std::mutex> lock(apply_mu_);
  WaitQueueDrained();
  v1::AuditEntry e = PrepareAuditLocked(event);
  std::string buf;
  e.SerializeToString(&buf);
  auto s = db_->Put(SyncWrite(), cfs_[kAudit], EncodeU64(e.seq()), buf);
  if (!s.ok()) return FromRocks(s, "append audit entry");
  CommitAuditLocked(e);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::AuditEntry>> CentreStore::ListAudit(uint64_t from_seq, size_t limit,
                                                                  uint64_t* last_seq) const {
  std::vector<v1::AuditEntry> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kAudit]));
  it->SeekToLast();
  *last_seq = it->Valid() ? DecodeU64(it->key().ToStringView()) : 0;
  if (from_seq == 0) from_seq = *last_seq > limit ? *last_seq - limit + 1 : 1;
  for (it->Seek(EncodeU64(from_seq)); it->Valid() && out.size() < limit; it->Next()) {
    v1::AuditEntry e;
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return absl::DataLossError("audit entry does not parse");
    out.push_back(std::move(e));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read audit");
  return out;
}

AuditVerification CentreStore::VerifyAudit() const {
  AuditVerification v;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kAudit]));
  std::string prev;
  uint64_t expect = 1;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expect) {
    uint64_t key_seq = DecodeU64(it->key().ToStringView());
    v1::AuditEntry e;
    auto fail = [&](const std::string& why) {
      v.ok = false;
      v.first_bad_seq = key_seq;
      v.reason = why;
    };
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) fail("does not parse");
    else if (key_seq != expect) fail("missing entry: expected seq " + std::to_string(expect));
    else if (e.seq() != key_seq) fail("seq field " + std::to_string(e.seq()) + " differs from its key");
    else if (e.prev_hash() != prev) fail("prev_hash does not match the hash of entry " + std::to_string(key_seq - 1));
    else if (AuditHash(e) != e.hash()) fail("content does not match its hash (entry altered)");
    if (!v.ok) return v;
    prev = e.hash();
    ++v.entries;
  }
  v.head_hash = prev;
  return v;
}

absl::Status CentreStore::OverwriteAuditEntryForTest(const v1::AuditEntry& entry) {
  std::string buf;
  entry.SerializeToString(&buf);
  return FromRocks(db_->Put(SyncWrite(), cfs_[kAudit], EncodeU64(entry.seq()), buf), "overwrite audit entry");
}

absl::StatusOr<bool> CentreStore::IsTombstoned(const std::string& site_id, const std::string& case_id) const {
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), cfs_[kCases], TombKey(site_id, case_id), &v);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromRocks(s, "read tombstone");
  return true;
}

}  // namespace fedreg::server
