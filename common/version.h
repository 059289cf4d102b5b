// This build's release (the project version in CMakeLists.txt), exchanged
// at Hello so each side knows the other's (docs/protocol.md, "Versions").
#pragma once

#include <string>

namespace fedreg {

// "0.3.0"
const char* FedregVersion();

// Whether release `a` ("MAJOR.MINOR.PATCH") is older than `b`, comparing
// numbers; a part that is not a number counts as 0.
bool ReleaseOlder(const std::string& a, const std::string& b);

}  // namespace fedreg
