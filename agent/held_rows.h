// The rows of an import whose record number occurs more than once in the
// file (agent/import_run.h), kept until the file's end on disk rather than in
// memory: a 1,000,000-case export with one patient in ten tested twice holds
// about 230,000 such rows, 600 MiB as parsed records and about 56 bytes each
// here (the record number, the line, and where the row's text is in the spill).
//
// The spill is an unnamed file (O_TMPFILE, or a name unlinked at once where
// the file system lacks it) in the directory given, which must be private to
// the agent (its data directory, 0700): the rows hold identifiers. It is gone
// when the run ends or the process dies; nothing is left to clean up.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace fedreg::agent {

class HeldRows {
 public:
  // One held row, read back: its text as read (SourceRecord::raw) and the
  // line to report.
  struct Row {
    int64_t line = 0;
    std::string raw;
  };

  // `dir`: where the spill file goes (made on the first Hold).
  explicit HeldRows(std::string dir);
  ~HeldRows();
  HeldRows(const HeldRows&) = delete;
  HeldRows& operator=(const HeldRows&) = delete;

  // Keeps `raw` (the row's text) under its normalised record number.
  // Fails when the spill file cannot be made or written (disk full).
  absl::Status Hold(const std::string& record_number, int64_t line, const std::string& raw);

  // Calls `group` once per record number, in the record numbers' byte order,
  // with that number's rows in the order they were held. Stops at the first
  // error: a read of the spill that fails, or `group`'s own.
  absl::Status ForEachGroup(
      const std::function<absl::Status(const std::string& record_number, std::vector<Row>& rows)>& group);

  size_t size() const { return held_.size(); }

 private:
  struct Held {
    std::string record_number;
    int64_t line;
    uint64_t offset;
    uint32_t length;
  };
  absl::Status Open();

  std::string dir_;
  int fd_ = -1;
  uint64_t end_ = 0;  // bytes written to the spill
  std::vector<Held> held_;
};

}  // namespace fedreg::agent
