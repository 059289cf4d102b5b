// Reading hospital export files (docs/export-format.md) row by row, with
// constant memory whatever the file size. Parsing only splits text into
// named fields; meaning is checked by the case builder.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace fedreg::agent {

struct SourceAlteration {
  std::string gene, kind, change, vaf;
};

struct SourceTreatment {
  std::string line, drugs, start, end, response, trial;  // drugs joined by '+'
};

// One row as text. Identifier fields are in `fields` too; the row never
// leaves the agent.
struct SourceRecord {
  std::string file;
  int64_t line = 0;   // 1-based line where the row starts
  std::string raw;    // the row as read
  std::map<std::string, std::string> fields;
  std::vector<SourceAlteration> alterations;
  std::vector<SourceTreatment> treatments;

  // "" when absent.
  const std::string& Get(const std::string& name) const;
};

// A row that could not be split into fields.
struct RowError {
  std::string file;
  int64_t line = 0;
  std::string field;   // "" when the row as a whole is malformed
  std::string reason;
  std::string raw;
};

// Called once per data row, with either a record (error == nullptr) or an
// error. The record is the callback's to change or move from.
using RowCallback = std::function<void(SourceRecord* record, const RowError* error)>;

// What reading a file found besides its rows.
struct ReadInfo {
  std::string encoding = "UTF-8";  // "UTF-8", "UTF-8 with BOM", "CP932" (decoded), "UTF-8 (N damaged lines quarantined)"
  int64_t empty_rows = 0;          // rows empty but for delimiters and spaces: skipped, not counted as rows
  // CSV: the header line as read (no BOM, no CR), set before the first row
  // is delivered, so a refused row can be written back with it. "" for NDJSON.
  std::string csv_header;
};

// Reads `path` (".csv", ".ndjson" or ".jsonl"). The text encoding is decided
// for the whole file before parsing (common/text_encoding.h): UTF-8, with or
// without BOM, is read as it streams; a file that is not valid UTF-8 is
// decoded as Shift_JIS/CP932 when it is clean CP932; a UTF-8 file with a few
// damaged lines (at most 1 in 100) is read as UTF-8 and those rows are
// quarantined; anything else is refused as a whole (INVALID_ARGUMENT saying
// what to do): never half-imported with garbled names. Every scalar cell is trimmed (ASCII space and U+3000).
// Fails only when the file cannot be read or decoded, or its CSV header is
// unusable; bad rows go to the callback. `info` (optional) is filled.
// kScan is for a first pass over a file (the importer's): rows carry only
// record_number, assay and alterations, and CSV rows skip the other cells'
// copies and the treatment list (about half the parse).
enum class ReadMode { kFull, kScan };
absl::Status ReadExport(const std::string& path, const RowCallback& on_row, ReadInfo* info = nullptr,
                        ReadMode mode = ReadMode::kFull);

enum class ExportKind { kCsv, kNdjson };

// Reads an export of the given kind from `in` (ReadExport calls this after
// opening the file); `name` is used as SourceRecord::file / RowError::file and
// in messages. Same failure rules as ReadExport.
// The kind of export a file name says (".csv", ".ndjson", ".jsonl");
// *known is false for any other name (ReadExport refuses those).
ExportKind KindOf(const std::string& path, bool* known);

absl::Status ReadExportStream(std::istream& in, const std::string& name, ExportKind kind, const RowCallback& on_row,
                              ReadInfo* info = nullptr, ReadMode mode = ReadMode::kFull);

// Exposed for tests: split one CSV record (RFC 4180) into fields.
// Returns false on an unterminated quote.
bool SplitCsvRecord(const std::string& record, std::vector<std::string>* fields);

// Exposed for tests: parse the CSV list columns.
bool ParseAlterationList(const std::string& text, std::vector<SourceAlteration>* out, std::string* error);
bool ParseTreatmentList(const std::string& text, std::vector<SourceTreatment>* out, std::string* error);

// The columns an export may carry.
const std::vector<std::string>& KnownColumns();

// Whether a column identifies the patient (docs/export-format.md, "Fields":
// record_number, the names and their readings, birth_date). Such values
// never leave the agent and are shown only to the agent's own user.
bool IsIdentifyingColumn(const std::string& name);

}  // namespace fedreg::agent
