// The agent store's notices (docs/trials.md, "Notices"): the centre's notice
// log folded into one record per (case, trial), stored with the cursor in
// one synced write so that each notice is applied exactly once whatever
// breaks. agent/agent_store.h for the contract.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <ctime>
#include <map>
#include <memory>

#include "agent/agent_store.h"
#include "agent/agent_store_layout.h"
#include "common/rocks_util.h"

namespace fedreg::agent {

uint64_t AgentStore::notice_cursor() const {
  std::lock_guard<std::mutex> lock(count_mu_);
  return notice_cursor_;
}

absl::Status AgentStore::StoreNotices(const std::vector<v1::Notice>& notices) {
  std::lock_guard<std::mutex> wlock(write_mu_);
  if (!write_failure_.empty()) return absl::UnavailableError(write_failure_);
  uint64_t cursor = notice_cursor();
  rocksdb::WriteBatch b;
  std::map<std::string, v1::AgentNotice> touched;  // key -> record, as this batch leaves it
  const int64_t now = std::time(nullptr);
  for (const v1::Notice& n : notices) {
    if (n.seq() <= cursor) continue;  // stored before: a replay after a reconnect
    if (n.seq() != cursor + 1)
      return absl::InvalidArgumentError("the centre sent notice " + std::to_string(n.seq()) + " after " +
                                        std::to_string(cursor) + ": a notice is missing; nothing was stored");
    cursor = n.seq();
    const std::string key = NoticeRecordKey(n.case_id(), n.trial_id());
    auto it = touched.find(key);
    if (it == touched.end()) {
      v1::AgentNotice rec;
      std::string v;
      auto s = db_->Get(rocksdb::ReadOptions(), cfs_[kNotices], key, &v);
      if (s.ok() && !rec.ParseFromString(v)) return absl::DataLossError("stored notice " + key + " does not parse");
      if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "read notice");
      it = touched.emplace(key, std::move(rec)).first;
    }
    v1::AgentNotice& rec = it->second;
    if (rec.id() == 0) rec.set_id(n.seq());
    rec.set_trial_id(n.trial_id());
    rec.set_case_id(n.case_id());
    if (!n.trial_title().empty()) rec.set_trial_title(n.trial_title());
    if (!n.nct_id().empty()) rec.set_nct_id(n.nct_id());
    if (!n.jrct_id().empty()) rec.set_jrct_id(n.jrct_id());
    rec.set_last_notice_seq(n.seq());
    rec.set_changed_unix(now);
    if (rec.received_unix() == 0) rec.set_received_unix(now);
    switch (n.kind()) {
      case v1::NOTICE_KIND_NEW:
        *rec.mutable_arms() = n.arms();
        rec.set_state(v1::MATCH_STATE_OPEN);
        rec.clear_reason();
        rec.set_matched_unix(n.at_unix_us() / 1000000);
        break;
      case v1::NOTICE_KIND_ENDED:
        rec.set_state(v1::MATCH_STATE_ENDED);
        rec.set_reason(n.reason());
        break;
      case v1::NOTICE_KIND_CANCELLED:
        rec.set_state(v1::MATCH_STATE_CANCELLED);
        rec.set_reason(n.reason());
        break;
      default:
        return absl::InvalidArgumentError("notice " + std::to_string(n.seq()) + " has an unknown kind");
    }
  }
  if (touched.empty()) return absl::OkStatus();
  std::string buf;
  for (const auto& [key, rec] : touched) {
    rec.SerializeToString(&buf);
    b.Put(cfs_[kNotices], key, buf);
  }
  b.Put(cfs_[kMeta], "notice_cursor", std::to_string(cursor));
  auto s = db_->Write(SyncWrite(), &b);
  if (!s.ok()) {
    write_failure_ = "the store refused a write (" + s.ToString() + "); restart the agent once the cause is fixed";
    return FromRocks(s, "store notices");
  }
  std::lock_guard<std::mutex> lock(count_mu_);
  notice_cursor_ = cursor;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::AgentNotice>> AgentStore::ListNotices() const {
  std::vector<v1::AgentNotice> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kNotices]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::AgentNotice rec;
    if (!rec.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return absl::DataLossError("stored notice does not parse");
    out.push_back(std::move(rec));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "list notices");
  return out;
}

absl::StatusOr<std::optional<v1::AgentNotice>> AgentStore::FindNotice(uint64_t id) const {
  auto all = ListNotices();
  if (!all.ok()) return all.status();
  for (auto& rec : *all)
    if (rec.id() == id) return std::optional<v1::AgentNotice>(std::move(rec));
  return std::optional<v1::AgentNotice>();
}

absl::StatusOr<uint64_t> AgentStore::SetNoticeStatus(uint64_t id, v1::NoticeStatus status, const std::string& note,
                                                     v1::AgentNotice* updated) {
  std::lock_guard<std::mutex> wlock(write_mu_);
  auto found = FindNotice(id);
  if (!found.ok()) return found.status();
  const std::optional<v1::AgentNotice>& existing = *found;
  if (!existing.has_value())
    return absl::NotFoundError("no notice " + std::to_string(id) + ": see 'fedregctl agent notices'");
  v1::AgentNotice rec = *existing;
  if (rec.state() == v1::MATCH_STATE_CANCELLED)
    return absl::FailedPreconditionError("notice " + std::to_string(id) + " was cancelled (" + rec.reason() +
                                         "): its status can no longer change");
  const int64_t now = std::time(nullptr);
  rec.set_status(status);
  rec.set_status_unix(now);
  if (!note.empty()) rec.set_note(note);
  rec.set_changed_unix(now);
  Change ch;
  ch.kind = v1::CHANGE_KIND_REFERRAL;
  ch.referral.set_trial_id(rec.trial_id());
  ch.referral.set_case_id(rec.case_id());
  ch.referral.set_status(status);
  ch.referral.set_at_unix(now);
  ch.notice = rec;
  const uint64_t seq = highest_seq() + 1;
  if (auto s = CommitLocked({ch}, {}); !s.ok()) return s;
  *updated = rec;
  return seq;
}

absl::Status AgentStore::CancelNotices(const std::string& case_id, rocksdb::WriteBatch* b) {
  const std::string prefix = case_id + std::string(1, '\0');
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kNotices]));
  std::string buf;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    v1::AgentNotice rec;
    if (!rec.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return absl::DataLossError("stored notice does not parse");
    if (rec.state() == v1::MATCH_STATE_CANCELLED) continue;
    rec.set_state(v1::MATCH_STATE_CANCELLED);
    rec.set_reason("consent withdrawn at this hospital");
    rec.set_changed_unix(std::time(nullptr));
    rec.SerializeToString(&buf);
    b->Put(cfs_[kNotices], it->key(), buf).PermitUncheckedError();
  }
  return FromRocks(it->status(), "cancel notices");
}

}  // namespace fedreg::agent
