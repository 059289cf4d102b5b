// The referral funnel of one trial (docs/trials.md, "The funnel"): per
// site and in total, how many matches were made, reached each stage
// (contacted, referred, screening, enrolled: a later stage counts the
// earlier ones as reached) and left by each exit, with the median days from
// match to referral and to enrolment. Pure: built from the stored matches.
#pragma once

#include <vector>

#include "fedreg/v1/admin.pb.h"
#include "fedreg/v1/notice.pb.h"

namespace fedreg::server {

v1::TrialFunnel BuildFunnel(const std::vector<v1::TrialMatch>& matches);

// Small-cell suppression for sponsors, as in the national view
// (SuppressSmallCells): a count from 1 to k-1 is hidden ("<k", set to 0 and
// named in `suppressed`), and in each column across sites a second cell is
// hidden when only one is, so the total cannot reveal it; the total row's
// own small cells are hidden too. Medians are hidden with the count they
// are taken over (referred, enrolled).
void SuppressFunnel(int k, v1::TrialFunnel* funnel);

}  // namespace fedreg::server
