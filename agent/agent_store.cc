#include "agent/agent_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <set>

#include "common/batch_codec.h"
#include "common/crypto.h"
#include "common/disk_space.h"
#include "agent/agent_store_layout.h"
#include "agent/person_index.h"
#include "common/rocks_util.h"

namespace fedreg::agent {
namespace {

}  // namespace

AgentStore::~AgentStore() {
  if (db_) {
    for (auto* cf : cfs_) db_->DestroyColumnFamilyHandle(cf);
    db_->Close();
  }
}

absl::StatusOr<std::unique_ptr<AgentStore>> AgentStore::Open(const AgentStoreOptions& options) {
  std::unique_ptr<AgentStore> store(new AgentStore());
  store->cache_ = rocksdb::NewLRUCache(options.block_cache_bytes);
  // Writes stall above the memtable budget, so memory stays bounded whatever the backlog.
  // Below about 1 MiB per column family the stalling WriteBufferManager can
  // stall the very first write forever.
  const size_t budget = std::max<size_t>(options.write_buffer_budget_bytes, 8 << 20);
  store->wbm_ = std::make_shared<rocksdb::WriteBufferManager>(budget, /*cache=*/nullptr, /*allow_stall=*/true);
  rocksdb::DBOptions dbo = BaseDbOptions(store->wbm_);
  // 16 KiB blocks: the outbox is read in sequence, and a quarter of the index
  // entries keeps a million-change backlog's footprint small.
  // Each column family's memtable flushes on its own at a quarter of the
  // budget: with 4 MiB memtables under an 8 MiB budget, two column families
  // just under their own trigger filled the budget while the manager's
  // flush trigger (mutable memory above 7/8 of it) was not reached, and
  // writes stalled forever with the flush pool idle (facebook/rocksdb#11780;
  // seen on a 20,000-row import).
  const size_t memtable = budget / 4;
  rocksdb::ColumnFamilyOptions cfo = PointLookupCfOptions(store->cache_, memtable, 16 << 10);
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (size_t i = 0; i < kCfCount; ++i) {
    // The outbox is only ever read in sequence: bloom filters would be memory for nothing.
    descs.emplace_back(kCfNames[i], i == kOutbox ? PointLookupCfOptions(store->cache_, memtable, 16 << 10,
                                                                        /*bloom_filters=*/false)
                                                 : cfo);
  }
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(dbo, options.path, descs, &store->cfs_, &raw);
  if (!s.ok()) return FromRocks(s, "open agent store " + options.path);
  store->db_.reset(raw);

  auto get_meta = [&](const char* key, std::string* v) {
    auto st = store->db_->Get(rocksdb::ReadOptions(), store->cfs_[kMeta], key, v);
    if (st.IsNotFound()) v->clear();
    return st.IsNotFound() ? rocksdb::Status::OK() : st;
  };
  std::string v;
  if (auto st = get_meta("store_id", &v); !st.ok()) return FromRocks(st, "read meta");
  if (v.empty()) {
    auto id = crypto::RandomBytes(16);
    if (!id.ok()) return id.status();
    v = crypto::ToHex(*id);
    rocksdb::WriteBatch b;
    b.Put(store->cfs_[kMeta], "store_id", v);
    b.Put(store->cfs_[kMeta], "schema_version", std::to_string(kSchemaVersion));
    if (auto st = store->db_->Write(SyncWrite(), &b); !st.ok()) return FromRocks(st, "init meta");
  }
  store->store_id_ = v;
  store->path_ = options.path;
  store->min_free_bytes_ = options.min_free_bytes;
  std::lock_guard<std::mutex> lock(store->count_mu_);
  std::lock_guard<std::mutex> wlock(store->write_mu_);
  if (auto st = get_meta("next_seq", &v); !st.ok()) return FromRocks(st, "read meta");
  store->next_seq_ = v.empty() ? 1 : ParseU64(v);
  if (auto st = get_meta("acked_seq", &v); !st.ok()) return FromRocks(st, "read meta");
  store->acked_seq_ = ParseU64(v);
  if (auto st = get_meta("cases", &v); !st.ok()) return FromRocks(st, "read meta");
  store->cases_ = static_cast<int64_t>(ParseU64(v));
  if (auto st = get_meta("quarantined", &v); !st.ok()) return FromRocks(st, "read meta");
  store->quarantined_ = static_cast<int64_t>(ParseU64(v));
  store->next_quarantine_id_ = static_cast<uint64_t>(store->quarantined_) + 1;
  if (auto st = get_meta("rejected", &v); !st.ok()) return FromRocks(st, "read meta");
  store->rejected_ = static_cast<int64_t>(ParseU64(v));
  if (auto st = get_meta("notice_cursor", &v); !st.ok()) return FromRocks(st, "read meta");
  store->notice_cursor_ = ParseU64(v);
  if (auto st = store->Migrate(); !st.ok()) return st;
  if (auto st = get_meta("quarantine_open", &v); !st.ok()) return FromRocks(st, "read meta");
  store->quarantine_open_ = static_cast<int64_t>(ParseU64(v));
  return store;
}

uint64_t AgentStore::highest_seq() const {
  std::lock_guard<std::mutex> lock(count_mu_);
  return next_seq_ - 1;
}
uint64_t AgentStore::acked_seq() const {
  std::lock_guard<std::mutex> lock(count_mu_);
  return acked_seq_;
}
int64_t AgentStore::case_count() const {
  std::lock_guard<std::mutex> lock(count_mu_);
  return cases_;
}
int64_t AgentStore::quarantined_count() const {
  std::lock_guard<std::mutex> lock(count_mu_);
  return quarantined_;
}
int64_t AgentStore::rejected_count() const {
  std::lock_guard<std::mutex> lock(count_mu_);
  return rejected_;
}

absl::StatusOr<std::optional<std::string>> AgentStore::GetReid(const std::string& reid_key) const {
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), cfs_[kReid], reid_key, &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "read reid");
  return std::optional<std::string>(std::move(v));
}

