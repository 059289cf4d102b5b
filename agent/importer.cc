#include "agent/importer.h"

#include <ctime>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "common/crypto.h"

namespace fedreg::agent {
namespace {

// A stored case and a freshly built one are the same when they differ only
// in record_version.
bool SameContent(v1::Case a, v1::Case b) {
  a.set_record_version(0);
  b.set_record_version(0);
  std::string sa, sb;
  a.SerializeToString(&sa);
  b.SerializeToString(&sb);
  return sa == sb;
}

}  // namespace

std::string NewCaseId(const std::string& site_id) {
  static const char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  auto bytes = crypto::RandomBytes(10);
  std::string id = site_id + "-";
  for (unsigned char b : bytes.value()) id.push_back(kAlphabet[b % 36]);  // bias is irrelevant here
  return id;
}

Importer::Importer(AgentStore& store, std::string site_id, SiteKeys keys, size_t rows_per_commit)
    : store_(store), site_id_(std::move(site_id)), keys_(std::move(keys)), rows_per_commit_(rows_per_commit) {}

absl::StatusOr<ImportSummary> Importer::ImportFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  ImportSummary sum;
  sum.path = path;
  std::vector<Change> changes;
  std::vector<v1::QuarantineEntry> quarantine;
  // Rows of this chunk not yet committed, so a record number repeated within
  // a chunk finds its own earlier version.
  std::unordered_map<std::string, std::string> pending_case_ids;  // reid key -> case id
  std::unordered_map<std::string, v1::Case> pending_cases;        // case id -> latest
  absl::Status store_error;

  auto flush = [&]() -> absl::Status {
    auto s = store_.Commit(changes, quarantine);
    changes.clear();
    quarantine.clear();
    pending_case_ids.clear();
    pending_cases.clear();
    return s;
  };
  auto quarantine_row = [&](const std::string& file, int64_t line, const std::string& field,
                            const std::string& reason, const std::string& raw) {
    ++sum.quarantined;
    std::string msg = file + ":" + std::to_string(line) + ": " + (field.empty() ? "row" : field) + ": " + reason;
    if (sum.errors.size() < ImportSummary::kMaxErrors) sum.errors.push_back(msg);
    spdlog::warn("quarantined {}", msg);
    v1::QuarantineEntry q;
    q.set_file(file);
    q.set_line(line);
    q.set_field(field);
    q.set_reason(reason);
    // The raw row holds identifiers: it is kept only encrypted.
    auto sealed = crypto::AesGcmSeal(keys_.reid_key, raw, "quarantine");
    if (sealed.ok()) q.set_raw(*sealed);
    q.set_at_unix(std::time(nullptr));
    q.set_source("import");
    quarantine.push_back(std::move(q));
  };

  auto on_row = [&](const SourceRecord* row, const RowError* err) {
    if (!store_error.ok()) return;
    ++sum.rows;
    if (err != nullptr) {
      quarantine_row(err->file, err->line, err->field, err->reason, err->raw);
    } else {
      const std::string& rn = row->Get("record_number");
      std::string rkey = ReidKey(keys_.reid_key, rn);
      std::string case_id;
      bool new_reid = false;
      if (auto it = pending_case_ids.find(rkey); it != pending_case_ids.end()) {
        case_id = it->second;
      } else {
        auto entry = LoadReid(rkey);
        if (!entry.ok()) {
          store_error = entry.status();
          return;
        }
        if (entry->has_value() && (*entry)->withdrawn()) {
          ++sum.skipped_withdrawn;
          return;
        }
        if (entry->has_value()) {
          case_id = (*entry)->case_id();
        } else {
          case_id = NewCaseId(site_id_);
          new_reid = true;
        }
      }
      BuiltCase built;
      BuildError be;
      if (!BuildCase(*row, site_id_, case_id, keys_, &built, &be)) {
        quarantine_row(row->file, row->line, be.field, be.reason, row->raw);
      } else {
        std::optional<v1::Case> old;
        if (auto it = pending_cases.find(case_id); it != pending_cases.end()) {
          old = it->second;
        } else if (!new_reid) {
          auto got = store_.GetCase(case_id);
          if (!got.ok()) {
            store_error = got.status();
            return;
          }
          old = *got;
        }
        if (old.has_value() && SameContent(*old, built.record)) {
          ++sum.unchanged;
        } else {
          Change ch;
          ch.kind = v1::CHANGE_KIND_UPSERT;
          ch.new_case = !old.has_value();
          built.record.set_record_version(old.has_value() ? old->record_version() + 1 : 1);
          if (old.has_value()) ++sum.updated; else ++sum.accepted;
          // The reid entry is rewritten on every change so it keeps the dates
          // the current offsets were computed from.
          std::string plain;
          built.reid.SerializeToString(&plain);
          auto sealed = crypto::AesGcmSeal(keys_.reid_key, plain, rkey);
          if (!sealed.ok()) {
            store_error = sealed.status();
            return;
          }
          ch.reid_key = rkey;
          ch.reid_value = *sealed;
          ch.case_record = built.record;
          pending_case_ids[rkey] = case_id;
          pending_cases[case_id] = built.record;
          changes.push_back(std::move(ch));
        }
      }
    }
    if (changes.size() + quarantine.size() >= rows_per_commit_) store_error = flush();
  };

  absl::Status read = ReadExport(path, on_row);
  // (A withdrawn row returns early above without counting towards a flush.)
  if (store_error.ok()) store_error = flush();
  if (!store_error.ok()) return store_error;
  if (!read.ok()) return read;
  spdlog::info("imported {}: rows {}, accepted {}, updated {}, unchanged {}, quarantined {}, skipped (withdrawn) {}",
               path, sum.rows, sum.accepted, sum.updated, sum.unchanged, sum.quarantined, sum.skipped_withdrawn);
  return sum;
}

absl::StatusOr<std::optional<v1::ReidEntry>> Importer::LoadReid(const std::string& rkey) {
  auto sealed = store_.GetReid(rkey);
  if (!sealed.ok()) return sealed.status();
  const std::optional<std::string>& found = *sealed;
  if (!found.has_value()) return std::optional<v1::ReidEntry>();
  auto plain = crypto::AesGcmOpen(keys_.reid_key, *found, rkey);
  v1::ReidEntry entry;
  if (!plain.ok() || !entry.ParseFromString(*plain))
    return absl::DataLossError("reid entry cannot be decrypted: wrong reid key for this store?");
  return std::optional<v1::ReidEntry>(std::move(entry));
}

absl::StatusOr<Importer::Withdrawal> Importer::Withdraw(const std::string& record_number, const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string rkey = ReidKey(keys_.reid_key, record_number);
  auto entry = LoadReid(rkey);
  if (!entry.ok()) return entry.status();
  const std::optional<v1::ReidEntry>& found = *entry;
  if (!found.has_value()) return absl::NotFoundError("no case with this record number at this site");
  v1::ReidEntry e = *found;
  if (e.withdrawn()) return absl::FailedPreconditionError("case " + e.case_id() + " is already withdrawn");
  auto stored = store_.GetCase(e.case_id());
  if (!stored.ok()) return stored.status();
  const std::optional<v1::Case>& current = *stored;
  e.set_withdrawn(true);
  e.set_withdraw_reason(reason);
  std::string plain;
  e.SerializeToString(&plain);
  auto sealed = crypto::AesGcmSeal(keys_.reid_key, plain, rkey);
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

}  // namespace fedreg::agent
