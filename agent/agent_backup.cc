// AgentStore::CreateBackup: the agent's store at one point in time, with
// what it held then (docs/backup-restore.md).
#include <ctime>
#include <nlohmann/json.hpp>

#include "agent/agent_store.h"

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

}  // namespace fedreg::agent