absl::StatusOr<std::optional<std::string>> AgentStore::ReidKeyForCase(const std::string& case_id) const {
  return GetReid("c" + case_id);
}

absl::StatusOr<std::optional<v1::Case>> AgentStore::GetCase(const std::string& case_id) const {
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), cfs_[kCases], case_id, &v);
  if (s.IsNotFound()) return std::optional<v1::Case>();
  if (!s.ok()) return FromRocks(s, "read case");
  v1::Case c;
  if (!c.ParseFromString(v)) return absl::DataLossError("stored case " + case_id + " does not parse");
  return std::optional<v1::Case>(std::move(c));
}

absl::Status AgentStore::Commit(const std::vector<Change>& changes,
                                const std::vector<v1::QuarantineEntry>& quarantined) {
  if (changes.empty() && quarantined.empty()) return absl::OkStatus();
  std::lock_guard<std::mutex> wlock(write_mu_);
  return CommitLocked(changes, quarantined);
}

absl::Status AgentStore::CommitLocked(const std::vector<Change>& changes,
                                      const std::vector<v1::QuarantineEntry>& quarantined) {
  if (!write_failure_.empty()) return absl::UnavailableError(write_failure_);
  if (auto s = CheckFreeSpace(path_, min_free_bytes_, "an import"); !s.ok()) return s;
  uint64_t seq;
  int64_t cases, quarantined_total, open_total;
  {
    std::lock_guard<std::mutex> lock(count_mu_);
    seq = next_seq_;
    cases = cases_;
    quarantined_total = quarantined_;
    open_total = quarantine_open_;
  }
  rocksdb::WriteBatch b;
  std::string buf;
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  // The person-token index follows each case: the token a case had before
  // this write (from this batch when it changed earlier in it, else stored),
  // and each touched token's list of live cases, written once at the end.
  std::map<std::string, std::string> token_in_batch;
  std::map<std::string, std::set<std::string>> persons;
  auto token_before = [&](const std::string& case_id) -> absl::StatusOr<std::string> {
    if (auto it = token_in_batch.find(case_id); it != token_in_batch.end()) return it->second;
    auto old = GetCase(case_id);
    if (!old.ok()) return old.status();
    const std::optional<v1::Case>& stored = *old;
    return stored ? PersonTokenOf(*stored) : std::string();
  };
  auto cases_of = [&](const std::string& token) -> absl::StatusOr<std::set<std::string>*> {
    auto it = persons.find(token);
    if (it != persons.end()) return &it->second;
    std::string v;
    auto st = db_->Get(rocksdb::ReadOptions(), cfs_[kReid], PersonIndexKey(token), &v);
    if (!st.ok() && !st.IsNotFound()) return FromRocks(st, "read the person index");
    return &persons.emplace(token, SplitCaseIds(v)).first->second;
  };
  auto reindex = [&](const std::string& case_id, const std::string& before,
                     const std::string& after) -> absl::Status {
    if (before == after) return absl::OkStatus();
    for (const auto& [token, add] : {std::pair{before, false}, std::pair{after, true}}) {
      if (token.empty()) continue;
      auto ids = cases_of(token);
      if (!ids.ok()) return ids.status();
      if (add) (*ids)->insert(case_id);
      else (*ids)->erase(case_id);
    }
    token_in_batch[case_id] = after;
    return absl::OkStatus();
  };
  for (const Change& ch : changes) {
    v1::ChangeEvent ev;
    ev.set_seq(seq);
    ev.set_committed_unix_us(now_us);
    ev.set_kind(ch.kind);
    if (ch.kind == v1::CHANGE_KIND_UPSERT) {
      ev.set_case_id(ch.case_record.case_id());
      ev.set_record_version(ch.case_record.record_version());
      if (ch.new_case) ++cases;
      std::string before;
      if (!ch.new_case || token_in_batch.count(ch.case_record.case_id()) > 0) {
        auto t = token_before(ch.case_record.case_id());
        if (!t.ok()) return t.status();
        before = *t;
      }
      if (auto r = reindex(ch.case_record.case_id(), before, PersonTokenOf(ch.case_record)); !r.ok()) return r;
      ch.case_record.SerializeToString(&buf);
      b.Put(cfs_[kCases], ch.case_record.case_id(), buf);
      // The event holds the case: its bytes are appended as field `case`
      // (a proto parser takes fields in any order) instead of copying the
      // case into the event and serialising it a second time.
      std::string event_bytes;
      ev.SerializeToString(&event_bytes);
      {
        google::protobuf::io::StringOutputStream sink(&event_bytes);
        google::protobuf::io::CodedOutputStream out(&sink);
        out.WriteTag((v1::ChangeEvent::kCaseFieldNumber << 3) | 2);  // wire type 2: length-delimited
        out.WriteVarint32(static_cast<uint32_t>(buf.size()));
        out.WriteRaw(buf.data(), static_cast<int>(buf.size()));
      }
      b.Put(cfs_[kOutbox], EncodeU64(seq), event_bytes);
    } else if (ch.kind == v1::CHANGE_KIND_REFERRAL) {
      ev.set_case_id(ch.referral.case_id());
      *ev.mutable_referral() = ch.referral;
      ch.notice.SerializeToString(&buf);
      b.Put(cfs_[kNotices], NoticeRecordKey(ch.notice.case_id(), ch.notice.trial_id()), buf);
    } else {
      ev.set_case_id(ch.case_id);
      ev.set_record_version(ch.record_version);
      ev.set_reason(ch.reason);
      b.Delete(cfs_[kCases], ch.case_id);
      if (ch.case_present) {
        --cases;
        auto t = token_before(ch.case_id);
        if (!t.ok()) return t.status();
        if (auto r = reindex(ch.case_id, *t, ""); !r.ok()) return r;
      }
      if (auto s = CancelNotices(ch.case_id, &b); !s.ok()) return s;
    }
    if (!ch.reid_value.empty()) {
      b.Put(cfs_[kReid], ch.reid_key, ch.reid_value);
      b.Put(cfs_[kReid], "c" + ev.case_id(), ch.reid_key);
    }
    if (ch.kind != v1::CHANGE_KIND_UPSERT) {
      ev.SerializeToString(&buf);
      b.Put(cfs_[kOutbox], EncodeU64(seq), buf);
    }
    ++seq;
  }
  for (const auto& [token, ids] : persons) {
    if (ids.empty()) b.Delete(cfs_[kReid], PersonIndexKey(token));
    else b.Put(cfs_[kReid], PersonIndexKey(token), JoinCaseIds(ids));
  }
  uint64_t qid = next_quarantine_id_;
  for (const auto& q : quarantined) {
    q.SerializeToString(&buf);
    b.Put(cfs_[kQuarantine], EncodeU64(qid++), buf);
  }
  quarantined_total += static_cast<int64_t>(quarantined.size());
  open_total += static_cast<int64_t>(quarantined.size());
  b.Put(cfs_[kMeta], "next_seq", std::to_string(seq));
  b.Put(cfs_[kMeta], "cases", std::to_string(cases));
  b.Put(cfs_[kMeta], "quarantined", std::to_string(quarantined_total));
  if (!quarantined.empty()) b.Put(cfs_[kMeta], "quarantine_open", std::to_string(open_total));
  auto s = db_->Write(SyncWrite(), &b);
  if (!s.ok()) {
    write_failure_ = "the store refused a write (" + s.ToString() + "); restart the agent once the cause is fixed";
    return FromRocks(s, "commit import");
  }
  next_quarantine_id_ = qid;
  const int64_t done_us = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  {
    std::lock_guard<std::mutex> lock(count_mu_);
    next_seq_ = seq;
    cases_ = cases;
    quarantined_ = quarantined_total;
    quarantine_open_ = open_total;
    if (!changes.empty()) {
      recent_commits_.push_back({seq - changes.size(), seq - 1, done_us});
      if (recent_commits_.size() > kRecentCommits) recent_commits_.pop_front();
    }
  }
  work_cv_.notify_all();
  return absl::OkStatus();
}

