#include "agent/importer.h"

#include <filesystem>

#include <malloc.h>
#include <spdlog/spdlog.h>

#include "agent/import_run.h"
#include "agent/reid_table.h"
#include "common/crypto.h"
#include "common/rocks_util.h"
#include "common/text_fold.h"
#include "common/utf8.h"

namespace fedreg::agent {

std::string NewCaseId(const std::string& site_id) {
  static const char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  auto bytes = crypto::RandomBytes(10);
  std::string id = site_id + "-";
  for (unsigned char b : bytes.value()) id.push_back(kAlphabet[b % 36]);  // bias is irrelevant here
  return id;
}

namespace {

// Held rows wait beside the store, in the agent's private data directory.
std::string SpillDirOf(const AgentStore& store) {
  std::string dir = std::filesystem::path(store.path()).parent_path().string();
  return dir.empty() ? "." : dir;
}

}  // namespace

Importer::Importer(AgentStore& store, std::string site_id, SiteKeys keys, size_t rows_per_commit,
                   RecordNumberRules record_numbers)
    : store_(store),
      site_id_(std::move(site_id)),
      keys_(std::move(keys)),
      rows_per_commit_(rows_per_commit),
      record_numbers_(record_numbers),
      spill_dir_(SpillDirOf(store)) {}

absl::StatusOr<ImportSummary> Importer::ImportFile(const std::string& path, const ImportOptions& options) {
  std::error_code ec;
  const uintmax_t bytes = std::filesystem::file_size(path, ec);
  return RunOnce(options, path, ec ? 0 : bytes, [&](ImportRun& run) { return run.Run(path); });
}

absl::StatusOr<ImportSummary> Importer::ImportText(const TextExport& source, const ImportOptions& options) {
  return RunOnce(options, source.name + " (rows retried from the quarantine)", source.text.size(),
                 [&](ImportRun& run) { return run.Run(source); });
}

absl::StatusOr<ImportSummary> Importer::RunOnce(
    const ImportOptions& options, const std::string& label, uintmax_t bytes,
    const std::function<absl::StatusOr<ImportSummary>(ImportRun&)>& run_it) {
  std::lock_guard<std::mutex> lock(mu_);
  SkipRocksPerfCounters();  // the calling thread (an admin call's) writes the file's cases in bulk
  const ImportRun::Settings settings{site_id_, keys_, rows_per_commit_, record_numbers_, options, spill_dir_};
  absl::StatusOr<ImportSummary> result;
  {
    ImportRun run(store_, settings);
    result = Tally(run_it(run), label);
  }
  // A large file's run leaves its memtables full and many small blocks free
  // in malloc's heap (the records and cases of each chunk); glibc keeps them
  // resident unless asked, so the agent would sit at the import's peak while
  // its backlog drains. Flushing the memtables and handing the heap back
  // brings a 1,000,000-row import's agent to its floor. Not after a small
  // file: malloc_trim walks every arena under its lock (0.7 ms typical,
  // 10 ms at p90, measured on the 10-row files of bench/run.sh's trickle),
  // stalling the sender on the freshness path for nothing to gain.
  if (bytes >= kLargeImportBytes) {
    if (auto f = store_.FlushMemtables(); !f.ok()) spdlog::warn("after a large import: {}", f.ToString());
    ::malloc_trim(0);
  }
  return result;
}

absl::StatusOr<ImportSummary> Importer::Tally(absl::StatusOr<ImportSummary> result, const std::string& path) {
  if (!result.ok()) return result.status();
  const ImportSummary& sum = *result;
  {
    std::lock_guard<std::mutex> tl(totals_mu_);
    totals_.normalised += sum.normalised;
    for (const auto& [k, n] : sum.normalised_by_kind) totals_.normalised_by_kind[k] += n;
    for (const auto& [k, n] : sum.refused_by_kind) totals_.refused_by_kind[k] += n;
  }
  spdlog::info("imported {} ({}): rows {}, accepted {}, updated {}, unchanged {}, quarantined {} (and {} "
               "alterations), normalised {}, tests merged {}, empty rows {}, skipped (withdrawn) {}",
               path, sum.encoding, sum.rows, sum.accepted, sum.updated, sum.unchanged, sum.quarantined,
               sum.alterations_quarantined, sum.normalised, sum.merged_tests, sum.empty_rows, sum.skipped_withdrawn);
  return result;
}

ImportTotals Importer::Totals() const {
  std::lock_guard<std::mutex> lock(totals_mu_);
  return totals_;
}

absl::StatusOr<std::optional<Importer::StoredNumber>> Importer::FindStored(const std::string& record_number) {
  // The number under this site's rules first, then as given: a store filled
  // before `record-number-leading-zeros = "strip"` holds "000123" as such.
  const std::string normalised = NormalizeRecordNumber(record_number, record_numbers_);
  const std::string as_given = FoldWidth(record_number);
  for (const std::string* number : {&normalised, &as_given}) {
    const std::string rkey = ReidKey(keys_.reid_key, *number);
    auto entry = LoadReidEntry(store_, keys_.reid_key, rkey);
    if (!entry.ok()) return entry.status();
    const std::optional<v1::ReidEntry>& found = *entry;
    if (found.has_value()) return std::optional<StoredNumber>(StoredNumber{rkey, *found});
  }
  return std::optional<StoredNumber>();
}

absl::StatusOr<Importer::Withdrawal> Importer::Withdraw(const std::string& record_number, const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  auto stored_number = FindStored(record_number);
  if (!stored_number.ok()) return stored_number.status();
  const std::optional<StoredNumber>& found = *stored_number;
  if (!found.has_value()) return absl::NotFoundError("no case with this record number at this site");
  const std::string rkey = found->rkey;
  v1::ReidEntry e = found->entry;
  if (e.withdrawn()) return absl::FailedPreconditionError("case " + e.case_id() + " is already withdrawn");
  auto stored = store_.GetCase(e.case_id());
  if (!stored.ok()) return stored.status();
  const std::optional<v1::Case>& current = *stored;
  e.set_withdrawn(true);
  e.set_withdraw_reason(reason);
  auto sealed = SealReidEntry(keys_.reid_key, rkey, e);
  if (!sealed.ok()) return sealed.status();
  Change ch;
  ch.kind = v1::CHANGE_KIND_TOMBSTONE;
  ch.case_id = e.case_id();
  ch.record_version = current.has_value() ? current->record_version() : 0;
  ch.reason = reason;
  ch.reid_key = rkey;
  ch.reid_value = *sealed;
  ch.case_present = current.has_value();
  if (auto s = store_.Commit({ch}, {}); !s.ok()) return s;
  spdlog::info("withdrew case {} ({})", e.case_id(), reason);
  return Withdrawal{e.case_id(), store_.highest_seq()};
}

absl::StatusOr<std::string> Importer::Rekey(const std::string& old_number, const std::string& new_number) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string to = NormalizeRecordNumber(new_number, record_numbers_);
  if (auto s = CheckRecordNumber(to); !s.ok())
    return absl::InvalidArgumentError("new record number: " + std::string(s.message()));
  auto stored_number = FindStored(old_number);
  if (!stored_number.ok()) return stored_number.status();
  const std::optional<StoredNumber>& found = *stored_number;
  const std::string from = Utf8Prefix(FoldWidth(old_number), 32);
  if (!found.has_value()) return absl::NotFoundError("no case with record number " + from + " at this site");
  if (found->entry.withdrawn())
    return absl::FailedPreconditionError("record number " + from + " was withdrawn: it cannot be re-keyed");
  if (found->entry.record_number() == to)
    return absl::InvalidArgumentError("the case is already stored under record number " + to);
  const std::string to_key = ReidKey(keys_.reid_key, to);
  auto taken = store_.GetReid(to_key);
  if (!taken.ok()) return taken.status();
  const std::optional<std::string>& existing = *taken;
  if (existing.has_value())
    return absl::AlreadyExistsError("record number " + to +
                                    " already has a case at this site: withdraw or correct it first");
  v1::ReidEntry moved = found->entry;
  moved.set_record_number(to);
  auto sealed = SealReidEntry(keys_.reid_key, to_key, moved);
  if (!sealed.ok()) return sealed.status();
  if (auto s = store_.MoveReid(found->rkey, to_key, *sealed, moved.case_id()); !s.ok()) return s;
  spdlog::info("re-keyed case {} to a new record number", moved.case_id());
  return moved.case_id();
}

}  // namespace fedreg::agent
