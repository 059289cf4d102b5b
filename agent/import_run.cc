#include "agent/import_run.h"

#include <algorithm>
#include <ctime>
#include <functional>
#include <sstream>

#include <spdlog/spdlog.h>

#include "agent/reid_table.h"
#include "common/crypto.h"
#include "common/text_fold.h"
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

// Two builds of one record number describe the same case when they agree on
// everything but their genomic tests (and the gene table version, which a
// build stamps only when its test reports alterations).
bool SameButTests(v1::Case a, v1::Case b) {
  a.clear_tests();
  b.clear_tests();
  a.clear_gene_table_version();
  b.clear_gene_table_version();
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

// The person's T1 token under name rules 1, for comparing with a case stored
// under those rules; "" when the names are refused under them.
std::string Rules1Token(const std::string& linkage_key, const PersonFields& person) {
  std::vector<std::string> tokens;
  BuildError ignored;
  return ComputeLinkTokens(linkage_key, person, 1, &tokens, &ignored) ? tokens[0] : "";
}

}  // namespace

ImportRun::ImportRun(AgentStore& store, const Settings& settings)
    : store_(store), settings_(settings), persons_(store), repeated_(settings.spill_dir) {
  file_.vaf_units = &vaf_units_;
}

absl::StatusOr<ImportSummary> ImportRun::Run(const std::string& path) {
  path_ = path;
  return RunRead(path);
}

absl::StatusOr<ImportSummary> ImportRun::Run(const TextExport& source) {
  text_ = &source;
  return RunRead(source.name);
}

absl::Status ImportRun::Read(const RowCallback& on_row, ReadInfo* info, ReadMode mode) const {
  if (text_ == nullptr) return ReadExport(path_, on_row, info, mode);
  std::istringstream in(text_->text);
  return ReadExportStream(in, text_->name, text_->kind, on_row, info, mode);
}

int64_t ImportRun::ReportedLine(int64_t line) const {
  if (text_ == nullptr) return line;
  auto it = text_->lines.find(line);
  return it == text_->lines.end() ? line : it->second;
}

absl::StatusOr<ImportSummary> ImportRun::RunRead(const std::string& path) {
  sum_.path = path;
  if (auto s = ScanFile(); !s.ok()) return s;
  HoldVafColumnsInDoubt(path);

  absl::Status read = Read([this](SourceRecord* row, const RowError* err) { OnRow(row, err); }, &read_info_,
                           ReadMode::kFull);

  // Record numbers with several rows: one person's several genomic tests
  // become one case; two persons under one number are both held back.
  if (store_error_.ok())
    store_error_ = repeated_.ForEachGroup([this](const std::string& rn, std::vector<HeldRows::Row>& held) {
      return ImportHeld(rn, held);
    });
  // (A withdrawn row returns early without counting towards a flush.)
  if (store_error_.ok()) store_error_ = Flush();
  if (!store_error_.ok()) return store_error_;
  if (!read.ok()) return read;
  return std::move(sum_);
}

absl::Status ImportRun::ScanFile() {
  ReadInfo info;
  absl::Status scan = Read(
      [this](SourceRecord* row, const RowError* err) {
        if (err != nullptr) return;
        row->line = ReportedLine(row->line);
        record_number_hashes_.push_back(
            std::hash<std::string>{}(NormalizeRecordNumber(row->Get("record_number"), settings_.record_numbers)));
        for (const auto& a : row->alterations) vaf_units_.Observe(FoldCode(row->Get("assay")), a.vaf, row->line);
      },
      &info, ReadMode::kScan);
  if (!scan.ok()) return scan;
  std::sort(record_number_hashes_.begin(), record_number_hashes_.end());
  record_number_hashes_.shrink_to_fit();
  sum_.encoding = info.encoding;
  sum_.empty_rows = info.empty_rows;
  return absl::OkStatus();
}

// A VAF column whose unit is in doubt: that assay's alterations go in
// without their VAF (never a value 100 times off), with one entry saying why.
void ImportRun::HoldVafColumnsInDoubt(const std::string& path) {
  for (const std::string& assay : vaf_units_.Assays()) {
    auto unit = vaf_units_.UnitFor(assay);
    if (!unit.ok()) Hold(path, 0, "alterations.vaf", std::string(unit.status().message()), "", "vaf");
  }
}