absl::Status AgentStore::MoveReid(const std::string& from_key, const std::string& to_key, const std::string& sealed,
                                  const std::string& case_id) {
  std::lock_guard<std::mutex> wlock(write_mu_);
  if (!write_failure_.empty()) return absl::UnavailableError(write_failure_);
  rocksdb::WriteBatch b;
  b.Delete(cfs_[kReid], from_key);
  b.Put(cfs_[kReid], to_key, sealed);
  b.Put(cfs_[kReid], "c" + case_id, to_key);
  auto s = db_->Write(SyncWrite(), &b);
  if (!s.ok()) {
    write_failure_ = "the store refused a write (" + s.ToString() + "); restart the agent once the cause is fixed";
    return FromRocks(s, "re-key a record number");
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> AgentStore::WalkOutbox(
    uint64_t from_seq, size_t max_events, size_t max_bytes,
    const std::function<absl::Status(uint64_t, std::string_view)>& take) const {
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[kOutbox]));
  // Counted as framed in a Batch: the centre's limit is on the Batch.
  size_t bytes = kBatchRangeFramingBytes, events = 0;
  uint64_t expect = from_seq;
  for (it->Seek(EncodeU64(from_seq)); it->Valid(); it->Next()) {
    uint64_t seq = DecodeU64(it->key().ToStringView());
    if (seq != expect) {
      if (events == 0)
        return absl::DataLossError("outbox gap: expected seq " + std::to_string(expect) + ", found " +
                                   std::to_string(seq));
      break;
    }
    const size_t framed = it->value().size() + kBatchEventFramingBytes;
    if (events > 0 && (events >= max_events || bytes + framed > max_bytes)) break;
    if (auto s = take(seq, it->value().ToStringView()); !s.ok()) return s;
    bytes += framed;
    ++events;
    ++expect;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read outbox");
  return expect;
}

std::vector<int64_t> AgentStore::CommitTimes(uint64_t first, size_t n) const {
  // Completion times of recent commits replace the stamps taken before their write.
  std::vector<int64_t> done(n, 0);
  std::lock_guard<std::mutex> lock(count_mu_);
  auto c = std::lower_bound(recent_commits_.begin(), recent_commits_.end(), first,
                            [](const CommitTime& e, uint64_t s) { return e.last_seq < s; });
  for (size_t i = 0; i < n; ++i) {
    const uint64_t seq = first + i;
    while (c != recent_commits_.end() && c->last_seq < seq) ++c;
    if (c == recent_commits_.end()) break;
    if (seq >= c->first_seq) done[i] = c->done_us;
  }
  return done;
}

absl::Status AgentStore::ReadOutbox(uint64_t from_seq, size_t max_events, size_t max_bytes,
                                    v1::Batch* batch) const {
  batch->Clear();
  auto end = WalkOutbox(from_seq, max_events, max_bytes, [&](uint64_t seq, std::string_view value) {
    if (!batch->add_events()->ParseFromArray(value.data(), static_cast<int>(value.size())))
      return absl::DataLossError("outbox entry " + std::to_string(seq) + " does not parse");
    return absl::OkStatus();
  });
  if (!end.ok()) return end.status();
  if (batch->events_size() > 0) {
    batch->set_first_seq(from_seq);
    batch->set_last_seq(*end - 1);
    const auto done = CommitTimes(from_seq, static_cast<size_t>(batch->events_size()));
    for (size_t i = 0; i < done.size(); ++i)
      if (done[i] > 0) batch->mutable_events(static_cast<int>(i))->set_committed_unix_us(done[i]);
  }
  return absl::OkStatus();
}

absl::Status AgentStore::ReadOutboxBytes(uint64_t from_seq, size_t max_events, size_t max_bytes,
                                         OutboxBytes* out) const {
  out->batch.clear();
  out->events = 0;
  // The entries are copied out first: the stamps are looked up under
  // count_mu_, which the iterator is not held across.
  std::string values;
  std::vector<size_t> ends;
  auto end = WalkOutbox(from_seq, max_events, max_bytes, [&](uint64_t, std::string_view value) {
    values.append(value);
    ends.push_back(values.size());
    return absl::OkStatus();
  });
  if (!end.ok()) return end.status();
  if (ends.empty()) return absl::OkStatus();
  out->first_seq = from_seq;
  out->last_seq = *end - 1;
  out->events = ends.size();
  const auto done = CommitTimes(from_seq, ends.size());
  out->batch.reserve(values.size() + 16 * ends.size() + 24);
  size_t begin = 0;
  for (size_t i = 0; i < ends.size(); ++i) {
    AppendBatchEvent(std::string_view(values).substr(begin, ends[i] - begin), done[i], &out->batch);
    begin = ends[i];
  }
  AppendBatchRange(out->first_seq, out->last_seq, &out->batch);
  return absl::OkStatus();
}

absl::Status AgentStore::Acknowledge(uint64_t seq, const std::vector<v1::QuarantineEntry>& rejected) {
  std::lock_guard<std::mutex> wlock(write_mu_);
  if (!write_failure_.empty()) return absl::UnavailableError(write_failure_);
  // Acknowledgements shrink the outbox: allowed down to a quarter of the import reserve.
  if (auto s = CheckFreeSpace(path_, min_free_bytes_ / 4, "recording an acknowledgement"); !s.ok()) return s;
  uint64_t acked, highest;
  int64_t quarantined_total, rejected_total, open_total;
  {
    std::lock_guard<std::mutex> lock(count_mu_);
    acked = acked_seq_;
    highest = next_seq_ - 1;
    quarantined_total = quarantined_;
    open_total = quarantine_open_;
    rejected_total = rejected_;
  }
  if (seq > highest)
    return absl::FailedPreconditionError("centre acknowledged seq " + std::to_string(seq) +
                                         " beyond this store's highest " + std::to_string(highest));
  if (seq <= acked && rejected.empty()) return absl::OkStatus();
  rocksdb::WriteBatch b;
  std::string buf;
  uint64_t qid = next_quarantine_id_;
  for (const auto& q : rejected) {
    q.SerializeToString(&buf);
    b.Put(cfs_[kQuarantine], EncodeU64(qid++), buf);
    // The case itself stays in `cases`, so a corrected re-import becomes an update.
  }
  quarantined_total += static_cast<int64_t>(rejected.size());
  rejected_total += static_cast<int64_t>(rejected.size());
  open_total += static_cast<int64_t>(rejected.size());
  if (!rejected.empty()) b.Put(cfs_[kMeta], "quarantine_open", std::to_string(open_total));
  uint64_t new_acked = std::max(acked, seq);
  b.Put(cfs_[kMeta], "acked_seq", std::to_string(new_acked));
  b.Put(cfs_[kMeta], "quarantined", std::to_string(quarantined_total));
  b.Put(cfs_[kMeta], "rejected", std::to_string(rejected_total));
  // Point deletes for the usual small step: thousands of range tombstones
  // (one per ack) would slow every outbox read and hold memory until
  // compaction. A large jump (after a snapshot) takes one DeleteRange.
  if (new_acked > acked) {
    if (new_acked - acked <= 10000) {
      for (uint64_t s = acked + 1; s <= new_acked; ++s) b.Delete(cfs_[kOutbox], EncodeU64(s));
    } else {
      b.DeleteRange(cfs_[kOutbox], EncodeU64(0), EncodeU64(new_acked + 1));
    }
  }
  // An acknowledgement alone is not synced: if a machine crash loses it, the
  // agent re-sends what the centre already holds, which the centre skips. A
  // centre rejection is synced: the centre will not report it again.
  auto s = db_->Write(rejected.empty() ? rocksdb::WriteOptions() : SyncWrite(), &b);
  if (!s.ok()) {
    write_failure_ = "the store refused a write (" + s.ToString() + "); restart the agent once the cause is fixed";
    return FromRocks(s, "acknowledge");
  }
  next_quarantine_id_ = qid;
  std::lock_guard<std::mutex> lock(count_mu_);
  acked_seq_ = new_acked;
  quarantined_ = quarantined_total;
  rejected_ = rejected_total;
  quarantine_open_ = open_total;
  return absl::OkStatus();
}

int64_t AgentStore::OldestUnackedUnixMs() const {
  uint64_t from = acked_seq() + 1;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kOutbox]));
  it->Seek(EncodeU64(from));
  if (!it->Valid()) return 0;
  v1::ChangeEvent ev;
  if (!ev.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) return 0;
  return ev.committed_unix_us() / 1000;
}

