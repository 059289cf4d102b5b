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

// Called once per data row, with either a record (error == nullptr) or an error.
using RowCallback = std::function<void(const SourceRecord* record, const RowError* error)>;

// Reads `path` (".csv", ".ndjson" or ".jsonl"). Fails only when the file cannot
// be read or its CSV header is unusable; bad rows go to the callback.
absl::Status ReadExport(const std::string& path, const RowCallback& on_row);

enum class ExportKind { kCsv, kNdjson };

// Reads an export of the given kind from `in` (ReadExport calls this after
// opening the file); `name` is used as SourceRecord::file / RowError::file and
// in messages. Same failure rules as ReadExport.
absl::Status ReadExportStream(std::istream& in, const std::string& name, ExportKind kind, const RowCallback& on_row);

// Exposed for tests: split one CSV record (RFC 4180) into fields.
// Returns false on an unterminated quote.
bool SplitCsvRecord(const std::string& record, std::vector<std::string>* fields);

// Exposed for tests: parse the CSV list columns.
bool ParseAlterationList(const std::string& text, std::vector<SourceAlteration>* out, std::string* error);
bool ParseTreatmentList(const std::string& text, std::vector<SourceTreatment>* out, std::string* error);

// The columns an export may carry.
const std::vector<std::string>& KnownColumns();

}  // namespace fedreg::agent
