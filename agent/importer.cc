#include "agent/importer.h"

#include <ctime>
#include <map>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "common/crypto.h"
#include "common/text_fold.h"
#include "common/units.h"
#include "common/utf8.h"

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

namespace {

// The person a case belongs to, for comparing two builds of one record
// number: its T1 link token ("" when it has none).
std::string PersonOf(const v1::Case& c) {
  for (const auto& t : c.link_tokens()) {
    if (t.rfind("T1", 0) == 0) return t;
  }
  return "";
}

// Two builds of one record number describe the same case when they agree on
// everything but their genomic tests.
bool SameButTests(v1::Case a, v1::Case b) {
  a.clear_tests();
  b.clear_tests();
  return SameContent(std::move(a), std::move(b));
}

std::string LineList(const std::vector<int64_t>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += i + 1 == lines.size() ? " and " : ", ";
    out += std::to_string(lines[i]);
  }
  return out;
}

}  // namespace

absl::StatusOr<ImportSummary> Importer::ImportFile(const std::string& path, const ImportOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  ImportSummary sum;
  sum.path = path;

  // Pass 1: how often each record number occurs, and every VAF cell per assay.
  std::unordered_map<std::string, int> occurrences;
  VafUnitDecider vaf_units;
  {
    ReadInfo info;
    absl::Status scan = ReadExport(path, [&](const SourceRecord* row, const RowError* err) {
      if (err != nullptr) return;
      ++occurrences[row->Get("record_number")];
      for (const auto& a : row->alterations) vaf_units.Observe(FoldCode(row->Get("assay")), a.vaf, row->line);
    }, &info, ReadMode::kScan);
    if (!scan.ok()) return scan;
    sum.encoding = info.encoding;
    sum.empty_rows = info.empty_rows;
  }
  FileContext file;
  file.vaf_units = &vaf_units;

  std::vector<Change> changes;
  std::vector<v1::QuarantineEntry> quarantine;
  // Rows of this chunk not yet committed, so a record number repeated within
  // a chunk finds its own earlier version.
  std::unordered_map<std::string, std::string> pending_case_ids;  // reid key -> case id
  std::unordered_map<std::string, v1::Case> pending_cases;        // case id -> latest
  // Rows of record numbers that occur more than once, decided at the end.
  std::map<std::string, std::vector<SourceRecord>> repeated;
  absl::Status store_error;

  auto flush = [&]() -> absl::Status {
    auto s = store_.Commit(changes, quarantine);
    changes.clear();
    quarantine.clear();
    pending_case_ids.clear();
    pending_cases.clear();
    return s;
  };
  auto hold = [&](const std::string& file_name, int64_t line, const std::string& field, const std::string& reason,
                  const std::string& raw, const std::string& kind) {
    ++sum.refused_by_kind[kind.empty() ? "field" : kind];
    std::string msg = file_name + (line > 0 ? ":" + std::to_string(line) : "") + ": " + (field.empty() ? "row" : field) +
                      ": " + reason;
    if (sum.errors.size() < ImportSummary::kMaxErrors) sum.errors.push_back(Utf8Prefix(msg, 600));
    spdlog::warn("quarantined {}", msg);
    v1::QuarantineEntry q;
    q.set_file(Utf8Prefix(file_name, 512));
    q.set_line(line);
    q.set_field(Utf8Prefix(field, 128));
    q.set_reason(Utf8Prefix(reason, 1000));
    // The raw row holds identifiers: it is kept only encrypted.
    auto sealed = crypto::AesGcmSeal(keys_.reid_key, raw, "quarantine");
    if (sealed.ok()) q.set_raw(*sealed);
    q.set_at_unix(std::time(nullptr));
    q.set_source("import");
    quarantine.push_back(std::move(q));
  };
  auto quarantine_row = [&](const std::string& file_name, int64_t line, const std::string& field,
                            const std::string& reason, const std::string& raw, const std::string& kind) {
    ++sum.quarantined;
    hold(file_name, line, field, reason, raw, kind);
  };

  // The case id for a record number: pending in this chunk, stored, or new.
  // False when the record number was withdrawn (skipped) or the store failed.
  auto case_id_for = [&](const std::string& rkey, std::string* case_id, bool* new_reid) {
    *new_reid = false;
    if (auto it = pending_case_ids.find(rkey); it != pending_case_ids.end()) {
      *case_id = it->second;
      return true;
    }
    auto entry = LoadReid(rkey);
    if (!entry.ok()) {
      store_error = entry.status();
      return false;
    }
    const std::optional<v1::ReidEntry>& found = *entry;
    if (found.has_value() && found->withdrawn()) {
      ++sum.skipped_withdrawn;
      return false;
    }
    if (found.has_value()) {
      *case_id = found->case_id();
    } else {
      *case_id = NewCaseId(site_id_);
      *new_reid = true;
    }
    return true;
  };

  // Stores one built case (compared with what is stored).
  auto commit_built = [&](const SourceRecord& row, const std::string& rkey, const std::string& case_id,
                          bool new_reid, BuiltCase& built) {
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
    // Like with like: a case stored under the first name rules is compared
    // with this row's person under those rules.
    const std::string stored_person = old.has_value() ? PersonOf(*old) : "";
    std::string new_person = PersonOf(built.record);
    if (stored_person.rfind("T1:", 0) == 0) {  // stored under name rules 1
      std::vector<std::string> v1_tokens;
      BuildError ignored;
      new_person = ComputeLinkTokens(keys_.linkage_key, built.person, 1, &v1_tokens, &ignored) ? v1_tokens[0] : "";
    }
    if (old.has_value() && !options.accept_identity_changes && !stored_person.empty() &&
        stored_person != new_person) {
      quarantine_row(row.file, row.line, "record_number",
                     "record number " + Utf8Prefix(row.Get("record_number"), 32) +
                         " is stored for another person (name, birth date or sex differ): nothing was changed. If "
                         "the number now belongs to someone else, give the new patient a new number; if the "
                         "identity was corrected, import again with 'fedregctl agent import --accept-identity-changes'",
                     row.raw, "identity");
      return;
    }
    for (const BuildError& h : built.held) {
      ++sum.alterations_quarantined;
      hold(row.file, row.line, h.field, h.reason, row.raw, h.kind);
    }
    if (!built.normalised.empty()) {
      ++sum.normalised;
      for (const auto& [kind, n] : built.normalised) sum.normalised_by_kind[kind] += n;
    }
    if (old.has_value() && SameContent(*old, built.record)) {
      ++sum.unchanged;
      return;
    }
    Change ch;
    ch.kind = v1::CHANGE_KIND_UPSERT;
    ch.new_case = !old.has_value();
    built.record.set_record_version(old.has_value() ? old->record_version() + 1 : 1);
    if (old.has_value()) ++sum.updated;
    else ++sum.accepted;
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
  };

  // A VAF column whose unit is in doubt: that assay's alterations go in
  // without their VAF (never a value 100 times off), with one entry saying why.
  for (const std::string& assay : vaf_units.Assays()) {
    auto unit = vaf_units.UnitFor(assay);
    if (!unit.ok()) hold(path, 0, "alterations.vaf", std::string(unit.status().message()), "", "vaf");
  }

  auto after_row = [&] {
    if (store_error.ok() && changes.size() + quarantine.size() >= rows_per_commit_) store_error = flush();
  };

  auto on_row = [&](const SourceRecord* row, const RowError* err) {
    if (!store_error.ok()) return;
    ++sum.rows;
    if (err != nullptr) {
      quarantine_row(err->file, err->line, err->field, err->reason, err->raw, "row");
    } else if (occurrences[row->Get("record_number")] > 1) {
      repeated[row->Get("record_number")].push_back(*row);  // decided once all its rows are seen
      return;
    } else {
      const std::string rkey = ReidKey(keys_.reid_key, row->Get("record_number"));
      std::string case_id;
      bool new_reid;
      if (!case_id_for(rkey, &case_id, &new_reid)) return;
      BuiltCase built;
      BuildError be;
      if (!BuildCase(*row, site_id_, case_id, keys_, file, &built, &be))
        quarantine_row(row->file, row->line, be.field, be.reason, row->raw, be.kind);
      else
        commit_built(*row, rkey, case_id, new_reid, built);
    }
    after_row();
  };

  absl::Status read = ReadExport(path, on_row);

  // Record numbers with several rows: one person's several genomic tests
  // become one case; two persons under one number are both held back.
  for (auto& [rn, rows] : repeated) {
    if (!store_error.ok()) break;
    const std::string rkey = ReidKey(keys_.reid_key, rn);
    std::string case_id;
    bool new_reid;
    if (!case_id_for(rkey, &case_id, &new_reid)) {
      sum.skipped_withdrawn += static_cast<int64_t>(rows.size()) - 1;
      continue;
    }
    std::vector<int64_t> lines;
    for (const auto& r : rows) lines.push_back(r.line);
    std::vector<std::pair<const SourceRecord*, BuiltCase>> builds;
    for (const auto& r : rows) {
      BuiltCase built;
      BuildError be;
      if (!BuildCase(r, site_id_, case_id, keys_, file, &built, &be))
        quarantine_row(r.file, r.line, be.field, be.reason, r.raw, be.kind);
      else
        builds.emplace_back(&r, std::move(built));
    }
    if (builds.empty()) continue;
    bool one_person = true;
    for (const auto& [r, b] : builds) one_person = one_person && PersonOf(b.record) == PersonOf(builds[0].second.record);
    if (!one_person) {
      for (const auto& [r, b] : builds)
        quarantine_row(r->file, r->line, "record_number",
                       "record number " + Utf8Prefix(rn, 32) + " at lines " + LineList(lines) +
                           " belongs to different persons (name, birth date or sex differ): give each patient "
                           "their own record number; none of these rows was imported",
                       r->raw, "record_number");
      continue;
    }
    // One person: the first row's case, with every row's genomic test.
    BuiltCase& base = builds[0].second;
    for (size_t i = 1; i < builds.size(); ++i) {
      const SourceRecord* r = builds[i].first;
      BuiltCase& b = builds[i].second;
      if (!SameButTests(base.record, b.record)) {
        quarantine_row(r->file, r->line, "record_number",
                       "line " + std::to_string(r->line) + " repeats record number " + Utf8Prefix(rn, 32) +
                           " of line " + std::to_string(builds[0].first->line) +
                           " with other values besides its genomic test: one patient's rows must agree on "
                           "everything but the test",
                       r->raw, "record_number");
        continue;
      }
      for (auto& t : *b.record.mutable_tests()) *base.record.add_tests() = std::move(t);
      for (auto& h : b.held) base.held.push_back(std::move(h));
      for (const auto& [kind, n] : b.normalised) base.normalised[kind] += n;
      ++sum.merged_tests;
    }
    if (auto errs = CheckCaseLimits(base.record); !errs.ok()) {
      quarantine_row(builds[0].first->file, builds[0].first->line, "tests", std::string(errs.message()),
                     builds[0].first->raw, "size");
      continue;
    }
    commit_built(*builds[0].first, rkey, case_id, new_reid, base);
    after_row();
  }

  // (A withdrawn row returns early above without counting towards a flush.)
  if (store_error.ok()) store_error = flush();
  if (!store_error.ok()) return store_error;
  if (!read.ok()) return read;
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
  return sum;
}

ImportTotals Importer::Totals() const {
  std::lock_guard<std::mutex> lock(totals_mu_);
  return totals_;
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
