// CentreStore::CreateBackup: the centre's store, every column family at one
// point in time, with what it held then (docs/backup-restore.md).
#include <rocksdb/db.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "server/centre_layout.h"
#include "server/centre_store.h"

namespace fedreg::server {

absl::StatusOr<RocksBackupInfo> CentreStore::CreateBackup(const std::string& dir, int keep) {
  // Every writer (applies, Hello decisions, snapshots, trials, audit) takes
  // apply_mu_: holding it with the queue drained, nothing moves while the
  // metadata is read and the files are copied. Agents' pushes wait (their
  // windows fill) and resume; a backup of a large store pauses applies for
  // the copy's length, which the operator sees in `backup create`'s output.
  std::lock_guard<std::mutex> lock(apply_mu_);
  WaitQueueDrained();
  nlohmann::json meta;
  meta["kind"] = "centre";
  meta["taken_unix"] = static_cast<int64_t>(std::time(nullptr));
  auto sites = ListSites();
  if (!sites.ok()) return sites.status();
  int64_t cases = 0;
  nlohmann::json by_site = nlohmann::json::object();
  for (const auto& s : *sites) {
    by_site[s.site_id()] = {{"applied_seq", s.applied_seq()}, {"cases", s.cases()}, {"store_id", s.store_id()}};
    cases += s.cases();
  }
  meta["sites"] = by_site;
  meta["cases"] = cases;
  uint64_t last = 0;
  auto head = AuditChain::List(db_.get(), cfs_[kAudit], 0, 1, &last);
  if (!head.ok()) return head.status();
  meta["audit_seq"] = last;
  meta["audit_head"] = head->empty() ? "" : head->back().hash();
  return CreateRocksBackup(db_.get(), dir, meta.dump(), keep);
}

}  // namespace fedreg::server
