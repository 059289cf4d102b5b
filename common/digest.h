// The per-site reconciliation digest kept by both the agent and the centre:
// the sum (mod 2^64) over the site's cases of the first 8 bytes of
// SHA-256("<case_id>:<record_version>"). A sum rather than XOR, so that a
// case counted twice does not cancel out. Order-independent and updated
// incrementally: an update subtracts the old term and adds the new.
#pragma once

#include <cstdint>
#include <string>

#include "common/crypto.h"

namespace fedreg {

inline uint64_t CaseDigestTerm(const std::string& case_id, uint64_t record_version) {
  std::string h = crypto::Sha256(case_id + ":" + std::to_string(record_version));
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(h[i]);
  return v;
}

}  // namespace fedreg
