// One alteration of an export row to its standard form (DESIGN.md section 2,
// docs/export-format.md "Alterations"): the gene to its approved symbol
// (common/gene_symbols.h, NCBI Gene/HGNC), the change to HGVS short form or
// its c./exon form (common/hgvs.h), a fusion to "A::B" (common/fusion.h), the
// VAF to a fraction in the unit decided for the file (common/units.h). The
// export's own text is kept in source_text when anything was rewritten.
#pragma once

#include <map>
#include <string>

#include "agent/export_parser.h"
#include "common/units.h"
#include "fedreg/v1/case.pb.h"

namespace fedreg::agent {

// Why an alteration was refused: the field ("alterations[2].change"), the
// reason (quoting the value, valid UTF-8) and the kind for the summary
// ("gene", "hgvs", "fusion", "vaf", "kind").
struct AlterationError {
  std::string field;
  std::string reason;
  std::string kind;
};

// Builds alteration number `index` (1-based, for messages) of a test of
// `assay`. `vaf_unit` is the file's decision for the assay (an error when
// it was in doubt: then the VAF is left out, never guessed). On success fills
// `out` and adds to `normalised` (kind -> 1) what was rewritten.
bool BuildAlteration(const SourceAlteration& in, size_t index, const absl::StatusOr<VafUnit>& vaf_unit,
                     v1::Alteration* out, std::map<std::string, int>* normalised, AlterationError* error);

}  // namespace fedreg::agent
