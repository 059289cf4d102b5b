// One synthetic export row and its rendering as a CSV or NDJSON line
// (common/synth.h; the layouts are docs/export-format.md's).
//
// A Row holds every field as the text the hospital writes. A case with
// several genomic tests is written as one line per test, all with the same
// record number and the same other fields (export-format.md, "Record
// numbers"); a case with none is one line with empty test fields.
// Pure functions of their arguments (and the Rng for malformed rows); any
// thread with its own Rng.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/synth_data.h"
#include "common/synth_random.h"

namespace fedreg::synth {

struct AlterationRow {
  std::string gene, kind, change, vaf;
};

struct TreatmentRow {
  std::string line, drugs, start, end, response, trial;
};

// One genomic test: the fields that may differ between a case's lines.
struct TestRow {
  std::string assay, specimen, report_date, tmb, msi;
  std::vector<AlterationRow> alterations;
};

struct Row {
  std::string record_number, family_name, given_name, birth_date, sex, registration_date,
      diagnosis_date, oncotree_code, extent, ecog, vital_status, last_contact_date, death_date;
  std::vector<TestRow> tests;  // in report order; the first is the test at registration
  std::vector<TreatmentRow> treatments;
  bool truncated = false;  // malformed: too few CSV columns / cut-off JSON (one test at most)
  // Not exported.
  int64_t reg_day = 0;
};

// The header line of a CSV export in `style` (with the BOM when the style
// has one).
std::string CsvHeader(const ExportStyle& style);

// The line of `row` for its test `test` (an index into row.tests; 0 when the
// row has no test). A truncated row is cut at a random column (CSV) or a
// random byte (NDJSON), drawn from `rng`; other rows draw nothing.
std::string CsvLine(const Row& row, size_t test, const ExportStyle& style, Rng& rng);
std::string NdjsonLine(const Row& row, size_t test, const ExportStyle& style, Rng& rng);

}  // namespace fedreg::synth
