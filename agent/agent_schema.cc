// AgentStore's schema migrations (agent/agent_store.h lists the versions;
// common/schema_version.h runs them): each step writes its data and its new
// version in one synced WriteBatch.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <map>
#include <memory>
#include <set>

#include "agent/agent_store.h"
#include "agent/agent_store_layout.h"
#include "agent/person_index.h"
#include "common/rocks_util.h"
#include "common/schema_version.h"

namespace fedreg::agent {

absl::Status AgentStore::Migrate() {
  std::string v;
  auto st = db_->Get(rocksdb::ReadOptions(), cfs_[kMeta], "schema_version", &v);
  if (!st.ok() && !st.IsNotFound()) return FromRocks(st, "read schema_version");
  const uint32_t on_disk = v.empty() ? 1 : static_cast<uint32_t>(ParseU64(v));
  std::vector<SchemaStep> steps;
  steps.push_back({2, "count the open quarantine entries (every entry of a schema-1 store is open)", [this] {
                     int64_t open = 0;
                     std::unique_ptr<rocksdb::Iterator> it(
                         db_->NewIterator(rocksdb::ReadOptions(), cfs_[kQuarantine]));
                     for (it->SeekToFirst(); it->Valid(); it->Next()) ++open;
                     if (!it->status().ok()) return FromRocks(it->status(), "scan quarantine");
                     rocksdb::WriteBatch b;
                     b.Put(cfs_[kMeta], "quarantine_open", std::to_string(open));
                     b.Put(cfs_[kMeta], "schema_version", "2");
                     return FromRocks(db_->Write(SyncWrite(), &b), "write schema 2");
                   }});
  steps.push_back({3, "index the stored cases by person token (one scan of the cases)", [this] {
                     std::map<std::string, std::set<std::string>> persons;
                     uint64_t as_of = 0;
                     auto scanned = ScanCases(
                         [&](const v1::Case& c) {
                           const std::string token = PersonTokenOf(c);
                           if (!token.empty()) persons[token].insert(c.case_id());
                         },
                         &as_of);
                     if (!scanned.ok()) return scanned;
                     rocksdb::WriteBatch b;
                     for (const auto& [token, ids] : persons)
                       b.Put(cfs_[kReid], PersonIndexKey(token), JoinCaseIds(ids));
                     b.Put(cfs_[kMeta], "schema_version", "3");
                     return FromRocks(db_->Write(SyncWrite(), &b), "write schema 3");
                   }});
  return MigrateSchema("agent store " + path_, "fedreg-agent", on_disk, kSchemaVersion, steps);
}

}  // namespace fedreg::agent
