#include "agent/quarantine_rows.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "agent/export_parser.h"
#include "common/crypto.h"

namespace fedreg::agent {
namespace {

bool IsJsonObject(const std::string& raw) {
  auto j = nlohmann::ordered_json::parse(raw, nullptr, /*allow_exceptions=*/false);
  return j.is_object();
}

int64_t LinesIn(const std::string& s) { return 1 + std::count(s.begin(), s.end(), '\n'); }

}  // namespace

absl::StatusOr<std::string> UnsealRow(const v1::QuarantineEntry& entry, const std::string& reid_key) {
  if (entry.raw().empty()) return std::string();
  auto open = crypto::AesGcmOpen(reid_key, entry.raw(), "quarantine");
  if (!open.ok())
    return absl::DataLossError("the row's seal does not open with this site's reid key (" +
                               std::string(open.status().message()) + "): was the key file replaced?");
  return *open;
}

std::string RowFormat(const v1::QuarantineEntry& entry, const std::string& raw) {
  if (raw.empty()) return "";
  if (!entry.csv_header().empty()) return "csv";
  return IsJsonObject(raw) ? "ndjson" : "";
}

bool RowFields(const v1::QuarantineEntry& entry, const std::string& raw,
               std::vector<std::pair<std::string, std::string>>* fields) {
  fields->clear();
  const std::string format = RowFormat(entry, raw);
  if (format == "csv") {
    std::vector<std::string> header, cells;
    if (!SplitCsvRecord(entry.csv_header(), &header) || !SplitCsvRecord(raw, &cells) || header.size() != cells.size())
      return false;
    for (size_t i = 0; i < header.size(); ++i) fields->emplace_back(header[i], cells[i]);
    return true;
  }
  if (format == "ndjson") {
    auto j = nlohmann::ordered_json::parse(raw, nullptr, false);
    for (auto it = j.begin(); it != j.end(); ++it)
      fields->emplace_back(it.key(), it->is_string() ? it->get<std::string>() : it->dump());
    return true;
  }
  return false;
}

std::vector<RowGroup> GroupRows(const std::vector<HeldRow>& rows,
                                std::vector<std::pair<uint64_t, std::string>>* skipped) {
  // (file, format, header) -> rows
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<const HeldRow*>> groups;
  for (const HeldRow& r : rows) {
    const std::string format = RowFormat(r.entry, r.raw);
    if (format.empty()) {
      skipped->emplace_back(r.id, r.raw.empty() ? std::string("no row to write back (a refusal of the whole file or of a "
                                                      "stored case): correct the source and import it again")
                                        : std::string("its file's header was not kept (quarantined before this "
                                                      "release): export the rows again from the hospital system"));
      continue;
    }
    groups[{r.entry.file(), format, format == "csv" ? r.entry.csv_header() : ""}].push_back(&r);
  }
  std::vector<RowGroup> out;
  for (auto& [key, members] : groups) {
    std::stable_sort(members.begin(), members.end(),
                     [](const HeldRow* a, const HeldRow* b) { return a->entry.line() < b->entry.line(); });
    RowGroup g;
    g.format = std::get<1>(key);
    g.text.name = std::get<0>(key);
    g.text.kind = g.format == "csv" ? ExportKind::kCsv : ExportKind::kNdjson;
    int64_t line = 1;
    if (g.format == "csv") {
      g.text.text = std::get<2>(key) + "\n";
      line = 2;
    }
    std::set<int64_t> written;  // lines of the file already written
    for (const HeldRow* r : members) {
      g.ids.push_back(r->id);
      // A row held twice (two of its alterations, say) is written once.
      if (!written.insert(r->entry.line()).second) continue;
      g.text.lines[line] = r->entry.line();
      g.text.text += r->raw + "\n";
      line += LinesIn(r->raw);
    }
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace fedreg::agent
