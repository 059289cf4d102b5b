#include "server/centre_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/write_batch_with_index.h>
#include <rocksdb/write_buffer_manager.h>

#include <cstring>
#include <ctime>
#include <set>

#include "common/rocks_util.h"
#include "common/validate.h"
#include "server/views.h"

namespace fedreg::server {
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

// Sums signed 64-bit counters, so view deltas are blind writes (no read).
class CounterAddOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    int64_t base = existing ? DecodeI64(*existing) : 0;
    *new_value = EncodeI64(base + DecodeI64(value));
    return true;
  }
  const char* Name() const override { return "fedreg.CounterAdd"; }
};

rocksdb::WriteOptions SyncWrite() {
  rocksdb::WriteOptions w;
  w.sync = true;
  return w;
}

std::string CaseKey(const std::string& site, const std::string& case_id) { return site + "/" + case_id; }
std::string TombKey(const std::string& site, const std::string& case_id) { return "~t/" + site + "/" + case_id; }

}  // namespace

CentreStore::~CentreStore() {
  if (db_) {
    for (auto* cf : cfs_) db_->DestroyColumnFamilyHandle(cf);
    db_->Close();
  }
}

absl::StatusOr<std::unique_ptr<CentreStore>> CentreStore::Open(const CentreStoreOptions& options) {
  std::unique_ptr<CentreStore> store(new CentreStore());
  store->cache_ = rocksdb::NewLRUCache(options.block_cache_bytes);
  store->wbm_ = std::make_shared<rocksdb::WriteBufferManager>(options.write_buffer_budget_bytes, store->cache_,
                                                              /*allow_stall=*/true);
  rocksdb::DBOptions dbo;
  dbo.create_if_missing = true;
  dbo.create_missing_column_families = true;
  dbo.write_buffer_manager = store->wbm_;
  dbo.max_background_jobs = 2;
  dbo.keep_log_file_num = 5;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = store->cache_;
  table.cache_index_and_filter_blocks = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (size_t i = 0; i < kCfCount; ++i) {
    rocksdb::ColumnFamilyOptions cfo;
    cfo.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    cfo.write_buffer_size = 16 << 20;
    cfo.compression = rocksdb::kLZ4Compression;
    if (i == kViews) cfo.merge_operator = std::make_shared<CounterAddOperator>();
    descs.emplace_back(kCfNames[i], cfo);
  }
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(dbo, options.path, descs, &store->cfs_, &raw);
  if (!s.ok()) return FromRocks(s, "open centre store " + options.path);
  store->db_.reset(raw);
  return store;
}

absl::StatusOr<v1::SiteState> CentreStore::GetSite(const std::string& site_id) const {
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), cfs_[kSites], site_id, &v);
  if (s.IsNotFound()) return absl::NotFoundError("site " + site_id + " never connected");
  if (!s.ok()) return FromRocks(s, "read site");
  v1::SiteState st;
  if (!st.ParseFromString(v)) return absl::DataLossError("site state of " + site_id + " does not parse");
  return st;
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

absl::StatusOr<v1::SiteState> CentreStore::RegisterStore(const std::string& site_id, const std::string& store_id) {
  std::lock_guard<std::mutex> lock(apply_mu_);
  auto st = GetSite(site_id);
  if (st.ok()) {
    if (st->store_id() == store_id) return st;
    if (st->applied_seq() > 0 || st->cases() > 0) {
      return absl::FailedPreconditionError(
          "site " + site_id + " is known with store " + st->store_id() + " (applied seq " +
          std::to_string(st->applied_seq()) + "); this agent presents store " + store_id +
          " (reinstalled or restored?). An operator must run 'fedregctl sites rebase " + site_id + "'");
    }
  } else if (!absl::IsNotFound(st.status())) {
    return st.status();
  }
  v1::SiteState fresh;
  fresh.set_site_id(site_id);
  fresh.set_store_id(store_id);
  fresh.set_last_seen_unix(std::time(nullptr));
  std::string v;
  fresh.SerializeToString(&v);
  auto s = db_->Put(SyncWrite(), cfs_[kSites], site_id, v);
  if (!s.ok()) return FromRocks(s, "register site");
  return fresh;
}

void CentreStore::RecordError(const std::string& site_id, const std::string& error) {
  std::lock_guard<std::mutex> lock(apply_mu_);
  auto st = GetSite(site_id);
  if (!st.ok()) return;
  st->set_last_error(error.substr(0, 300));
  std::string v;
  st->SerializeToString(&v);
  db_->Put(rocksdb::WriteOptions(), cfs_[kSites], site_id, v).PermitUncheckedError();
}