void ImportRun::OnRow(SourceRecord* row, const RowError* err) {
  if (!store_error_.ok()) return;
  ++sum_.rows;
  if (err != nullptr) {
    QuarantineRow(err->file, ReportedLine(err->line), err->field, err->reason, err->raw, "row");
    AfterRow();
    return;
  }
  row->line = ReportedLine(row->line);
  std::string& rn = row->fields["record_number"];
  std::string normalised = NormalizeRecordNumber(rn, settings_.record_numbers);
  const bool renumbered = normalised != rn;
  rn = std::move(normalised);
  if (Repeated(rn)) {
    // Decided once all its rows are seen; its text waits on disk.
    if (auto s = repeated_.Hold(rn, row->line, row->raw); !s.ok()) store_error_ = s;
    return;
  }
  ImportSingleRow(*row, renumbered);
}

bool ImportRun::Repeated(const std::string& record_number) const {
  auto [lo, hi] = std::equal_range(record_number_hashes_.begin(), record_number_hashes_.end(),
                                   std::hash<std::string>{}(record_number));
  return hi - lo > 1;
}

absl::Status ImportRun::ImportHeld(const std::string& rn, std::vector<HeldRows::Row>& held) {
  // The text of each row is parsed again as the file's own rows were (CSV:
  // under the file's header), so the records are the ones the first read gave.
  std::vector<SourceRecord> rows;
  std::vector<bool> renumbered;
  const std::string& name = text_ != nullptr ? text_->name : path_;
  bool known;  // the file was read as this kind already
  const ExportKind kind = text_ != nullptr ? text_->kind : KindOf(path_, &known);
  for (HeldRows::Row& h : held) {
    std::istringstream in(kind == ExportKind::kCsv ? read_info_.csv_header + "\n" + h.raw + "\n" : h.raw + "\n");
    int delivered = 0;
    auto read = ReadExportStream(
        in, name, kind,
        [&](SourceRecord* r, const RowError* err) {
          ++delivered;
          if (err != nullptr) {
            QuarantineRow(name, h.line, err->field, err->reason, h.raw, "row");
            return;
          }
          r->file = name;
          r->line = h.line;
          std::string& number = r->fields["record_number"];
          std::string normalised = NormalizeRecordNumber(number, settings_.record_numbers);
          renumbered.push_back(normalised != number);
          number = std::move(normalised);
          rows.push_back(std::move(*r));
        },
        nullptr, ReadMode::kFull);
    if (!read.ok() || delivered != 1)
      return absl::InternalError(name + ":" + std::to_string(h.line) + ": a held row of record number " +
                                 Utf8Prefix(rn, 32) + " did not read back as one row (" +
                                 std::string(read.message()) + "); nothing after it was imported: please report");
  }
  // A lone row here (its number shared a hash with another) imports as a
  // single row would.
  if (!rows.empty()) ImportRepeated(rn, rows, renumbered);
  return store_error_;
}

void ImportRun::ImportSingleRow(const SourceRecord& row, bool renumbered) {
  Target target;
  if (!TargetFor(row.Get("record_number"), &target)) return;
  BuiltCase built;
  BuildError be;
  if (!BuildCase(row, settings_.site_id, target.case_id, settings_.keys, file_, &built, &be))
    QuarantineRow(row.file, row.line, be.field, be.reason, row.raw, be.kind);
  else
    CommitBuilt(row, target, built, renumbered);
  AfterRow();
}

void ImportRun::ImportRepeated(const std::string& rn, const std::vector<SourceRecord>& rows,
                               const std::vector<bool>& renumbered) {
  Target target;
  if (!TargetFor(rn, &target)) {
    sum_.skipped_withdrawn += static_cast<int64_t>(rows.size()) - 1;
    return;
  }
  std::vector<int64_t> lines;
  for (const auto& r : rows) lines.push_back(r.line);
  std::vector<std::pair<const SourceRecord*, BuiltCase>> builds;
  for (const auto& r : rows) {
    BuiltCase built;
    BuildError be;
    if (!BuildCase(r, settings_.site_id, target.case_id, settings_.keys, file_, &built, &be))
      QuarantineRow(r.file, r.line, be.field, be.reason, r.raw, be.kind);
    else
      builds.emplace_back(&r, std::move(built));
  }
  if (builds.empty()) return;
  const std::string person = PersonTokenOf(builds[0].second.record);
  bool one_person = true;
  for (const auto& [r, b] : builds) one_person = one_person && PersonTokenOf(b.record) == person;
  if (!one_person) {
    for (const auto& [r, b] : builds)
      QuarantineRow(r->file, r->line, "record_number",
                    "record number " + Utf8Prefix(rn, 32) + " at lines " + LineList(lines) +
                        " belongs to different persons (name, birth date or sex differ): give each patient "
                        "their own record number; none of these rows was imported",
                    r->raw, "record_number");
    return;
  }
  // One person: the first row's case, with every row's genomic test.
  const SourceRecord& first = *builds[0].first;
  BuiltCase& base = builds[0].second;
  for (size_t i = 1; i < builds.size(); ++i) {
    const SourceRecord* r = builds[i].first;
    BuiltCase& b = builds[i].second;
    if (!SameButTests(base.record, b.record)) {
      QuarantineRow(r->file, r->line, "record_number",
                    "line " + std::to_string(r->line) + " repeats record number " + Utf8Prefix(rn, 32) + " of line " +
                        std::to_string(first.line) +
                        " with other values besides its genomic test: one patient's rows must agree on "
                        "everything but the test",
                    r->raw, "record_number");
      continue;
    }
    for (auto& t : *b.record.mutable_tests()) *base.record.add_tests() = std::move(t);
    if (base.record.gene_table_version().empty()) base.record.set_gene_table_version(b.record.gene_table_version());
    for (auto& h : b.held) base.held.push_back(std::move(h));
    for (const auto& [kind, n] : b.normalised) base.normalised[kind] += n;
    ++sum_.merged_tests;
  }
  if (auto errs = CheckCaseLimits(base.record); !errs.ok()) {
    QuarantineRow(first.file, first.line, "tests", std::string(errs.message()), first.raw, "size");
    return;
  }
  CommitBuilt(first, target, base, renumbered[static_cast<size_t>(builds[0].first - rows.data())]);
  AfterRow();
}

