// Imports one export file into the agent store: parse, build (normalise,
// pseudonymize), validate, compare with what is stored, and commit in chunks,
// each chunk one synced WriteBatch (agent/import_run.h: how). Re-running an
// import after a crash is idempotent: rows already committed compare equal
// and write nothing.
//
// A record number repeated within one file is one case when its rows
// describe the same person (each row adds its genomic test; every other
// field must agree), and otherwise every row of it is quarantined naming the
// lines. An update whose person differs from the stored case's is
// quarantined, never applied; so is a new record number whose person is a
// live case under another number, until the operator re-keys it (Rekey).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/agent_store.h"
#include "agent/case_builder.h"
#include "agent/export_parser.h"
#include "agent/record_number.h"

namespace fedreg::agent {

class ImportRun;

struct ImportSummary {
  std::string path;
  int64_t rows = 0;
  int64_t accepted = 0;     // new cases
  int64_t updated = 0;      // changed cases (new record_version)
  int64_t unchanged = 0;
  int64_t quarantined = 0;  // rows held back (their case was not stored)
  int64_t skipped_withdrawn = 0;  // record numbers whose consent was withdrawn
  int64_t merged_tests = 0;       // rows that added a genomic test to the case of an earlier row (same person)
  int64_t alterations_quarantined = 0;  // alterations held back while their case went in
  int64_t empty_rows = 0;         // rows empty but for delimiters: skipped, not counted in `rows`
  int64_t normalised = 0;         // rows with at least one value rewritten to its standard form
  std::map<std::string, int64_t> normalised_by_kind;  // "hgvs", "gene", "fusion", "oncotree", "date", ...
  std::map<std::string, int64_t> refused_by_kind;     // quarantined rows and alterations, by kind
  std::string encoding;           // "UTF-8", "UTF-8 with BOM", "CP932"
  std::vector<std::string> errors;  // "file:line: field: reason", the first kMaxErrors

  static constexpr size_t kMaxErrors = 50;
};

// Counts since the agent started, for `fedregctl agent status` and /metrics.
struct ImportTotals {
  int64_t normalised = 0;
  std::map<std::string, int64_t> normalised_by_kind;
  std::map<std::string, int64_t> refused_by_kind;
};

// An export held in memory: refused rows re-validated (agent/quarantine_retry.h).
struct TextExport {
  std::string name;                 // the file the rows came from (messages and entries name it)
  ExportKind kind = ExportKind::kCsv;
  std::string text;                 // CSV with its header line, or NDJSON
  std::map<int64_t, int64_t> lines; // line of a row in `text` -> its line in `name`
};

struct ImportOptions {
  // Apply updates whose person (name, birth date, sex) differs from the
  // stored case's: the operator confirms that the identity was corrected.
  // Default: false (such updates are quarantined).
  bool accept_identity_changes = false;
  // Store a new record number even when its person (name, birth date, sex)
  // is a live case under another number: the operator confirms that two
  // patients share those. Default: false (such rows are held with "same
  // person as record <n>").
  bool accept_same_person = false;
};

class Importer {
 public:
  // `store` must outlive the importer.
  Importer(AgentStore& store, std::string site_id, SiteKeys keys, size_t rows_per_commit = 512,
           RecordNumberRules record_numbers = {});

  // Fails only when the file cannot be read or the store cannot be written
  // (RESOURCE_EXHAUSTED on a full disk); bad rows are quarantined and counted.
  // Thread-safe: imports run one at a time.
  absl::StatusOr<ImportSummary> ImportFile(const std::string& path, const ImportOptions& options = {});
  // The same for an export held in memory; one import at a time with ImportFile.
  absl::StatusOr<ImportSummary> ImportText(const TextExport& source, const ImportOptions& options = {});

  struct Withdrawal {
    std::string case_id;
    uint64_t seq = 0;
  };
  // Consent withdrawn for `record_number`: deletes the case and enqueues a
  // tombstone in one WriteBatch, and marks the reid entry so that later
  // imports skip the record number. NOT_FOUND when the record number is
  // unknown; FAILED_PRECONDITION when it is already withdrawn.
  absl::StatusOr<Withdrawal> Withdraw(const std::string& record_number, const std::string& reason);

  // The hospital renumbered a patient: the case of `old_number` is kept
  // under `new_number` (same case id, so the centre sees no change and
  // nothing is sent). Both are normalised as imports normalise them.
  // NOT_FOUND when `old_number` is unknown; FAILED_PRECONDITION when it is
  // withdrawn; ALREADY_EXISTS when `new_number` already has a case;
  // INVALID_ARGUMENT when they are the same number or `new_number` is not a
  // record number. Returns the case id.
  absl::StatusOr<std::string> Rekey(const std::string& old_number, const std::string& new_number);

  // What every import since start normalised and refused. Thread-safe.
  ImportTotals Totals() const;

  // The site's reid key (re-identifying notices at the admin socket).
  const std::string& reid_key() const { return keys_.reid_key; }

 private:
  AgentStore& store_;
  const std::string site_id_;
  const SiteKeys keys_;
  const size_t rows_per_commit_;
  const RecordNumberRules record_numbers_;
  const std::string spill_dir_;  // where an import's held rows wait (agent/held_rows.h)
  struct StoredNumber {
    std::string rkey;
    v1::ReidEntry entry;
  };
  // The reid entry of a record number, under this site's rules or as given.
  absl::StatusOr<std::optional<StoredNumber>> FindStored(const std::string& record_number);

  // Adds a finished import to the totals and logs it.
  absl::StatusOr<ImportSummary> Tally(absl::StatusOr<ImportSummary> result, const std::string& path);
  // One import run (ImportFile, ImportText) under the import lock: the
  // settings, the tally, and the run's memory handed back to the system.
  // `bytes`: the export's size; from kLargeImportBytes on, the run's memory
  // is handed back after it.
  static constexpr uintmax_t kLargeImportBytes = 4 << 20;
  absl::StatusOr<ImportSummary> RunOnce(const ImportOptions& options, const std::string& label, uintmax_t bytes,
                                        const std::function<absl::StatusOr<ImportSummary>(ImportRun&)>& run_it);
  std::mutex mu_;  // one import or withdrawal at a time
  mutable std::mutex totals_mu_;
  ImportTotals totals_;  // guarded by totals_mu_
};

// A random case id for the site: "<site>-" + 10 of [0-9A-Z].
std::string NewCaseId(const std::string& site_id);

}  // namespace fedreg::agent
