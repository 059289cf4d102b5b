// The registry's hospitals, compiled in (the project's own copy of the list).
#pragma once

#include <string_view>
#include <vector>

namespace fedreg {

struct SiteInfo {
  std::string_view id;       // used in certificates (spiffe://.../site/<id>) and case ids
  std::string_view name;
  std::string_view name_ja;
};

// The 11 partner hospitals, in the order they joined.
const std::vector<SiteInfo>& Sites();

// Returns the site or nullptr.
const SiteInfo* FindSite(std::string_view id);

}  // namespace fedreg
