// Cohort queries over the centre's current cases (docs/cohorts.md): which
// cases meet a match tree, counted in groups, with the trials' own matcher
// (server/trial_matcher.h MatchesCriteria), so a cohort and a trial arm with
// the same criteria count the same cases. Also the persons registered at
// more than one hospital. Reads only; no lock beyond RocksDB's iterators (a
// query sees each case as stored when its iterator reached it).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "fedreg/v1/cohort.pb.h"
#include "server/centre_store.h"

namespace fedreg::server {

// The dimensions a cohort can be grouped by: "site", "oncotree", "tissue",
// "month" (registration month "YYYY-MM"), "gene", "gene_kind" ("BRAF
// missense": gene and kind of alteration, for the alterations chart),
// "class" ("solid", "hematologic").
const std::vector<std::string>& CohortDimensions();

// The kind of an alteration as cBioPortal's OncoPrint groups them:
// "missense", "truncating", "inframe", "splice", "other_mutation",
// "fusion", "amplification", "deletion" (from MAF's Variant_Classification
// where intake set it, else from the protein change's shape).
std::string AlterationKindOf(const v1::Alteration& a);

// The values `c` counts under for dimension `by` (one for most; every
// distinct gene, or gene and kind, the case carries for "gene" and
// "gene_kind", none when it carries none).
std::vector<std::string> CohortValues(const v1::Case& c, const std::string& by);

// Runs the query: every current case of the request's sites (all when
// none) that meets the criteria on `day` (ages are taken on that day).
// Case ids are listed only when `with_case_ids` (never for sponsors).
// INVALID_ARGUMENT for an unknown dimension or a malformed site id (a
// well-formed id of no hospital reads nothing).
absl::StatusOr<v1::CohortResponse> RunCohort(const CentreStore& store, const v1::CohortRequest& req,
                                             absl::CivilDay day, bool with_case_ids);

// Small-cell suppression for sponsors, as the view's (SuppressSmallCells):
// a count from 1 to k-1 is hidden ("<k", set to 0); when exactly one group
// is hidden, the smallest visible one is hidden too; for a dimension whose
// groups split the cases (all but gene and gene_kind), visible groups are
// hidden, smallest first, until the hidden ones add up to 0 or at least k;
// a hidden total hides every group. Case ids, distinct persons and the
// number of cases read are removed (each could give a small count away).
void SuppressCohort(int k, const std::string& by, v1::CohortResponse* resp);

// Persons with current cases at two or more hospitals; the list (up to
// `limit`) only when `with_cases`.
absl::StatusOr<v1::ListMultiSitePersonsResponse> ListMultiSitePersons(const CentreStore& store, size_t limit,
                                                                      bool with_cases);

// Sponsors: the count hidden when it is 1 to k-1, the list and the
// per-count breakdown removed.
void SuppressMultiSitePersons(int k, v1::ListMultiSitePersonsResponse* resp);

}  // namespace fedreg::server
