// The national view's dimensions: which counters one case contributes to.
// An update subtracts the old record's contributions and adds the new one's,
// in the same WriteBatch as the case, so the view never drifts from the cases.
#pragma once

#include <string>
#include <vector>

#include "fedreg/v1/case.pb.h"

namespace fedreg::server {

// Separator between dimension and value in a view key (on disk: never change).
inline constexpr char kViewSep = '\x1f';

// View keys "dimension\x1fvalue" that `c` adds 1 to; each key at most once.
// Dimensions: cases, site, class, oncotree, tissue, gene, alteration, msi,
// tmb, month (registration month and class), vital.
std::vector<std::string> ViewKeys(const v1::Case& c);

// The key counting unique persons (distinct T1 link tokens across sites).
std::string PersonsViewKey();

// Human names for enums used as view values.
std::string ClassName(v1::CancerClass c);

// The person key of a case: its T1 link token, or its case id when it has none.
std::string PersonKey(const v1::Case& c);

}  // namespace fedreg::server
