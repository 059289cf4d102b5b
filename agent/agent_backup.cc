// AgentStore::CreateBackup: the agent's store at one point in time, with
// what it held then (docs/backup-restore.md).
#include <ctime>
#include <nlohmann/json.hpp>

#include <rocksdb/db.h>

#include "agent/agent_store.h"
#include "agent/agent_store_layout.h"
#include "common/crypto.h"
#include "common/rocks_util.h"

namespace fedreg::agent {

absl::StatusOr<RocksBackupInfo> AgentStore::CreateBackup(const std::string& dir, int keep,
                                                         const std::string& site_id) {
  // write_mu_ serializes every write that moves a seq (Commit, Acknowledge,
  // notices): held, the seqs below are the copy's.
  std::lock_guard<std::mutex> lock(write_mu_);
  nlohmann::json meta;
  meta["kind"] = "agent";
  meta["taken_unix"] = static_cast<int64_t>(std::time(nullptr));
  meta["site"] = site_id;
  meta["store_id"] = store_id_;
  meta["highest_seq"] = highest_seq();
  meta["acked_seq"] = acked_seq();
  meta["cases"] = case_count();
  meta["notice_cursor"] = notice_cursor();
  return CreateRocksBackup(db_.get(), dir, meta.dump(), keep);
}

absl::Status AgentStore::RenewStoreIdAfterRestore() {
  std::lock_guard<std::mutex> lock(write_mu_);
  auto id = crypto::RandomBytes(16);
  if (!id.ok()) return id.status();
  const std::string v = crypto::ToHex(*id);
  if (auto s = db_->Put(SyncWrite(), cfs_[kMeta], "store_id", v); !s.ok()) return FromRocks(s, "renew store id");
  store_id_ = v;
  return absl::OkStatus();
}

}  // namespace fedreg::agent
