// The centre store's owner: opening and closing RocksDB, the sites' states
// and Hello decisions, reads of cases and views, and the audit entry points.
// The other jobs of the class live beside it (server/centre_store.h says
// where).
#include "server/centre_store.h"

#include <filesystem>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_buffer_manager.h>

#include <algorithm>
#include <ctime>
#include <set>

#include "common/rocks_util.h"
#include "common/schema_version.h"
#include "common/thread_name.h"
#include "common/utf8.h"
#include "server/centre_layout.h"
#include "server/overlay_batch.h"
#include "server/view_document.h"
#include "server/views.h"

namespace fedreg::server {

CentreStore::~CentreStore() {
  if (rematcher_.joinable()) {  // a background pass resumes from its last chunk after a restart
    {
      std::lock_guard<std::mutex> lock(rematch_mu_);
      rematch_stop_ = true;
    }
    rematch_cv_.notify_all();
    rematcher_.join();
  }
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
      cfo.merge_operator = NewViewMergeOperator();
      // Past this many operands in the memtable, a write folds them into one
      // value, so a read of the view never sums more than this many.
      cfo.max_successive_merges = 64;
    }
    descs.emplace_back(kCfNames[i], cfo);
  }
  const bool new_store = !std::filesystem::exists(options.path + "/CURRENT");
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(dbo, options.path, descs, &store->cfs_, &raw);
  if (!s.ok()) return FromRocks(s, "open centre store " + options.path);
  store->db_.reset(raw);
  store->path_ = options.path;
  if (auto s = store->Migrate(new_store); !s.ok()) return s;
  if (auto s = store->audit_.Load(store->db_.get(), store->cfs_[kAudit]); !s.ok()) return s;
  store->min_free_bytes_ = options.min_free_bytes;
  store->syncer_ = std::thread([raw_store = store.get()] {
    NameThisThread("fedreg-wal-sync");
    SkipRocksPerfCounters();
    raw_store->GroupCommitLoop();
  });
  store->writer_ = std::thread([raw_store = store.get()] {
    NameThisThread("fedreg-writer");
    SkipRocksPerfCounters();
    raw_store->WriterLoop();
  });
  if (auto s = store->LoadMatchIndex(); !s.ok()) return s;
  if (auto s = store->CountOpenMatches(); !s.ok()) return s;
  store->rematcher_ = std::thread([raw_store = store.get()] {
    NameThisThread("fedreg-rematch");
    SkipRocksPerfCounters();
    raw_store->RematchLoop();
  });
  return store;
}

