// Trial definitions at the centre: the `trials` column family (trial_id ->
// v1::StoredTrial). Writes go through the apply lock like every other
// writer, so a later matcher sees a trial and the cases it is matched
// against in one order. server/centre_store.h for the contract.
#include <rocksdb/db.h>

#include <ctime>
#include <memory>

#include "common/rocks_util.h"
#include "server/centre_layout.h"
#include "server/centre_store.h"

namespace fedreg::server {
namespace {

absl::StatusOr<std::optional<v1::StoredTrial>> ReadTrial(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                                         const std::string& trial_id) {
  std::string v;
  auto s = db->Get(rocksdb::ReadOptions(), cf, trial_id, &v);
  if (s.IsNotFound()) return std::optional<v1::StoredTrial>();
  if (!s.ok()) return FromRocks(s, "read trial");
  v1::StoredTrial t;
  if (!t.ParseFromString(v)) return absl::DataLossError("stored trial " + trial_id + " does not parse");
  return std::optional<v1::StoredTrial>(std::move(t));
}

}  // namespace

absl::Status CentreStore::WriteTrial(const v1::StoredTrial& stored) {
  // The trial and its background pass in one write: every case is matched
  // against the new version (a pass already running starts again).
  rocksdb::WriteBatch b;
  std::string buf;
  stored.SerializeToString(&buf);
  b.Put(cfs_[kTrials], stored.trial().trial_id(), buf).PermitUncheckedError();
  v1::RematchProgress p;
  p.set_trial_version(stored.version());
  p.set_cause("trial " + stored.trial().trial_id() + " version " + std::to_string(stored.version()));
  p.set_started_unix(std::time(nullptr));
  p.SerializeToString(&buf);
  b.Put(cfs_[kNotices], RematchKey(stored.trial().trial_id()), buf).PermitUncheckedError();
  if (auto s = db_->Write(SyncWrite(), &b); !s.ok()) return FromRocks(s, "store trial");
  if (auto s = LoadMatchIndex(); !s.ok()) return s;
  {
    std::lock_guard<std::mutex> lock(rematch_mu_);
    rematch_wake_ = true;
  }
  rematch_cv_.notify_all();
  return absl::OkStatus();
}

absl::StatusOr<v1::StoredTrial> CentreStore::PutTrial(const v1::Trial& trial, TrialWrite mode, const std::string& who) {
  std::lock_guard<std::mutex> lock(apply_mu_);
  WaitQueueDrained();
  auto existing = ReadTrial(db_.get(), cfs_[kTrials], trial.trial_id());
  if (!existing.ok()) return existing.status();
  const std::optional<v1::StoredTrial>& old = *existing;
  if (mode == TrialWrite::kAdd && old.has_value())
    return absl::AlreadyExistsError("trial " + trial.trial_id() + " is already defined (version " +
                                    std::to_string(old->version()) + "): use 'fedregctl trials update'");
  if (mode == TrialWrite::kUpdate && !old.has_value())
    return absl::NotFoundError("no trial " + trial.trial_id() + ": use 'fedregctl trials add'");
  v1::StoredTrial stored;
  *stored.mutable_trial() = trial;
  stored.set_version(old.has_value() ? old->version() + 1 : 1);
  stored.set_updated_unix(std::time(nullptr));
  stored.set_updated_by(who);
  if (auto s = WriteTrial(stored); !s.ok()) return s;
  return stored;
}

absl::StatusOr<v1::StoredTrial> CentreStore::SetTrialStatus(const std::string& trial_id, const std::string& arm_id,
                                                            v1::TrialStatus status, const std::string& who) {
  std::lock_guard<std::mutex> lock(apply_mu_);
  WaitQueueDrained();
  auto existing = ReadTrial(db_.get(), cfs_[kTrials], trial_id);
  if (!existing.ok()) return existing.status();
  const std::optional<v1::StoredTrial>& found = *existing;
  if (!found.has_value()) return absl::NotFoundError("no trial " + trial_id);
  v1::StoredTrial stored = *found;
  if (arm_id.empty()) {
    if (status != v1::TRIAL_STATUS_OPEN && status != v1::TRIAL_STATUS_SUSPENDED && status != v1::TRIAL_STATUS_CLOSED)
      return absl::InvalidArgumentError("a trial's status is open, suspended or closed");
    stored.mutable_trial()->set_status(status);
  } else {
    if (status != v1::TRIAL_STATUS_OPEN && status != v1::TRIAL_STATUS_SUSPENDED)
      return absl::InvalidArgumentError("an arm is open or suspended (close the trial to end every arm)");
    v1::TrialArm* arm = nullptr;
    for (auto& a : *stored.mutable_trial()->mutable_arms())
      if (a.arm_id() == arm_id) arm = &a;
    if (arm == nullptr) return absl::NotFoundError("trial " + trial_id + " has no arm " + arm_id);
    arm->set_suspended(status == v1::TRIAL_STATUS_SUSPENDED);
  }
  stored.set_version(stored.version() + 1);
  stored.set_updated_unix(std::time(nullptr));
  stored.set_updated_by(who);
  if (auto s = WriteTrial(stored); !s.ok()) return s;
  return stored;
}

absl::StatusOr<std::optional<v1::StoredTrial>> CentreStore::GetTrial(const std::string& trial_id) const {
  return ReadTrial(db_.get(), cfs_[kTrials], trial_id);
}

absl::StatusOr<std::vector<v1::StoredTrial>> CentreStore::ListTrials() const {
  std::vector<v1::StoredTrial> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kTrials]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::StoredTrial t;
    if (!t.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return absl::DataLossError("stored trial " + it->key().ToString() + " does not parse");
    out.push_back(std::move(t));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "list trials");
  return out;
}

}  // namespace fedreg::server
