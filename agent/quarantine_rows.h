// Reading quarantined rows back (agent/admin_quarantine.cc): unsealing the
// raw row, splitting it into named fields, and grouping rows into files in
// their source's format, for `fedregctl agent quarantine show|export|retry`.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/importer.h"
#include "fedreg/v1/quarantine.pb.h"

namespace fedreg::agent {

// The raw row of an entry ("" when it has none: a file-level hold, or a
// centre refusal). DATA_LOSS when the seal does not open with `reid_key`.
absl::StatusOr<std::string> UnsealRow(const v1::QuarantineEntry& entry, const std::string& reid_key);

// "csv" for a row with its file's header, "ndjson" for a JSON object row, ""
// when the row cannot be written back (no header: an entry from before
// schema 2, or no row at all).
std::string RowFormat(const v1::QuarantineEntry& entry, const std::string& raw);

// The row's cells by column, in file order. False when the row cannot be
// split (its format is "", or it is the malformed row that was refused).
bool RowFields(const v1::QuarantineEntry& entry, const std::string& raw,
               std::vector<std::pair<std::string, std::string>>* fields);

// A quarantined row with its raw text.
struct HeldRow {
  uint64_t id = 0;
  v1::QuarantineEntry entry;
  std::string raw;
};

// Rows grouped into importable exports: one per (file, format, header), rows
// in line order, CSV with its header line. `lines` maps each row's line in
// the text back to its line in the file. Rows whose format is "" are left
// out, with the reason, in `skipped` (entry id, why).
struct RowGroup {
  TextExport text;
  std::string format;            // "csv" or "ndjson"
  std::vector<uint64_t> ids;     // in row order
};
std::vector<RowGroup> GroupRows(const std::vector<HeldRow>& rows,
                                std::vector<std::pair<uint64_t, std::string>>* skipped);

}  // namespace fedreg::agent
