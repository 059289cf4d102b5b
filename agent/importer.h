// Imports one export file into the agent store: parse, build (pseudonymize),
// validate, compare with what is stored, and commit in chunks, each chunk one
// synced WriteBatch. Re-running an import after a crash is idempotent: rows
// already committed compare equal and write nothing.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/agent_store.h"
#include "agent/case_builder.h"

namespace fedreg::agent {

struct ImportSummary {
  std::string path;
  int64_t rows = 0;
  int64_t accepted = 0;     // new cases
  int64_t updated = 0;      // changed cases (new record_version)
  int64_t unchanged = 0;
  int64_t quarantined = 0;
  int64_t skipped_withdrawn = 0;  // record numbers whose consent was withdrawn
  std::vector<std::string> errors;  // "file:line: field: reason", the first kMaxErrors

  static constexpr size_t kMaxErrors = 50;
};

class Importer {
 public:
  // `store` must outlive the importer.
  Importer(AgentStore& store, std::string site_id, SiteKeys keys, size_t rows_per_commit = 512);

  // Fails only when the file cannot be read or the store cannot be written
  // (RESOURCE_EXHAUSTED on a full disk); bad rows are quarantined and counted.
  // Thread-safe: imports run one at a time.
  absl::StatusOr<ImportSummary> ImportFile(const std::string& path);

  struct Withdrawal {
    std::string case_id;
    uint64_t seq = 0;
  };
  // Consent withdrawn for `record_number`: deletes the case and enqueues a
  // tombstone in one WriteBatch, and marks the reid entry so that later
  // imports skip the record number. NOT_FOUND when the record number is
  // unknown; FAILED_PRECONDITION when it is already withdrawn.
  absl::StatusOr<Withdrawal> Withdraw(const std::string& record_number, const std::string& reason);

 private:
  AgentStore& store_;
  const std::string site_id_;
  const SiteKeys keys_;
  const size_t rows_per_commit_;
  // Reads and decrypts the reid entry; nullopt when absent.
  absl::StatusOr<std::optional<v1::ReidEntry>> LoadReid(const std::string& rkey);

  std::mutex mu_;  // one import or withdrawal at a time
};

// A random case id for the site: "<site>-" + 10 of [0-9A-Z].
std::string NewCaseId(const std::string& site_id);

}  // namespace fedreg::agent
