// Synthetic hospital exports for tests, benchmarks and the demo.
//
// WriteExports() writes one export file per hospital in the layout of
// docs/export-format.md: `<out_dir>/<site>.csv` for sites at an even index of
// fedreg::Sites() and `<out_dir>/<site>.ndjson` for odd ones. The data are
// drawn from the registry's rare-cancer case mix and alteration priors (the
// facts are compiled in, see synth_data.h), with protein changes and fusion
// partners from per-gene spectra (synth_spectrum.h), MSI and TMB by cancer
// type, deaths and follow-up; about one case in ten has a later genomic test
// (a metastasis or a liquid biopsy), written as a second line with the same
// record number. A small share of rows is deliberately malformed (the only
// rows or alterations the importer refuses) and a small share of persons is
// registered at two hospitals, so that import, quarantine and record linkage
// can be exercised.
//
// Output is a pure function of the options: the same seed gives byte-identical
// files on every platform (std::mt19937_64 with hand-written distributions).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace fedreg::synth {

struct SynthOptions {
  uint64_t seed = 42;                // same seed => byte-identical files
  int total_cases = 5000;            // cases across all sites, split by a per-site weight
  double shared_person_rate = 0.03;  // persons also registered at a second hospital
  double malformed_rate = 0.004;     // fraction of deliberately bad rows
  std::string out_dir;               // created if missing
  std::vector<std::string> sites;    // empty = all 11 sites from fedreg::Sites()
};

struct SynthResult {
  std::vector<std::string> files;  // paths written, in fedreg::Sites() order
  int64_t rows = 0;                // data rows written (header and blank lines not counted)
  int64_t malformed = 0;           // rows that are deliberately bad
  int64_t shared_persons = 0;      // persons registered at two hospitals
  int64_t later_tests = 0;         // rows that add a later genomic test to the case of the row
                                   // before (rows = total_cases + later_tests)
};

// Writes the exports. `total_cases` counts every case of every site,
// including the second registrations of shared persons and the malformed
// rows; a case with later genomic tests is one more row per test. Sites keep
// their file layout (CSV or NDJSON) from their index in fedreg::Sites() also
// when `sites` selects a subset. Returns InvalidArgument for bad options
// (unknown or repeated site, rates outside [0, 1], total outside
// 0..2,000,000, empty out_dir) and Internal when a file cannot be written.
absl::StatusOr<SynthResult> WriteExports(const SynthOptions& options);

}  // namespace fedreg::synth
