// Real pseudonymized cases for the benches: a synthetic export
// (common/synth.h) imported by the agent's own importer into a scratch
// store, so the cases have the sizes, codes and alterations an import gives.
#pragma once

#include <cstdint>
#include <vector>

#include "fedreg/v1/case.pb.h"

namespace fedreg::bench {

// `n` cases of site "ncch" (synth seed `seed`); throws std::runtime_error on failure.
std::vector<v1::Case> CasePool(int n, uint64_t seed = 42);

}  // namespace fedreg::bench
