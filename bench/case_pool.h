// Real pseudonymized cases for the benches: a synthetic export
// (common/synth.h) imported by the agent's own importer into a scratch
// store, so the cases have the sizes, codes and alterations an import gives.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fedreg/v1/case.pb.h"

namespace fedreg::bench {

// `n` cases of site "ncch" (synth seed `seed`); throws std::runtime_error on failure.
std::vector<v1::Case> CasePool(int n, uint64_t seed = 42);

// The cases an agent of `site` stores after importing `files` (CSV or NDJSON
// exports) into a fresh scratch store under `scratch_dir` (removed after),
// with random linkage keys. Throws std::runtime_error on failure.
std::vector<v1::Case> ImportedCases(const std::string& site, const std::vector<std::string>& files,
                                    const std::string& scratch_dir);

}  // namespace fedreg::bench
