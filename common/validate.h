// Validation of a pseudonymized Case. The same code runs at the agent (before
// storing) and at the centre (before applying), so both sides agree on what a
// valid record is.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fedreg/v1/case.pb.h"

namespace fedreg {

struct FieldError {
  std::string field;   // proto field path, e.g. "tests[0].alterations[1].protein_change"
  std::string reason;
};

// Returns every problem found (empty = valid). Never throws; any input is safe.
std::vector<FieldError> ValidateCase(const v1::Case& c);

// "field: reason; field: reason" for logs and rejections.
std::string FormatErrors(const std::vector<FieldError>& errors);

// Building blocks, exposed for the importers and tests.
bool IsValidCaseId(std::string_view case_id, std::string_view site_id);
bool IsHgncLikeSymbol(std::string_view gene);
// "T1:<64 hex>", "T1v2:<64 hex>", "K1v2:<64 hex>" (docs/pseudonymization.md).
bool IsLinkToken(std::string_view token);
// An approved symbol of the gene table exactly as stored (common/gene_symbols.h).
bool IsApprovedGene(std::string_view gene);
bool IsHgvsProteinShort(std::string_view change);   // "p.V600E", "p.E746_A750del", "p.Q61*", ...
bool IsFusionName(std::string_view fusion);         // "EML4::ALK"
bool IsSiteId(std::string_view site_id);            // [a-z][a-z0-9-]{1,31}

}  // namespace fedreg
