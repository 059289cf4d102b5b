// The project's own OncoTree table: every code the registry accepts, with its
// tissue and whether it is solid or hematologic. Compiled in: nothing is read
// from disk at run time. Codes follow OncoTree version kOncoTreeVersion.
#pragma once

#include <string_view>
#include <vector>

#include "fedreg/v1/case.pb.h"

namespace fedreg {

inline constexpr std::string_view kOncoTreeVersion = "oncotree_2025_10_03";

struct OncoTreeEntry {
  std::string_view code;
  std::string_view name;
  std::string_view tissue;
  v1::CancerClass cancer_class;
};

// Returns the entry for `code` (exact, upper case), or nullptr when unknown.
const OncoTreeEntry* FindOncoTree(std::string_view code);

// Every entry, in table order.
const std::vector<OncoTreeEntry>& OncoTreeTable();

}  // namespace fedreg
