// Builds a batch's trial matches and notices (docs/trials.md, "Matches and
// notices") into the same OverlayBatch as the cases that caused them, so a
// case and its matches are written, and survive, together.
//
// For each (trial, case) evaluated:
//   - matches now, no open match     -> the match opens (or reopens), and the
//                                       owning site gets a NEW notice;
//   - matches now, open match        -> its arms and why are refreshed;
//   - no longer matches, open match  -> it ends with the reason (trial
//                                       closed, arm suspended, the patient
//                                       died, the case changed, the age on
//                                       the day), an ENDED notice; a
//                                       withdrawn case's match is CANCELLED;
//   - trial suspended                -> open matches stay open, none opens.
// Notices take the site's next notice seq (dense, from 1). Not thread-safe:
// one writer per batch, under the store's apply lock.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "fedreg/v1/notice.pb.h"
#include "server/match_index.h"
#include "server/overlay_batch.h"

namespace fedreg::server {

class MatchWriter {
 public:
  // `day` is the day of matching (ages); `now_us` stamps matches and notices.
  MatchWriter(OverlayBatch& wb, const MatchIndex& index, absl::CivilDay day, int64_t now_us)
      : wb_(wb), index_(index), day_(day), now_us_(now_us) {}
  // Matching now: today's local day, the current time.
  MatchWriter(OverlayBatch& wb, const MatchIndex& index);

  // The case (nullptr: withdrawn) against every trial it could match and
  // every trial it has an open match with. `cause` words an ended match's
  // reason ("case version 3").
  // `is_new`: the centre never held the case (no match can exist yet: the
  // stored lookups are skipped).
  absl::Status EvaluateCase(const std::string& site, const std::string& case_id, const v1::Case* c,
                            const std::string& cause, bool is_new = false);
  // The case against one trial (`trial` nullptr: unknown to the centre).
  absl::Status Evaluate(const v1::StoredTrial* trial, const std::string& trial_id, const std::string& site,
                        const std::string& case_id, const v1::Case* c, const std::string& cause,
                        bool is_new = false);
  // A referral status sent by the owning site: "" when applied, otherwise
  // why it was refused (the site quarantines it).
  absl::StatusOr<std::string> ApplyReferral(const std::string& site, const v1::ReferralUpdate& update);

  // Writes the sites' notice counters and the cases' match lists. Call once,
  // after the last Evaluate and before the batch is written.
  absl::Status Finish();

  int64_t opened() const { return opened_; }
  int64_t ended() const { return ended_; }
  int64_t notices() const { return notices_; }
  // Sites that got notices in this batch.
  const std::map<std::string, uint64_t>& last_notice_seq() const { return next_notice_; }

 private:
  absl::StatusOr<v1::CaseMatches*> CaseList(const std::string& site, const std::string& case_id, bool is_new = false);
  absl::Status AddNotice(const std::string& site, v1::Notice notice, uint64_t* seq);

  OverlayBatch& wb_;
  const MatchIndex& index_;
  const absl::CivilDay day_;
  const int64_t now_us_;
  std::map<std::string, uint64_t> next_notice_;       // site -> last notice seq used
  std::map<std::string, v1::CaseMatches> case_lists_;  // case key -> open matches' trials (touched ones)
  std::map<std::string, bool> case_list_dirty_;
  int64_t opened_ = 0, ended_ = 0, notices_ = 0;
};

}  // namespace fedreg::server