absl::Status AgentStore::FlushMemtables() {
  rocksdb::FlushOptions fo;
  fo.wait = true;
  return FromRocks(db_->Flush(fo, cfs_), "flush the memtables");
}

void AgentStore::WaitForWork(uint64_t after_seq, int timeout_ms) const {
  std::unique_lock<std::mutex> lock(count_mu_);
  uint64_t epoch = wake_epoch_;
  work_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                    [&] { return next_seq_ - 1 > after_seq || wake_epoch_ != epoch; });
}

void AgentStore::Wake() const {
  {
    std::lock_guard<std::mutex> lock(count_mu_);
    ++wake_epoch_;
  }
  work_cv_.notify_all();
}

absl::Status AgentStore::ScanCases(const std::function<void(const v1::Case&)>& fn, uint64_t* as_of_seq) const {
  // The seq counter is written in the same WriteBatch as the cases, so reading
  // both under one RocksDB snapshot gives a consistent pair.
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  std::string v;
  auto s = db_->Get(ro, cfs_[kMeta], "next_seq", &v);
  *as_of_seq = s.ok() ? ParseU64(v) - 1 : 0;
  absl::Status status;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[kCases]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::Case c;
    if (!c.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      status = absl::DataLossError("stored case does not parse");
      break;
    }
    fn(c);
  }
  if (status.ok() && !it->status().ok()) status = FromRocks(it->status(), "scan cases");
  it.reset();
  db_->ReleaseSnapshot(snap);
  return status;
}

