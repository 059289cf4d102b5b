#include "server/match_writer.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/notice_status.h"
#include "server/centre_layout.h"
#include "server/trial_matcher.h"

namespace fedreg::server {
namespace {

void CopyArms(const std::vector<ArmMatch>& arms, google::protobuf::RepeatedPtrField<v1::ArmMatchRecord>* out) {
  out->Clear();
  for (const auto& a : arms) {
    v1::ArmMatchRecord* r = out->Add();
    r->set_arm_id(a.arm_id);
    for (const auto& w : a.why) r->add_why(w);
    r->set_variant_level(a.variant_level);
    r->set_exact_cancer_type(a.exact_cancer_type);
  }
}

bool SameArms(const google::protobuf::RepeatedPtrField<v1::ArmMatchRecord>& a,
              const google::protobuf::RepeatedPtrField<v1::ArmMatchRecord>& b) {
  if (a.size() != b.size()) return false;
  for (int i = 0; i < a.size(); ++i)
    if (a[i].SerializeAsString() != b[i].SerializeAsString()) return false;
  return true;
}

// Why an open match ended: the first cause that applies.
std::string EndReason(const v1::StoredTrial* trial, const v1::TrialMatch& m, const v1::Case* c,
                      const std::string& cause) {
  if (c == nullptr) return "the case was withdrawn (consent withdrawn at the hospital)";
  if (trial == nullptr) return "the trial is no longer defined at the centre";
  if (trial->trial().status() == v1::TRIAL_STATUS_CLOSED) return "trial " + trial->trial().trial_id() + " closed";
  if (!trial->trial().sites().empty() &&
      std::find(trial->trial().sites().begin(), trial->trial().sites().end(), c->site_id()) ==
          trial->trial().sites().end())
    return "site " + c->site_id() + " no longer takes part in the trial";
  std::vector<std::string> suspended;
  for (const auto& arm : trial->trial().arms())
    if (arm.suspended())
      for (const auto& was : m.arms())
        if (was.arm_id() == arm.arm_id()) suspended.push_back(arm.arm_id());
  if (!suspended.empty() && static_cast<int>(suspended.size()) == m.arms_size())
    return "arm " + suspended.front() + " suspended";
  if (c->vital_status() == v1::VITAL_STATUS_DEAD) return "the patient died";
  return cause + ": no longer meets the criteria";
}

}  // namespace

MatchWriter::MatchWriter(OverlayBatch& wb, const MatchIndex& index)
    : MatchWriter(wb, index, absl::ToCivilDay(absl::Now(), absl::LocalTimeZone()), absl::ToUnixMicros(absl::Now())) {}

absl::StatusOr<v1::CaseMatches*> MatchWriter::CaseList(const std::string& site, const std::string& case_id,
                                                      bool is_new) {
  const std::string key = CaseMatchesKey(site, case_id);
  auto it = case_lists_.find(key);
  if (it != case_lists_.end()) return &it->second;
  v1::CaseMatches list;
  if (!is_new) {
    std::string v;
    auto found = wb_.Get(kNotices, key, &v);
    if (!found.ok()) return found.status();
    if (*found && !list.ParseFromString(v))
      return absl::DataLossError("stored match list of " + key + " does not parse");
  }
  return &case_lists_.emplace(key, std::move(list)).first->second;
}

absl::Status MatchWriter::AddNotice(const std::string& site, v1::Notice notice, uint64_t* seq) {
  auto it = next_notice_.find(site);
  if (it == next_notice_.end()) {
    std::string v;
    auto found = wb_.Get(kNotices, NoticeCounterKey(site), &v);
    if (!found.ok()) return found.status();
    it = next_notice_.emplace(site, *found ? DecodeU64(v) : 0).first;
  }
  *seq = ++it->second;
  notice.set_seq(*seq);
  notice.set_at_unix_us(now_us_);
  std::string buf;
  notice.SerializeToString(&buf);
  wb_.PutBlind(kNotices, NoticeKey(site, *seq), buf);
  ++notices_;
  return absl::OkStatus();
}

absl::Status MatchWriter::EvaluateCase(const std::string& site, const std::string& case_id, const v1::Case* c,
                                       const std::string& cause, bool is_new) {
  std::vector<std::string> trials;
  if (c != nullptr) trials = index_.Candidates(*c);
  if (is_new && trials.empty()) return absl::OkStatus();
  auto list = CaseList(site, case_id, is_new);
  if (!list.ok()) return list.status();
  for (const auto& t : (*list)->trial_ids()) trials.push_back(t);
  std::sort(trials.begin(), trials.end());
  trials.erase(std::unique(trials.begin(), trials.end()), trials.end());
  for (const auto& t : trials)
    if (auto s = Evaluate(index_.Find(t), t, site, case_id, c, cause, is_new); !s.ok()) return s;
  return absl::OkStatus();
}

absl::Status MatchWriter::Evaluate(const v1::StoredTrial* trial, const std::string& trial_id, const std::string& site,
                                   const std::string& case_id, const v1::Case* c, const std::string& cause,
                                   bool is_new) {
  const std::string key = MatchKey(trial_id, site, case_id);
  v1::TrialMatch m;
  bool found = false;
  if (!is_new) {
    std::string v;
    auto got = wb_.Get(kNotices, key, &v);
    if (!got.ok()) return got.status();
    found = *got;
    if (found && !m.ParseFromString(v))
      return absl::DataLossError("stored match " + trial_id + " of " + case_id + " does not parse");
  }
  const bool open = found && m.state() == v1::MATCH_STATE_OPEN;
  const bool suspended = trial != nullptr && trial->trial().status() == v1::TRIAL_STATUS_SUSPENDED;
  if (suspended && c != nullptr) return absl::OkStatus();  // no new matches; open ones stay open
  std::vector<ArmMatch> arms;
  if (c != nullptr && trial != nullptr) arms = MatchTrial(trial->trial(), *c, day_);
  if (!open && arms.empty()) return absl::OkStatus();

  auto list = CaseList(site, case_id, is_new);
  if (!list.ok()) return list.status();
  auto* ids = (*list)->mutable_trial_ids();
  const int64_t now = now_us_ / 1000000;
  std::string buf;
  if (!arms.empty()) {
    google::protobuf::RepeatedPtrField<v1::ArmMatchRecord> records;
    CopyArms(arms, &records);
    if (open) {
      const bool same = SameArms(m.arms(), records) && m.trial_version() == trial->version() &&
                        m.case_version() == c->record_version();
      if (same) return absl::OkStatus();
      m.mutable_arms()->Swap(&records);
      m.set_trial_version(trial->version());
      m.set_case_version(c->record_version());
      m.SerializeToString(&buf);
      wb_.Put(kNotices, key, buf);
      return absl::OkStatus();
    }
    // Opens (or reopens: the referral history stays with the match).
    m.set_trial_id(trial_id);
    m.set_site_id(site);
    m.set_case_id(case_id);
    *m.mutable_arms() = records;
    m.set_state(v1::MATCH_STATE_OPEN);
    m.clear_end_reason();
    m.set_ended_unix(0);
    m.set_matched_unix(now);
    m.set_trial_version(trial->version());
    m.set_case_version(c->record_version());
    v1::Notice n;
    n.set_kind(v1::NOTICE_KIND_NEW);
    n.set_trial_id(trial_id);
    n.set_case_id(case_id);
    // Title, registry ids, arms and why are filled in when the notice is
    // read (CentreStore::WaitNotices, from the trial and the match): the log
    // entry stays small, so matching costs the backfill little.
    uint64_t seq = 0;
    if (auto s = AddNotice(site, std::move(n), &seq); !s.ok()) return s;
    m.set_notice_seq(seq);
    m.SerializeToString(&buf);
    wb_.Put(kNotices, key, buf);
    if (std::find(ids->begin(), ids->end(), trial_id) == ids->end()) ids->Add(std::string(trial_id));
    case_list_dirty_[CaseMatchesKey(site, case_id)] = true;
    ++opened_;
    return absl::OkStatus();
  }
  // An open match that no longer holds.
  const std::string reason = EndReason(trial, m, c, cause);
  m.set_state(c == nullptr ? v1::MATCH_STATE_CANCELLED : v1::MATCH_STATE_ENDED);
  m.set_end_reason(reason);
  m.set_ended_unix(now);
  if (trial != nullptr) m.set_trial_version(trial->version());
  if (c != nullptr) m.set_case_version(c->record_version());
  m.SerializeToString(&buf);
  wb_.Put(kNotices, key, buf);
  v1::Notice n;
  n.set_kind(c == nullptr ? v1::NOTICE_KIND_CANCELLED : v1::NOTICE_KIND_ENDED);
  n.set_trial_id(trial_id);
  n.set_case_id(case_id);
  n.set_reason(reason);
  uint64_t seq = 0;
  if (auto s = AddNotice(site, std::move(n), &seq); !s.ok()) return s;
  auto pos = std::find(ids->begin(), ids->end(), trial_id);
  if (pos != ids->end()) ids->erase(pos);
  case_list_dirty_[CaseMatchesKey(site, case_id)] = true;
  ++ended_;
  return absl::OkStatus();
}

absl::StatusOr<std::string> MatchWriter::ApplyReferral(const std::string& site, const v1::ReferralUpdate& update) {
  const std::string key = MatchKey(update.trial_id(), site, update.case_id());
  std::string v;
  auto found = wb_.Get(kNotices, key, &v);
  if (!found.ok()) return found.status();
  if (!*found)
    return "no match of case " + update.case_id() + " with trial " + update.trial_id() + " at the centre";
  v1::TrialMatch m;
  if (!m.ParseFromString(v)) return absl::DataLossError("stored match " + key + " does not parse");
  if (update.status() < v1::NOTICE_STATUS_CONTACTED || update.status() > v1::NOTICE_STATUS_DEFERRED)
    return "referral status " + std::to_string(static_cast<int>(update.status())) + " is not one fedreg knows";
  const int64_t at = update.at_unix() > 0 ? update.at_unix() : now_us_ / 1000000;
  m.set_status(update.status());
  m.set_status_unix(at);
  // Reaching a stage reaches the ones before it; first times are kept.
  auto reach = [&](int64_t current, void (v1::TrialMatch::*set)(int64_t)) {
    if (current == 0) (m.*set)(at);
  };
  switch (update.status()) {
    case v1::NOTICE_STATUS_ENROLLED: reach(m.enrolled_unix(), &v1::TrialMatch::set_enrolled_unix); [[fallthrough]];
    case v1::NOTICE_STATUS_SCREENING:
    case v1::NOTICE_STATUS_SCREEN_FAILED:
      reach(m.screening_unix(), &v1::TrialMatch::set_screening_unix);
      [[fallthrough]];
    case v1::NOTICE_STATUS_REFERRED: reach(m.referred_unix(), &v1::TrialMatch::set_referred_unix); [[fallthrough]];
    case v1::NOTICE_STATUS_CONTACTED:
    case v1::NOTICE_STATUS_DECLINED:
    case v1::NOTICE_STATUS_NOT_ELIGIBLE:
    case v1::NOTICE_STATUS_DEFERRED: reach(m.contacted_unix(), &v1::TrialMatch::set_contacted_unix); break;
    default: break;
  }
  std::string buf;
  m.SerializeToString(&buf);
  wb_.Put(kNotices, key, buf);
  return std::string();
}

absl::Status MatchWriter::Finish() {
  std::string buf;
  for (const auto& [site, seq] : next_notice_) wb_.Put(kNotices, NoticeCounterKey(site), EncodeU64(seq));
  for (const auto& [key, dirty] : case_list_dirty_) {
    const v1::CaseMatches& list = case_lists_[key];
    if (list.trial_ids_size() == 0) {
      wb_.Delete(kNotices, key);
    } else {
      list.SerializeToString(&buf);
      wb_.Put(kNotices, key, buf);
    }
  }
  return absl::OkStatus();
}

}  // namespace fedreg::server
