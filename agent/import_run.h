// One import of one export file (agent/importer.h says what an import does;
// this is how). Two passes over the file: the first notes how often each
// record number occurs and the VAF cells of each assay (a VAF column is in
// percent or in fraction for a whole file, common/units.h); the second
// builds, compares with what is stored and commits in chunks.
//
// Per row, in order: the record number is normalised (agent/record_number.h);
// a record number seen more than once in the file waits until the end, on
// disk (agent/held_rows.h; one person's several genomic tests become one
// case, two persons under one number are both held); a withdrawn one is
// skipped; the case is built; an update whose person differs from the
// stored case's is held; a new record number whose person is a live case
// under another number is held ("same person as record <n>"); what differs
// from the stored case is committed.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/agent_store.h"
#include "agent/case_builder.h"
#include "agent/held_rows.h"
#include "agent/importer.h"
#include "agent/person_index.h"

namespace fedreg::agent {

class ImportRun {
 public:
  struct Settings {
    std::string site_id;
    SiteKeys keys;
    size_t rows_per_commit = 512;
    RecordNumberRules record_numbers;
    ImportOptions options;
    std::string spill_dir;  // private to the agent: rows of repeated record numbers wait there (agent/held_rows.h)
  };
  // `store` and `settings` must outlive the run.
  ImportRun(AgentStore& store, const Settings& settings);

  // Fails only when the file cannot be read or the store cannot be written.
  absl::StatusOr<ImportSummary> Run(const std::string& path);
  // The same for an export held in memory (agent/quarantine_retry.h):
  // `source.name` stands for the file in messages and quarantine entries,
  // and a row's line in `text` is reported as `lines[line]` (its line in
  // that file). `source` must outlive the run.
  absl::StatusOr<ImportSummary> Run(const TextExport& source);

 private:
  // Where a record number's case lives.
  struct Target {
    std::string rkey;     // reid table key
    std::string case_id;
    bool new_reid = false;
  };

  absl::StatusOr<ImportSummary> RunRead(const std::string& label);
  // Reads the file or the text export, rows to `on_row`.
  absl::Status Read(const RowCallback& on_row, ReadInfo* info, ReadMode mode) const;
  // A line of what is read -> the line to report.
  int64_t ReportedLine(int64_t line) const;
  absl::Status ScanFile();
  void HoldVafColumnsInDoubt(const std::string& path);
  void OnRow(SourceRecord* row, const RowError* err);
  void ImportSingleRow(const SourceRecord& row, bool renumbered);
  // The held rows of one record number, read back and parsed again.
  absl::Status ImportHeld(const std::string& record_number, std::vector<HeldRows::Row>& held);
  void ImportRepeated(const std::string& record_number, const std::vector<SourceRecord>& rows,
                      const std::vector<bool>& renumbered);
  // Whether the first pass saw `record_number` (normalised) on more than one row.
  bool Repeated(const std::string& record_number) const;
  // False when the record number was withdrawn (skipped) or the store failed.
  bool TargetFor(const std::string& record_number, Target* target);
  // Stores one built case after the identity checks (compared with what is stored).
  // `renumbered`: the row's record number was normalised.
  void CommitBuilt(const SourceRecord& row, const Target& target, BuiltCase& built, bool renumbered);
  // Whether `built` may replace `old` (same person, or the operator said so);
  // holds the row when not.
  bool SamePersonAsStored(const SourceRecord& row, const v1::Case& old, const BuiltCase& built);
  // Whether `built`, under a new record number, is no live case's person;
  // holds the row when it is. False also when the store failed.
  bool NewPerson(const SourceRecord& row, const BuiltCase& built);
  // The record number of a live case (for the "same person" message).
  absl::StatusOr<std::string> RecordNumberOfCase(const std::string& case_id);
  void CountBuilt(const SourceRecord& row, const BuiltCase& built, bool renumbered);
  void Hold(const std::string& file, int64_t line, const std::string& field, const std::string& reason,
            const std::string& raw, const std::string& kind);
  void QuarantineRow(const std::string& file, int64_t line, const std::string& field, const std::string& reason,
                     const std::string& raw, const std::string& kind);
  void AfterRow();
  absl::Status Flush();

  AgentStore& store_;
  const Settings& settings_;
  std::string path_;                   // the file read, or
  const TextExport* text_ = nullptr;   // the export in memory
  ReadInfo read_info_;                 // of the second pass (the CSV header for quarantine entries)
  ImportSummary sum_;
  VafUnitDecider vaf_units_;
  FileContext file_;
  PersonIndex persons_;
  // The first pass's record numbers (normalised), as sorted 64-bit hashes:
  // 8 bytes a row. Two numbers that share a hash (about 1 in 10^7 files of a
  // million rows) only send their rows the held way, where each number is
  // still its own group.
  std::vector<uint64_t> record_number_hashes_;
  std::vector<Change> changes_;
  std::vector<v1::QuarantineEntry> quarantine_;
  // New cases of this chunk not yet committed, for the "same person" message.
  std::unordered_map<std::string, std::string> pending_record_numbers_;  // case id -> record number
  // Rows of record numbers that occur more than once, decided at the end.
  HeldRows repeated_;
  absl::Status store_error_;
};

}  // namespace fedreg::agent
