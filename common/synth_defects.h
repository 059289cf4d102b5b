// What a hospital's export system does to a synthetic row on the way out
// (common/synth.h): the valid but non-canonical forms real exports write
// (ApplyExportForms), and the deliberately malformed rows that exercise the
// importer's quarantine (ApplyDefect). Only ApplyDefect makes a row or an
// alteration that the importer refuses.
// Pure functions of their arguments and the Rng; any thread with its own Rng.
#pragma once

#include "common/synth_random.h"
#include "common/synth_row.h"

namespace fedreg::synth {

// The kinds of deliberate defect, each refused by the importer: most hold
// the whole row back, kBadHgvs, kBadVaf and kBadAlterationKind one
// alteration of the row's first test.
enum class Defect {
  kUnknownOncoTree,
  kBadHgvs,
  kMissingRequired,
  kNonNumericEcog,
  kBadDate,
  kDeathBeforeLastContact,
  kInvalidUtf8Name,
  kTooFewColumns,
  kBadSex,
  kDeathWhileAlive,
  kBadRecordNumber,
  kEcogOutOfRange,
  kBadVaf,
  kBadAlterationKind,
  kBadResponse,
  kNonNumericTmb,
};
constexpr int kNumDefects = 16;

// Rewrites valid values into the other forms real exports use
// (docs/export-format.md), at rates seen in hospital exports, so that the
// demo, the fault suite and the benchmark go through the importer's
// normalisation (issue 10). The site index decides the file-wide habits (a
// percent VAF column for liquid biopsies, a clinical gene name, slash dates);
// single cells vary at low rates. Every result is accepted by the importer.
void ApplyExportForms(Rng& rng, int site, Row& row);

// Makes `row` malformed in the way `defect` names. REQUIRES: the row has at
// most one genomic test (a defect is planted in a single-line case).
void ApplyDefect(Rng& rng, Defect defect, Row& row);

}  // namespace fedreg::synth
