// The names of referral statuses and match states, as users type and read
// them (fedregctl agent notices set ID contacted): lower case, underscores.
#pragma once

#include <string>
#include <vector>

#include "fedreg/v1/notice.pb.h"

namespace fedreg {

// "new" (UNSPECIFIED: matched, nothing done yet), "contacted", "referred",
// "screening", "enrolled", "screen_failed", "declined", "not_eligible",
// "deferred".
std::string NoticeStatusName(v1::NoticeStatus status);
// The status named `name`; false when none is (and for "new": a status is
// never set back to nothing).
bool ParseNoticeStatus(const std::string& name, v1::NoticeStatus* status);
// Every name ParseNoticeStatus accepts, in funnel order.
const std::vector<std::string>& NoticeStatusNames();
// "open", "ended", "cancelled".
std::string MatchStateName(v1::MatchState state);

}  // namespace fedreg