bool ImportRun::TargetFor(const std::string& record_number, Target* target) {
  target->rkey = ReidKey(settings_.keys.reid_key, record_number);
  target->new_reid = false;
  auto entry = LoadReidEntry(store_, settings_.keys.reid_key, target->rkey);
  if (!entry.ok()) {
    store_error_ = entry.status();
    return false;
  }
  const std::optional<v1::ReidEntry>& found = *entry;
  if (found.has_value() && found->withdrawn()) {
    ++sum_.skipped_withdrawn;
    return false;
  }
  if (found.has_value()) {
    target->case_id = found->case_id();
  } else {
    target->case_id = NewCaseId(settings_.site_id);
    target->new_reid = true;
  }
  return true;
}

bool ImportRun::SamePersonAsStored(const SourceRecord& row, const v1::Case& old, const BuiltCase& built) {
  if (settings_.options.accept_identity_changes) return true;
  // Like with like: a case stored under the first name rules is compared
  // with this row's person under those rules.
  const std::string stored_person = PersonTokenOf(old);
  if (stored_person.empty()) return true;
  const std::string new_person = stored_person.rfind("T1:", 0) == 0 ? Rules1Token(settings_.keys.linkage_key, built.person)
                                                                     : PersonTokenOf(built.record);
  if (stored_person == new_person) return true;
  QuarantineRow(row.file, row.line, "record_number",
                "record number " + Utf8Prefix(row.Get("record_number"), 32) +
                    " is stored for another person (name, birth date or sex differ): nothing was changed. If "
                    "the number now belongs to someone else, give the new patient a new number; if the "
                    "identity was corrected, import again with 'fedregctl agent import --accept-identity-changes'",
                row.raw, "identity");
  return false;
}

bool ImportRun::NewPerson(const SourceRecord& row, const BuiltCase& built) {
  if (settings_.options.accept_same_person) return true;
  const std::string token = PersonTokenOf(built.record);
  if (token.empty()) return true;
  auto found = persons_.Find(token);
  if (found.ok() && found->empty() && persons_.HoldsRules1()) found = persons_.Find(Rules1Token(settings_.keys.linkage_key, built.person));
  if (!found.ok()) {
    store_error_ = found.status();
    return false;
  }
  const std::string& other_case = *found;
  if (other_case.empty()) return true;
  auto other = RecordNumberOfCase(other_case);
  if (!other.ok()) {
    store_error_ = other.status();
    return false;
  }
  QuarantineRow(row.file, row.line, "record_number",
                "same person as record " + Utf8Prefix(*other, 32) + " (name, birth date and sex agree): nothing was "
                    "stored under record number " + Utf8Prefix(row.Get("record_number"), 32) +
                    ". If the number changed, re-key it: 'fedregctl agent rekey " + Utf8Prefix(*other, 32) + " " +
                    Utf8Prefix(row.Get("record_number"), 32) +
                    "', then import again; if these are two patients who share name, birth date and sex, import "
                    "again with 'fedregctl agent import --accept-same-person'",
                row.raw, "same_person");
  return false;
}

absl::StatusOr<std::string> ImportRun::RecordNumberOfCase(const std::string& case_id) {
  if (auto it = pending_record_numbers_.find(case_id); it != pending_record_numbers_.end()) return it->second;
  auto rkey = store_.ReidKeyForCase(case_id);
  if (!rkey.ok()) return rkey.status();
  const std::optional<std::string>& key = *rkey;
  if (!key.has_value()) return absl::DataLossError("case " + case_id + " has no reid entry");
  auto entry = LoadReidEntry(store_, settings_.keys.reid_key, *key);
  if (!entry.ok()) return entry.status();
  const std::optional<v1::ReidEntry>& found = *entry;
  if (!found.has_value()) return absl::DataLossError("case " + case_id + " has no reid entry");
  return found->record_number();
}

