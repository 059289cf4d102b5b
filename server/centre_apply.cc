// The apply of one batch of a site's changes: checks, then builds one
// WriteBatch of cases, tombstones, person memberships, view deltas, the
// site's state and the audit entry, and queues it for the writer thread
// (server/centre_commit.cc). server/centre_store.h for the contract.
#include <rocksdb/db.h>

#include <algorithm>
#include <ctime>


#include "common/digest.h"
#include "common/disk_space.h"
#include "common/utf8.h"
#include "common/validate.h"
#include "server/centre_layout.h"
#include "server/centre_store.h"
#include "server/match_writer.h"
#include "server/overlay_batch.h"
#include "server/view_document.h"
#include "server/views.h"

namespace fedreg::server {

absl::StatusOr<ApplyResult> CentreStore::QueueBatch(const std::string& site_id, const std::string& store_id,
                                                    const v1::Batch& batch, std::function<void()> on_written) {
  if (batch.events_size() == 0 || batch.last_seq() < batch.first_seq() ||
      batch.last_seq() - batch.first_seq() + 1 != static_cast<uint64_t>(batch.events_size()))
    return absl::InvalidArgumentError("batch seq range does not match its events");
  for (int i = 0; i < batch.events_size(); ++i) {
    const uint64_t want = batch.first_seq() + static_cast<uint64_t>(i);
    if (batch.events(i).seq() != want)
      return absl::InvalidArgumentError("batch event " + std::to_string(i) + " has seq " +
                                        std::to_string(batch.events(i).seq()) + ", expected " + std::to_string(want) +
                                        ": events must be dense and in order");
  }
  std::lock_guard<std::mutex> lock(apply_mu_);
  if (auto s = CheckFreeSpace(path_, min_free_bytes_, "applying a batch"); !s.ok()) return s;
  {
    // Back-pressure: at most kMaxQueued batches built ahead of the writer.
    std::unique_lock<std::mutex> plock(pending_mu_);
    written_cv_.wait(plock, [&] { return pending_.size() < kMaxQueued || !write_failure_.empty(); });
    if (!write_failure_.empty()) return absl::UnavailableError(write_failure_);
  }
  OverlayBatch wb(db_.get(), cfs_, [this](int cf, const std::string& key, std::optional<std::string>* value) {
    return PendingLookup(cf, key, value);
  });
  auto st = ReadSite(site_id, [&](std::string* v) { return wb.Get(kSites, site_id, v); });
  if (!st.ok()) {
    if (absl::IsNotFound(st.status()))
      return absl::FailedPreconditionError("site " + site_id + " has never said Hello to this centre: call Hello first");
    return st.status();
  }
  if (st->store_id() != store_id)
    return absl::FailedPreconditionError("store id " + store_id + " is not the one registered for " + site_id);
  if (st->snapshot_pending())
    return absl::FailedPreconditionError("site " + site_id + " must send its snapshot before pushing");
  ApplyResult result;
  const uint64_t applied = st->applied_seq();
  if (batch.first_seq() > applied + 1)
    return absl::OutOfRangeError("gap: batch starts at seq " + std::to_string(batch.first_seq()) +
                                 " but applied seq is " + std::to_string(applied));
  if (batch.last_seq() <= applied) {
    result.applied_seq = applied;
    // A replay of what is already applied (or queued): applied and durable
    // once every batch queued so far is.
    result.generation = queued_gen_;
    return result;
  }

  ViewDeltas deltas;
  // Matches and notices of the cases this batch changes, in the same write.
  MatchWriter matches(wb, match_index_);
  int64_t referrals = 0;
  int64_t case_delta = 0, withdrawn_delta = 0, rejected = 0, parked = 0;
  std::string buf;

  auto get = [&](Cf cf, const std::string& key, std::string* value) { return wb.Get(cf, key, value); };
  uint64_t digest = st->digest();
  auto remove_case = [&](const v1::Case& old) -> absl::Status {
    digest -= CaseDigestTerm(old.case_id(), old.record_version());
    for (const auto& k : ViewKeys(old)) deltas[k] -= 1;
    return ChangePersonMembership(wb, PersonKey(old), site_id, old.case_id(), -1, &deltas);
  };
  auto add_case = [&](const v1::Case& c) -> absl::Status {
    digest += CaseDigestTerm(c.case_id(), c.record_version());
    for (const auto& k : ViewKeys(c)) deltas[k] += 1;
    return ChangePersonMembership(wb, PersonKey(c), site_id, c.case_id(), +1, &deltas);
  };
  auto reject = [&](const v1::ChangeEvent& ev, const std::string& reason) {
    v1::Rejection& r = result.rejections.emplace_back();
    r.set_seq(ev.seq());
    r.set_case_id(ev.case_id());
    r.set_reason(Utf8Prefix(reason, 1000));
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
      if (c.site_id() != site_id) {
        reject(ev, "payload names site '" + Utf8Prefix(c.site_id(), 40) + "', not the certificate's " + site_id);
        continue;
      }
      if (c.case_id() != case_id) {
        reject(ev, "event case id " + case_id + " differs from the case's own '" + Utf8Prefix(c.case_id(), 48) + "'");
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
      wb.Put(kCases, CaseKey(site_id, case_id), buf);
      if (auto s = matches.EvaluateCase(site_id, case_id, &c, "case version " + std::to_string(c.record_version()),
                                        /*is_new=*/!*has_old);
          !s.ok())
        return s;
    } else if (ev.kind() == v1::CHANGE_KIND_TOMBSTONE) {
      if (*has_old) {
        if (auto s = remove_case(old); !s.ok()) return s;
        wb.Delete(kCases, CaseKey(site_id, case_id));
        --case_delta;
        if (auto s = matches.EvaluateCase(site_id, case_id, nullptr, "withdrawn"); !s.ok()) return s;
      }
      if (!*tomb) {
        v1::Tombstone t;
        t.set_case_id(case_id);
        t.set_record_version(ev.record_version());
        t.set_reason(Utf8Prefix(ev.reason(), 64));
        t.set_at_unix(std::time(nullptr));
        t.SerializeToString(&buf);
        wb.Put(kCases, TombKey(site_id, case_id), buf);
        ++withdrawn_delta;
      }
    } else if (ev.kind() == v1::CHANGE_KIND_REFERRAL) {
      if (ev.referral().case_id() != case_id) {
        reject(ev, "referral names case '" + Utf8Prefix(ev.referral().case_id(), 48) + "', not the event's " + case_id);
        continue;
      }
      auto refused = matches.ApplyReferral(site_id, ev.referral());
      if (!refused.ok()) return refused.status();
      if (!refused->empty()) reject(ev, *refused);
      else ++referrals;
    } else if (ev.kind() == v1::CHANGE_KIND_PARKED) {
      ++parked;  // held at the site (its quarantine says why): nothing to apply
    } else {
      reject(ev, "unknown change kind");
    }
  }
  if (auto s = matches.Finish(); !s.ok()) return s;
  wb.Merge(kViews, kNationalView, EncodeDeltas(deltas));
  st->set_applied_seq(batch.last_seq());
  st->set_digest(digest);
  st->set_cases(st->cases() + case_delta);
  st->set_withdrawn(st->withdrawn() + withdrawn_delta);
  st->set_rejected(st->rejected() + rejected);
  st->set_batches(st->batches() + 1);
  st->set_last_seen_unix(std::time(nullptr));
  st->clear_last_error();
  st->SerializeToString(&buf);
  wb.Put(kSites, site_id, buf);
  v1::AuditEntry audit = audit_.Prepare(
      {"site/" + site_id, "sync.apply", site_id, "OK",
       "seq " + std::to_string(std::max(applied + 1, batch.first_seq())) + ".." + std::to_string(batch.last_seq()) +
           ", " + std::to_string(batch.events_size()) + " events, " + std::to_string(rejected) + " rejected" +
           (parked > 0 ? ", " + std::to_string(parked) + " parked at the site" : "") +
           (matches.opened() + matches.ended() > 0
                ? ", " + std::to_string(matches.opened()) + " trial matches opened, " +
                      std::to_string(matches.ended()) + " ended"
                : "") +
           (referrals > 0 ? ", " + std::to_string(referrals) + " referral statuses" : "")});
  audit.SerializeToString(&buf);
  wb.Put(kAudit, EncodeU64(audit.seq()), buf);
  // The writer thread writes it (not synced: the group commit syncs). The
  // audit chain moves now: the next batch built chains to this entry.
  audit_.Commit(audit);
  result.applied_seq = batch.last_seq();
  auto write = wb.Take();
  write->generation = result.generation = ++queued_gen_;
  write->on_written = std::move(on_written);
  write->notice_marks = matches.last_notice_seq();
  open_matches_ += matches.opened() - matches.ended();
  {
    std::lock_guard<std::mutex> plock(pending_mu_);
    pending_.push_back(std::move(write));
  }
  pending_cv_.notify_one();
  return result;
}

absl::StatusOr<ApplyResult> CentreStore::ApplyBatch(const std::string& site_id, const std::string& store_id,
                                                    const v1::Batch& batch) {
  auto queued = QueueBatch(site_id, store_id, batch);
  if (!queued.ok()) return queued.status();
  auto progress = WaitProgress(queued->generation, UINT64_MAX, std::chrono::hours(1));
  if (progress.failed) return absl::UnavailableError("apply batch: the store refused a write");
  return queued;
}

}  // namespace fedreg::server
