// The open trials the centre matches against, indexed so that a case is
// tested only against trials it could match (docs/trials.md, "Matching at
// the centre"). Derived from the stored trials; rebuilt whenever one changes.
//
// Each arm's tree (the trial's tree and the arm's, both required) is read
// for what it cannot match without:
//   - genes: a gene every matching case must carry an alteration in (a
//     genomic criterion under `and` nodes only; an `or` of such criteria
//     gives the union of their genes; `not` gives nothing);
//   - else OncoTree codes: a code the case's code must be within.
// A trial whose arms all need genes is listed under each of those genes; else
// under codes when they all need codes; else it is tested against every case
// (for example MSI-H alone). The index only narrows: MatchTrial decides.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fedreg/v1/case.pb.h"
#include "fedreg/v1/trial.pb.h"

namespace fedreg::server {

class MatchIndex {
 public:
  // Every trial as stored; only open ones are indexed (suspended and closed
  // trials make no new matches, but their open matches need their status).
  void Rebuild(const std::vector<v1::StoredTrial>& trials);

  // Every trial, by id (nullptr when unknown).
  const v1::StoredTrial* Find(const std::string& trial_id) const;
  const std::map<std::string, v1::StoredTrial>& trials() const { return trials_; }

  // The open trials `c` could match (ids, sorted, no duplicates). Suspended
  // trials make no new matches, so they are not candidates.
  std::vector<std::string> Candidates(const v1::Case& c) const;

  // How a trial is indexed, for tests and `trials show`: "genes BRAF",
  // "codes BOWEL, LUNG", "every case".
  std::string IndexedBy(const std::string& trial_id) const;

  // True when some criterion of the trial limits age (re-checked daily).
  static bool HasAgeLimit(const v1::Trial& trial);

 private:
  std::map<std::string, v1::StoredTrial> trials_;
  std::map<std::string, std::vector<std::string>> by_gene_;
  std::map<std::string, std::vector<std::string>> by_code_;
  std::vector<std::string> every_case_;
  std::map<std::string, std::string> indexed_by_;
};

}  // namespace fedreg::server