void ImportRun::CountBuilt(const SourceRecord& row, const BuiltCase& built, bool renumbered) {
  for (const BuildError& h : built.held) {
    ++sum_.alterations_quarantined;
    Hold(row.file, row.line, h.field, h.reason, row.raw, h.kind);
  }
  if (!built.normalised.empty() || renumbered) {
    ++sum_.normalised;
    for (const auto& [kind, n] : built.normalised) sum_.normalised_by_kind[kind] += n;
    if (renumbered) ++sum_.normalised_by_kind["record_number"];
  }
}

void ImportRun::CommitBuilt(const SourceRecord& row, const Target& target, BuiltCase& built, bool renumbered) {
  // Each record number reaches here once per file (repeats are merged
  // first), so a case is never pending in this chunk: the store has it or
  // it is new.
  std::optional<v1::Case> old;
  if (!target.new_reid) {
    auto got = store_.GetCase(target.case_id);
    if (!got.ok()) {
      store_error_ = got.status();
      return;
    }
    old = *got;
  }
  if (old.has_value() ? !SamePersonAsStored(row, *old, built) : !NewPerson(row, built)) return;
  CountBuilt(row, built, renumbered);
  if (old.has_value() && SameContent(*old, built.record)) {
    ++sum_.unchanged;
    return;
  }
  Change ch;
  ch.kind = v1::CHANGE_KIND_UPSERT;
  ch.new_case = !old.has_value();
  built.record.set_record_version(old.has_value() ? old->record_version() + 1 : 1);
  if (old.has_value()) ++sum_.updated;
  else ++sum_.accepted;
  // The reid entry is rewritten on every change so it keeps the dates
  // the current offsets were computed from.
  auto sealed = SealReidEntry(settings_.keys.reid_key, target.rkey, built.reid);
  if (!sealed.ok()) {
    store_error_ = sealed.status();
    return;
  }
  ch.reid_key = target.rkey;
  ch.reid_value = *sealed;
  if (!old.has_value()) {
    persons_.Add(PersonTokenOf(built.record), target.case_id);
    pending_record_numbers_[target.case_id] = built.reid.record_number();
  }
  ch.case_record = std::move(built.record);
  changes_.push_back(std::move(ch));
}

void ImportRun::Hold(const std::string& file, int64_t line, const std::string& field, const std::string& reason,
                     const std::string& raw, const std::string& kind) {
  ++sum_.refused_by_kind[kind.empty() ? "field" : kind];
  std::string msg =
      file + (line > 0 ? ":" + std::to_string(line) : "") + ": " + (field.empty() ? "row" : field) + ": " + reason;
  if (sum_.errors.size() < ImportSummary::kMaxErrors) sum_.errors.push_back(Utf8Prefix(msg, 600));
  spdlog::warn("quarantined {}", msg);
  v1::QuarantineEntry q;
  q.set_file(Utf8Prefix(file, 512));
  q.set_line(line);
  q.set_field(Utf8Prefix(field, 128));
  q.set_reason(Utf8Prefix(reason, 1000));
  // The raw row holds identifiers: it is kept only encrypted.
  auto sealed = crypto::AesGcmSeal(settings_.keys.reid_key, raw, "quarantine");
  if (sealed.ok()) q.set_raw(*sealed);
  q.set_at_unix(std::time(nullptr));
  q.set_source("import");
  if (!raw.empty()) q.set_csv_header(Utf8Prefix(read_info_.csv_header, 8192));
  quarantine_.push_back(std::move(q));
}

void ImportRun::QuarantineRow(const std::string& file, int64_t line, const std::string& field,
                              const std::string& reason, const std::string& raw, const std::string& kind) {
  ++sum_.quarantined;
  Hold(file, line, field, reason, raw, kind);
}

void ImportRun::AfterRow() {
  if (store_error_.ok() && changes_.size() + quarantine_.size() >= settings_.rows_per_commit) store_error_ = Flush();
}

absl::Status ImportRun::Flush() {
  auto s = store_.Commit(changes_, quarantine_);
  changes_.clear();
  quarantine_.clear();
  pending_record_numbers_.clear();
  // Committed cases are in the store's person index now: the run's own list
  // stays one chunk long, not one entry per row of the file.
  if (s.ok()) persons_.ChunkCommitted();
  return s;
}

}  // namespace fedreg::agent