absl::StatusOr<ApplyResult> CentreStore::ApplyBatch(const std::string& site_id, const std::string& store_id,
                                                    const v1::Batch& batch) {
  if (batch.events_size() == 0 || batch.last_seq() < batch.first_seq() ||
      batch.last_seq() - batch.first_seq() + 1 != static_cast<uint64_t>(batch.events_size()))
    return absl::InvalidArgumentError("batch seq range does not match its events");
  std::lock_guard<std::mutex> lock(apply_mu_);
  auto st = GetSite(site_id);
  if (!st.ok()) return st.status();
  if (st->store_id() != store_id)
    return absl::FailedPreconditionError("store id " + store_id + " is not the one registered for " + site_id);
  ApplyResult result;
  const uint64_t applied = st->applied_seq();
  if (batch.first_seq() > applied + 1)
    return absl::OutOfRangeError("gap: batch starts at seq " + std::to_string(batch.first_seq()) +
                                 " but applied seq is " + std::to_string(applied));
  if (batch.last_seq() <= applied) {
    result.applied_seq = applied;
    return result;  // a replay of what is already applied
  }

  rocksdb::WriteBatchWithIndex wb(rocksdb::BytewiseComparator(), 0, /*overwrite_key=*/true);
  rocksdb::ReadOptions ro;
  std::map<std::string, int64_t> deltas;
  int64_t case_delta = 0, withdrawn_delta = 0, rejected = 0;
  std::string buf;

  auto get = [&](Cf cf, const std::string& key, std::string* value) -> absl::StatusOr<bool> {
    auto s = wb.GetFromBatchAndDB(db_.get(), ro, cfs_[cf], key, value);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return FromRocks(s, "read during apply");
    return true;
  };
  // Does anyone besides (site, case) hold this person? Scans the batch and the DB.
  auto person_has_members = [&](const std::string& person) -> absl::StatusOr<bool> {
    std::string prefix = person + std::string(1, '\0');
    std::unique_ptr<rocksdb::Iterator> it(wb.NewIteratorWithBase(cfs_[kPersons], db_->NewIterator(ro, cfs_[kPersons])));
    it->Seek(prefix);
    bool found = it->Valid() && it->key().starts_with(prefix);
    if (!it->status().ok()) return FromRocks(it->status(), "scan persons");
    return found;
  };
  auto remove_case = [&](const v1::Case& old) -> absl::Status {
    for (const auto& k : ViewKeys(old)) deltas[k] -= 1;
    std::string person = PersonKey(old);
    wb.Delete(cfs_[kPersons], person + std::string(1, '\0') + CaseKey(site_id, old.case_id()));
    auto others = person_has_members(person);
    if (!others.ok()) return others.status();
    if (!*others) deltas[PersonsViewKey()] -= 1;
    return absl::OkStatus();
  };
  auto add_case = [&](const v1::Case& c) -> absl::Status {
    for (const auto& k : ViewKeys(c)) deltas[k] += 1;
    std::string person = PersonKey(c);
    auto others = person_has_members(person);
    if (!others.ok()) return others.status();
    if (!*others) deltas[PersonsViewKey()] += 1;
    wb.Put(cfs_[kPersons], person + std::string(1, '\0') + CaseKey(site_id, c.case_id()), "");
    return absl::OkStatus();
  };
  auto reject = [&](const v1::ChangeEvent& ev, const std::string& reason) {
    v1::Rejection& r = result.rejections.emplace_back();
    r.set_seq(ev.seq());
    r.set_case_id(ev.case_id());
    r.set_reason(reason);
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
      if (c.case_id() != case_id || c.site_id() != site_id) {
        reject(ev, "payload names site '" + c.site_id().substr(0, 32) + "', not the certificate's " + site_id);
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
      wb.Put(cfs_[kCases], CaseKey(site_id, case_id), buf);
    } else if (ev.kind() == v1::CHANGE_KIND_TOMBSTONE) {
      if (*has_old) {
        if (auto s = remove_case(old); !s.ok()) return s;
        wb.Delete(cfs_[kCases], CaseKey(site_id, case_id));
        --case_delta;
      }
      if (!*tomb) {
        v1::Tombstone t;
        t.set_case_id(case_id);
        t.set_record_version(ev.record_version());
        t.set_reason(ev.reason().substr(0, 64));
        t.set_at_unix(std::time(nullptr));
        t.SerializeToString(&buf);
        wb.Put(cfs_[kCases], TombKey(site_id, case_id), buf);
        ++withdrawn_delta;
      }
    } else {
      reject(ev, "unknown change kind");
    }
  }
  for (const auto& [key, delta] : deltas) {
    if (delta != 0) wb.Merge(cfs_[kViews], key, EncodeI64(delta));
  }
  st->set_applied_seq(batch.last_seq());
  st->set_cases(st->cases() + case_delta);
  st->set_withdrawn(st->withdrawn() + withdrawn_delta);
  st->set_rejected(st->rejected() + rejected);
  st->set_batches(st->batches() + 1);
  st->set_last_seen_unix(std::time(nullptr));
  st->clear_last_error();
  st->SerializeToString(&buf);
  wb.Put(cfs_[kSites], site_id, buf);
  auto s = db_->Write(SyncWrite(), wb.GetWriteBatch());
  if (!s.ok()) return FromRocks(s, "apply batch");
  result.applied_seq = batch.last_seq();
  return result;
}

absl::StatusOr<ViewCounts> CentreStore::ReadViews() const {
  ViewCounts out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kViews]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    int64_t v = DecodeI64(it->value());
    if (v != 0) out[it->key().ToString()] = v;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read views");
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
    if (it->key().starts_with("~t/")) break;  // tombstones sort after every site id
    v1::Case c;
    if (!c.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return absl::DataLossError("stored case does not parse");
    out.push_back(std::move(c));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan cases");
  return out;
}

absl::StatusOr<bool> CentreStore::IsTombstoned(const std::string& site_id, const std::string& case_id) const {
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), cfs_[kCases], TombKey(site_id, case_id), &v);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromRocks(s, "read tombstone");
  return true;
}

}  // namespace fedreg::server