absl::Status CentreStore::Migrate(bool new_store) {
  if (new_store)
    return FromRocks(db_->Put(SyncWrite(), cfs_[kDefault], "schema_version", std::to_string(kSchemaVersion)),
                     "write schema_version");
  std::string v;
  auto st = db_->Get(rocksdb::ReadOptions(), cfs_[kDefault], "schema_version", &v);
  if (!st.ok() && !st.IsNotFound()) return FromRocks(st, "read schema_version");
  const uint32_t on_disk = v.empty() ? 1 : static_cast<uint32_t>(std::stoul(v));
  std::vector<SchemaStep> steps;
  steps.push_back({2, "record the schema version (no data changes)", [this] {
                     return FromRocks(db_->Put(SyncWrite(), cfs_[kDefault], "schema_version", "2"),
                                      "write schema_version");
                   }});
  return MigrateSchema("centre store " + path_, "fedreg-aggregator", on_disk, kSchemaVersion, steps);
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
                                                             uint64_t agent_highest_seq, uint64_t agent_acked_seq,
                                                             uint64_t agent_notice_cursor,
                                                             const std::string& agent_version,
                                                             uint32_t agent_schema) {
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
    // An agent we acknowledged, at a centre that never heard of its site:
    // this centre was restored from a backup taken before the site's first
    // Hello. Its outbox is trimmed: only a snapshot can bring its cases.
    d.snapshot_required = agent_acked_seq > 0;
  } else {
    d.state = *st;
  }
  // Kept in every copy of the state (the session's too, which later writes carry).
  d.state.set_agent_version(agent_version);
  d.state.set_agent_schema(agent_schema);
  const bool has_data = st.ok() && (st->applied_seq() > 0 || st->cases() > 0);
  const bool same_store = !st.ok() || st->store_id() == store_id;
  if (!st.ok()) {
    // registered above
  } else if (same_store && st->snapshot_pending()) {
    d.snapshot_required = true;
  } else if (same_store && agent_highest_seq < st->applied_seq()) {
    if (!st->rebase_allowed()) {
      d.state.set_identity_refusals(d.state.identity_refusals() + 1);
      d.state.set_last_error("store " + store_id + " holds seq " + std::to_string(agent_highest_seq) +
                             " but the centre applied " + std::to_string(st->applied_seq()) + ": agent lost data");
      save(d.state).IgnoreError();
      return absl::FailedPreconditionError(
          "this agent's store holds up to seq " + std::to_string(agent_highest_seq) + " but the centre applied " +
          std::to_string(st->applied_seq()) + " from it: the agent lost data (its store restored from a backup, or reset?). An operator must run 'fedregctl sites "
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
  // A centre restored from an older backup counts notice seqs from below
  // what the agent stored; a notice made there would look like a replay to
  // it and be skipped. Move the counter up first (before any apply of this
  // session can make one). Made notices at or below the cursor that the
  // agent stored are the backup's own, with the same seqs.
  uint64_t made = 0;
  std::string made_v;
  if (db_->Get(rocksdb::ReadOptions(), cfs_[kNotices], NoticeCounterKey(site_id), &made_v).ok())
    made = DecodeU64(made_v);
  rocksdb::WriteBatch wb;
  std::string v;
  d.state.SerializeToString(&v);
  wb.Put(cfs_[kSites], site_id, v);
  const bool raise_notices = agent_notice_cursor > made;
  if (raise_notices) wb.Put(cfs_[kNotices], NoticeCounterKey(site_id), EncodeU64(agent_notice_cursor));
  if (auto s = db_->Write(SyncWrite(), &wb); !s.ok()) return FromRocks(s, "save site state");
  // The synced save made every earlier apply durable: the applied seq this
  // answer gives (which the agent may trim up to) is durable.
  NoteSyncedWrite();
  if (raise_notices) NoteNoticesDurable({{site_id, agent_notice_cursor}});
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
  auto s = ForEachCase(site_id, [&](const v1::Case& c) {
    out.push_back(c);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::Status CentreStore::ForEachCase(const std::string& site_id,
                                      const std::function<absl::Status(const v1::Case&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kCases]));
  std::string prefix = site_id.empty() ? "" : site_id + "/";
  v1::Case c;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().starts_with("~")) break;  // tombstones and staging sort after every site id
    if (!c.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return absl::DataLossError("stored case " + it->key().ToString() + " does not parse");
    if (auto s = fn(c); !s.ok()) return s;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan cases");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::vector<std::pair<std::string, std::string>>>> CentreStore::MultiSitePersons() const {
  // Member keys are person "\0" site "/" case id, so one person's cases are
  // adjacent; the "#" count keys are skipped.
  std::vector<std::vector<std::pair<std::string, std::string>>> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kPersons]));
  std::string person;
  std::vector<std::pair<std::string, std::string>> cases;
  auto flush = [&] {
    std::set<std::string> sites;
    for (const auto& c : cases) sites.insert(c.first);
    if (sites.size() > 1) out.push_back(cases);
    cases.clear();
  };
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString();
    if (!key.empty() && key[0] == '#') continue;
    const size_t nul = key.find('\0');
    if (nul == std::string::npos) return absl::DataLossError("person member key without a case: " + key);
    const size_t slash = key.find('/', nul + 1);
    if (slash == std::string::npos) return absl::DataLossError("person member key without a site: " + key);
    if (key.compare(0, nul, person) != 0 || person.size() != nul) {
      flush();
      person = key.substr(0, nul);
    }
    cases.emplace_back(key.substr(nul + 1, slash - nul - 1), key.substr(slash + 1));
  }
  flush();
  if (!it->status().ok()) return FromRocks(it->status(), "scan persons");
  return out;
}

absl::Status CentreStore::Audit(const AuditEvent& event) {
  std::lock_guard<std::mutex> lock(apply_mu_);
  WaitQueueDrained();
  v1::AuditEntry e = audit_.Prepare(event);
  std::string buf;
  e.SerializeToString(&buf);
  auto s = db_->Put(SyncWrite(), cfs_[kAudit], EncodeU64(e.seq()), buf);
  if (!s.ok()) return FromRocks(s, "append audit entry");
  audit_.Commit(e);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::AuditEntry>> CentreStore::ListAudit(uint64_t from_seq, size_t limit,
                                                                  uint64_t* last_seq) const {
  return AuditChain::List(db_.get(), cfs_[kAudit], from_seq, limit, last_seq);
}

AuditVerification CentreStore::VerifyAudit() const { return AuditChain::Verify(db_.get(), cfs_[kAudit]); }

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
