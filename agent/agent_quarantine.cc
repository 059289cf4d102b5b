// AgentStore: the quarantine as the data manager works through it (list,
// close).
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <ctime>
#include <memory>
#include <set>

#include "agent/agent_store.h"
#include "agent/agent_store_layout.h"
#include "common/rocks_util.h"

namespace fedreg::agent {

int64_t AgentStore::quarantine_open() const {
  std::lock_guard<std::mutex> lock(count_mu_);
  return quarantine_open_;
}

uint64_t AgentStore::next_quarantine_id() const {
  std::lock_guard<std::mutex> lock(write_mu_);
  return next_quarantine_id_;
}

absl::StatusOr<std::vector<AgentStore::QuarantineRecord>> AgentStore::ListQuarantine(uint64_t after_id, size_t limit,
                                                                                      bool include_closed,
                                                                                      const std::string& source) const {
  std::vector<QuarantineRecord> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kQuarantine]));
  for (it->Seek(EncodeU64(after_id + 1)); it->Valid() && out.size() < limit; it->Next()) {
    QuarantineRecord r;
    r.id = DecodeU64(it->key().ToString());
    if (!r.entry.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return absl::DataLossError("quarantine entry " + std::to_string(r.id) + " does not parse");
    if (!include_closed && !r.entry.state().empty()) continue;
    if (!source.empty() && r.entry.source() != source) continue;
    out.push_back(std::move(r));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan quarantine");
  return out;
}

absl::StatusOr<std::optional<v1::QuarantineEntry>> AgentStore::GetQuarantine(uint64_t id) const {
  std::string v;
  auto st = db_->Get(rocksdb::ReadOptions(), cfs_[kQuarantine], EncodeU64(id), &v);
  if (st.IsNotFound()) return std::nullopt;
  if (!st.ok()) return FromRocks(st, "read quarantine entry");
  v1::QuarantineEntry q;
  if (!q.ParseFromString(v)) return absl::DataLossError("quarantine entry " + std::to_string(id) + " does not parse");
  return q;
}

absl::StatusOr<v1::QuarantineEntry> AgentStore::FindQuarantine(uint64_t id) const {
  auto q = GetQuarantine(id);
  if (!q.ok()) return q.status();
  const std::optional<v1::QuarantineEntry>& found = *q;
  if (!found.has_value()) return absl::NotFoundError("no quarantine entry " + std::to_string(id));
  return *found;
}

absl::Status AgentStore::CloseQuarantine(const std::vector<uint64_t>& ids, const std::string& state,
                                         const std::vector<std::string>& resolutions) {
  if (ids.size() != resolutions.size()) return absl::InvalidArgumentError("one resolution per entry");
  if (ids.empty()) return absl::OkStatus();
  if (std::set<uint64_t>(ids.begin(), ids.end()).size() != ids.size())
    return absl::InvalidArgumentError("an entry is named twice");
  std::lock_guard<std::mutex> wlock(write_mu_);
  if (!write_failure_.empty()) return absl::UnavailableError(write_failure_);
  int64_t open_total;
  {
    std::lock_guard<std::mutex> lock(count_mu_);
    open_total = quarantine_open_;
  }
  rocksdb::WriteBatch b;
  std::string buf;
  const int64_t now = std::time(nullptr);
  for (size_t i = 0; i < ids.size(); ++i) {
    auto q = FindQuarantine(ids[i]);
    if (!q.ok()) return q.status();
    v1::QuarantineEntry e = std::move(*q);
    if (!e.state().empty())
      return absl::FailedPreconditionError("quarantine entry " + std::to_string(ids[i]) + " is already " + e.state() +
                                           " (" + e.resolution() + ")");
    e.set_state(state);
    e.set_resolution(resolutions[i]);
    e.set_resolved_unix(now);
    e.SerializeToString(&buf);
    b.Put(cfs_[kQuarantine], EncodeU64(ids[i]), buf);
    --open_total;
  }
  b.Put(cfs_[kMeta], "quarantine_open", std::to_string(open_total));
  auto s = db_->Write(SyncWrite(), &b);
  if (!s.ok()) {
    write_failure_ = "the store refused a write (" + s.ToString() + "); restart the agent once the cause is fixed";
    return FromRocks(s, "close quarantine entries");
  }
  std::lock_guard<std::mutex> lock(count_mu_);
  quarantine_open_ = open_total;
  return absl::OkStatus();
}

}  // namespace fedreg::agent
