#include "common/version.h"

#include <cstdlib>
#include <sstream>
#include <vector>

namespace fedreg {
namespace {

std::vector<long> Parts(const std::string& v) {
  std::vector<long> out;
  std::stringstream in(v);
  std::string part;
  while (std::getline(in, part, '.')) out.push_back(std::strtol(part.c_str(), nullptr, 10));
  out.resize(3, 0);
  return out;
}

}  // namespace

const char* FedregVersion() { return FEDREG_VERSION; }

bool ReleaseOlder(const std::string& a, const std::string& b) { return Parts(a) < Parts(b); }

}  // namespace fedreg