absl::StatusOr<std::string> AgentStore::FindPersonCase(const std::string& token) const {
  std::string v;
  auto st = db_->Get(rocksdb::ReadOptions(), cfs_[kReid], PersonIndexKey(token), &v);
  if (st.IsNotFound()) return std::string();
  if (!st.ok()) return FromRocks(st, "read the person index");
  const std::set<std::string> ids = SplitCaseIds(v);
  return ids.empty() ? std::string() : *ids.begin();
}

absl::StatusOr<bool> AgentStore::HoldsPersonTokenPrefix(const std::string& prefix) const {
  const std::string key = PersonIndexKey(prefix);  // every token starting with `prefix`
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kReid]));
  it->Seek(key);
  if (!it->status().ok()) return FromRocks(it->status(), "read the person index");
  return it->Valid() && it->key().starts_with(key);
}

absl::StatusOr<std::vector<v1::Case>> AgentStore::AllCases() const {
  std::vector<v1::Case> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kCases]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::Case c;
    if (!c.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return absl::DataLossError("stored case does not parse");
    out.push_back(std::move(c));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan cases");
  return out;
}

absl::StatusOr<std::vector<v1::QuarantineEntry>> AgentStore::Quarantine(size_t limit) const {
  std::vector<v1::QuarantineEntry> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kQuarantine]));
  for (it->SeekToFirst(); it->Valid() && out.size() < limit; it->Next()) {
    v1::QuarantineEntry q;
    if (!q.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return absl::DataLossError("quarantine entry does not parse");
    out.push_back(std::move(q));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan quarantine");
  return out;
}

}  // namespace fedreg::agent
