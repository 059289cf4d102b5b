// Matching one case against one trial (docs/trials.md, "Matching"): which
// open arms the case satisfies, why, and how well. Pure: no store, no
// clock (the day of matching is given), so the centre's incremental matcher
// and the tests use the same code.
//
// Semantics, criterion by criterion:
//   genomic    some alteration of some test satisfies every key given: gene
//              (a fusion matches either partner), exact protein change,
//              codon wildcard (a single-residue substitution at the codon:
//              V600 matches p.V600E and p.V600K, not p.V600_K601delinsE, a
//              frameshift or a stop), category, copy-number call, fusion
//              partner in either order (or any partner), exon.
//   biomarker  MSI-H on some test; TMB >= x on some test that measured it.
//   clinical   OncoTree code within a listed code or below it, and not
//              within an excluded one; solid or hematologic; age; sex; ECOG
//              at most (unknown ECOG fails); alive; prior treatment lines.
//   and/or/not as in logic; `not` is true when its child is false, so "not
//              BRAF p.V600E" keeps a V600E patient out of the arm.
// Age on the day: the centre holds birth year, registration month and age
// at registration, not the birth date, so a case's age on a day is a range
// of at most one year. A limit is met only when the whole range meets it
// (never a match the patient's real age would refuse); a case near its
// birthday is matched once the whole range has passed the limit, which can
// be months after the birthday (docs/trials.md, "Age on the day").
#pragma once

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "fedreg/v1/case.pb.h"
#include "fedreg/v1/trial.pb.h"

namespace fedreg::server {

struct ArmMatch {
  std::string arm_id;
  // Why, one line per satisfied criterion on the path through the tree, in
  // tree order: "line 12: genomic BRAF p.V600E: BRAF p.V600E (test F1CDX)".
  std::vector<std::string> why;
  bool variant_level = false;      // an exact change or codon matched (not gene or category only)
  bool exact_cancer_type = false;  // the case's code is a listed code itself (not a descendant)
};

// Ranking: variant-level before gene-level, then exact cancer type before a
// broader one, then arm id. True when `a` ranks before `b`.
bool RanksBefore(const ArmMatch& a, const ArmMatch& b);

// The case's age in whole years on `day`, as a range [lo, hi]; hi is -1
// when unbounded (an age top-coded at 90). False when the case has no age.
bool AgeRangeOn(const v1::Case& c, absl::CivilDay day, int* lo, int* hi);

// The arms of `trial` that `c` matches on `day`, ranked. Empty when the
// trial is not open, the case's site does not take part, or no open arm
// matches. Suspended arms never match.
std::vector<ArmMatch> MatchTrial(const v1::Trial& trial, const v1::Case& c, absl::CivilDay day);

// Whether `c` meets the match tree `criteria` on `day` (a cohort's
// criteria: docs/cohorts.md), with the same semantics as a trial arm's tree.
// `why` (optional) receives the lines that explain it. An empty node never
// matches.
bool MatchesCriteria(const v1::MatchNode& criteria, const v1::Case& c, absl::CivilDay day,
                     std::vector<std::string>* why = nullptr);

}  // namespace fedreg::server
