#include "agent/export_parser.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/text_encoding.h"
#include "common/text_fold.h"
#include "common/utf8.h"

namespace fedreg::agent {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return out;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Quotes balanced: an even number of '"' means the record is complete.
bool QuotesBalanced(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += (c == '"');
  return n % 2 == 0;
}

absl::Status ReadCsv(const std::string& path, std::istream& in, const RowCallback& on_row, ReadInfo* info,
                     ReadMode mode) {
  std::string header_line;
  if (!std::getline(in, header_line)) return absl::InvalidArgumentError(path + ": empty file, no header");
  if (header_line.rfind("\xEF\xBB\xBF", 0) == 0) header_line.erase(0, 3);
  if (!header_line.empty() && header_line.back() == '\r') header_line.pop_back();
  info->csv_header = header_line;
  std::vector<std::string> header;
  if (!SplitCsvRecord(header_line, &header)) return absl::InvalidArgumentError(path + ":1: malformed header");
  std::set<std::string> known(KnownColumns().begin(), KnownColumns().end()), seen;
  for (auto& h : header) {
    h = Trim(h);
    if (!known.count(h)) return absl::InvalidArgumentError(path + ":1: unknown column '" + VisibleSpaces(Utf8Prefix(h, 40)) +
                                        "' (the columns are listed in docs/export-format.md)");
    if (!seen.insert(h).second) return absl::InvalidArgumentError(path + ":1: duplicate column '" + Utf8Prefix(h, 40) + "'");
  }
  int64_t line_no = 1;
  std::string line;
  while (std::getline(in, line)) {
    ++line_no;
    int64_t start_line = line_no;
    std::string record = line;
    // A quoted field may span lines.
    while (!QuotesBalanced(record) && std::getline(in, line)) {
      ++line_no;
      record += "\n" + line;
    }
    if (!record.empty() && record.back() == '\r') record.pop_back();
    if (Trim(record).empty()) continue;
    std::vector<std::string> values;
    if (!SplitCsvRecord(record, &values)) {
      RowError e{path, start_line, "", "unterminated quoted field", record};
      on_row(nullptr, &e);
      continue;
    }
    bool all_empty = true;
    for (auto& v : values) {
      if (!TrimCell(v).empty()) {
        all_empty = false;
        break;
      }
    }
    if (all_empty) {  // a spreadsheet's empty row: ",,,,"
      ++info->empty_rows;
      continue;
    }
    if (values.size() != header.size()) {
      RowError e{path, start_line, "",
                 "has " + std::to_string(values.size()) + " fields, header has " + std::to_string(header.size()),
                 record};
      on_row(nullptr, &e);
      continue;
    }
    SourceRecord r;
    r.file = path;
    r.line = start_line;
    r.raw = record;
    for (size_t i = 0; i < header.size(); ++i) {
      if (mode == ReadMode::kScan && header[i] != "record_number" && header[i] != "assay" &&
          header[i] != "alterations")
        continue;
      r.fields[header[i]] = std::string(TrimCell(values[i]));
    }
    std::string err;
    if (!ParseAlterationList(r.Get("alterations"), &r.alterations, &err)) {
      RowError e{path, start_line, "alterations", err, record};
      on_row(nullptr, &e);
      continue;
    }
    if (mode == ReadMode::kFull && !ParseTreatmentList(r.Get("treatments"), &r.treatments, &err)) {
      RowError e{path, start_line, "treatments", err, record};
      on_row(nullptr, &e);
      continue;
    }
    on_row(&r, nullptr);
  }
  if (in.bad()) return absl::UnavailableError(path + ": read error at line " + std::to_string(line_no));
  return absl::OkStatus();
}

// JSON scalar -> text as the CSV would carry it. False for objects/arrays.
bool ScalarText(const nlohmann::json& v, std::string* out) {
  if (v.is_null()) out->clear();
  else if (v.is_string()) *out = v.get<std::string>();
  else if (v.is_number_integer()) *out = std::to_string(v.get<int64_t>());
  else if (v.is_number()) {
    std::ostringstream ss;
    ss << v.get<double>();
    *out = ss.str();
  } else if (v.is_boolean()) *out = v.get<bool>() ? "true" : "false";
  else return false;
  return true;
}

// Fills `r` from one JSON object; on failure sets field and reason.
bool FromJson(const nlohmann::json& obj, SourceRecord* r, std::string* field, std::string* reason) {
  static const std::set<std::string> known(KnownColumns().begin(), KnownColumns().end());
  if (!obj.is_object()) {
    *reason = "not a JSON object";
    return false;
  }
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& key = it.key();
    if (!known.count(key)) {
      *field = key;
      *reason = "unknown field";
      return false;
    }
    if (key == "alterations") {
      if (it->is_null()) continue;
      if (!it->is_array()) { *field = key; *reason = "must be an array"; return false; }
      for (size_t i = 0; i < it->size(); ++i) {
        const auto& a = (*it)[i];
        SourceAlteration sa;
        std::string p = "alterations[" + std::to_string(i) + "]";
        if (!a.is_object()) { *field = p; *reason = "must be an object"; return false; }
        for (auto [name, dst] : {std::pair<const char*, std::string*>{"gene", &sa.gene}, {"kind", &sa.kind},
                                 {"change", &sa.change}, {"vaf", &sa.vaf}}) {
          if (a.contains(name) && !ScalarText(a[name], dst)) {
            *field = p + "." + name; *reason = "must be a scalar"; return false;
          }
        }
        r->alterations.push_back(std::move(sa));
      }
    } else if (key == "treatments") {
      if (it->is_null()) continue;
      if (!it->is_array()) { *field = key; *reason = "must be an array"; return false; }
      for (size_t i = 0; i < it->size(); ++i) {
        const auto& t = (*it)[i];
        SourceTreatment st;
        std::string p = "treatments[" + std::to_string(i) + "]";
        if (!t.is_object()) { *field = p; *reason = "must be an object"; return false; }
        for (auto [name, dst] : {std::pair<const char*, std::string*>{"line", &st.line}, {"start", &st.start},
                                 {"end", &st.end}, {"response", &st.response}, {"trial", &st.trial}}) {
          if (t.contains(name) && !ScalarText(t[name], dst)) {
            *field = p + "." + name; *reason = "must be a scalar"; return false;
          }
        }
        if (t.contains("drugs")) {
          const auto& d = t["drugs"];
          if (!d.is_array()) { *field = p + ".drugs"; *reason = "must be an array of strings"; return false; }
          for (const auto& drug : d) {
            if (!drug.is_string()) { *field = p + ".drugs"; *reason = "must be an array of strings"; return false; }
            if (!st.drugs.empty()) st.drugs += "+";
            st.drugs += drug.get<std::string>();
          }
        }
        r->treatments.push_back(std::move(st));
      }
    } else {
      std::string text;
      if (!ScalarText(*it, &text)) {
        *field = key;
        *reason = "must be a string or number";
        return false;
      }
      r->fields[key] = std::string(TrimCell(text));
    }
  }
  return true;
}

absl::Status ReadNdjson(const std::string& path, std::istream& in, const RowCallback& on_row, ReadInfo* info) {
  int64_t line_no = 0;
  std::string line;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a BOM, as in CSV
    if (Trim(line).empty()) continue;
    nlohmann::json obj = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (obj.is_discarded()) {
      RowError e{path, line_no, "", "not valid JSON (or not valid UTF-8)", line};
      on_row(nullptr, &e);
      continue;
    }
    SourceRecord r;
    r.file = path;
    r.line = line_no;
    r.raw = line;
    std::string field, reason;
    if (!FromJson(obj, &r, &field, &reason)) {
      RowError e{path, line_no, field, reason, line};
      on_row(nullptr, &e);
      continue;
    }
    on_row(&r, nullptr);
  }
  if (in.bad()) return absl::UnavailableError(path + ": read error at line " + std::to_string(line_no));
  return absl::OkStatus();
}

}  // namespace

const std::string& SourceRecord::Get(const std::string& name) const {
  static const std::string kEmpty;
  auto it = fields.find(name);
  return it == fields.end() ? kEmpty : it->second;
}

const std::vector<std::string>& KnownColumns() {
  static const auto* cols = new std::vector<std::string>{
      "record_number", "family_name", "given_name", "family_name_kana", "given_name_kana", "birth_date", "sex", "registration_date",
      "diagnosis_date", "oncotree_code", "extent", "ecog", "vital_status", "last_contact_date",
      "death_date", "assay", "specimen", "report_date", "alterations", "tmb", "msi", "treatments"};
  return *cols;
}

bool IsIdentifyingColumn(const std::string& name) {
  return name == "record_number" || name == "family_name" || name == "given_name" || name == "family_name_kana" ||
         name == "given_name_kana" || name == "birth_date";
}

bool SplitCsvRecord(const std::string& record, std::vector<std::string>* fields) {
  fields->clear();
  std::string cur;
  bool quoted = false, was_quoted = false;
  for (size_t i = 0; i < record.size(); ++i) {
    char c = record[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < record.size() && record[i + 1] == '"') {
          cur.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur.push_back(c);
      }
    } else if (c == '"' && cur.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields->push_back(std::move(cur));
      cur.clear();
      was_quoted = false;
    } else {
      cur.push_back(c);
    }
  }
  if (quoted) return false;
  fields->push_back(std::move(cur));
  return true;
}

bool ParseAlterationList(const std::string& text, std::vector<SourceAlteration>* out, std::string* error) {
  out->clear();
  if (Trim(text).empty()) return true;
  auto items = Split(text, ';');
  for (size_t i = 0; i < items.size(); ++i) {
    if (Trim(items[i]).empty()) continue;
    auto parts = Split(items[i], '|');
    if (parts.size() != 4) {
      *error = "item " + std::to_string(i + 1) + " must be GENE|KIND|CHANGE|VAF";
      return false;
    }
    out->push_back({Trim(parts[0]), Trim(parts[1]), Trim(parts[2]), Trim(parts[3])});
  }
  return true;
}

bool ParseTreatmentList(const std::string& text, std::vector<SourceTreatment>* out, std::string* error) {
  out->clear();
  if (Trim(text).empty()) return true;
  auto items = Split(text, ';');
  for (size_t i = 0; i < items.size(); ++i) {
    if (Trim(items[i]).empty()) continue;
    auto parts = Split(items[i], '|');
    if (parts.size() != 6) {
      *error = "item " + std::to_string(i + 1) + " must be LINE|DRUGS|START|END|RESPONSE|TRIAL";
      return false;
    }
    out->push_back({Trim(parts[0]), Trim(parts[1]), Trim(parts[2]), Trim(parts[3]), Trim(parts[4]),
                    Trim(parts[5])});
  }
  return true;
}

namespace {

// True when the whole stream is valid UTF-8, read in chunks (a sequence cut
// by a chunk boundary is carried into the next chunk). Rewinds the stream.
bool StreamIsUtf8(std::istream& in) {
  std::string carry, chunk(1 << 20, '\0');
  bool ok = true;
  while (ok && in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    std::string text = carry + chunk.substr(0, static_cast<size_t>(in.gcount()));
    carry.clear();
    if (in) {
      // Hold back a possibly incomplete sequence at the end (at most 3 bytes).
      size_t cut = text.size();
      for (size_t back = 1; back <= 3 && back <= text.size(); ++back) {
        unsigned char c = static_cast<unsigned char>(text[text.size() - back]);
        if ((c & 0xC0) == 0x80) continue;  // a continuation byte: look further back
        if (c >= 0xC0) cut = text.size() - back;  // a lead byte: its sequence may be incomplete
        break;
      }
      carry = text.substr(cut);
      text.resize(cut);
    }
    ok = IsValidUtf8(text);
  }
  ok = ok && IsValidUtf8(carry);
  in.clear();
  in.seekg(0);
  return ok;
}

}  // namespace

ExportKind KindOf(const std::string& path, bool* known) {
  *known = true;
  if (EndsWith(path, ".csv")) return ExportKind::kCsv;
  if (EndsWith(path, ".ndjson") || EndsWith(path, ".jsonl")) return ExportKind::kNdjson;
  *known = false;
  return ExportKind::kCsv;
}

absl::Status ReadExport(const std::string& path, const RowCallback& on_row, ReadInfo* info, ReadMode mode) {
  ReadInfo local;
  if (info == nullptr) info = &local;
  bool known;
  const ExportKind kind = KindOf(path, &known);
  if (!known) return absl::InvalidArgumentError(path + ": unknown export type (expected .csv, .ndjson or .jsonl)");
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(path + ": cannot open for reading");
  if (StreamIsUtf8(in)) {
    char bom[3] = {};
    in.read(bom, 3);
    info->encoding = in.gcount() == 3 && std::string(bom, 3) == "\xEF\xBB\xBF" ? "UTF-8 with BOM" : "UTF-8";
    in.clear();
    in.seekg(0);
    return ReadExportStream(in, path, kind, on_row, info, mode);
  }
  // Not UTF-8 as a whole: decide once, for the whole file.
  std::stringstream whole;
  whole << in.rdbuf();
  const std::string bytes = whole.str();
  auto decoded = DecodeExportBytes(bytes);
  if (decoded.ok()) {
    info->encoding = decoded->encoding;
    std::istringstream text(decoded->utf8);
    return ReadExportStream(text, path, kind, on_row, info, mode);
  }
  // A UTF-8 export with a few damaged lines (a stray byte) is read as UTF-8:
  // those rows are quarantined one by one ("not valid UTF-8") and the rest
  // goes in. A file where many lines are not UTF-8 is another encoding:
  // refused as a whole, never half-imported with garbled names.
  int64_t lines = 0, bad = 0;
  for (size_t start = 0; start < bytes.size();) {
    size_t end = bytes.find('\n', start);
    if (end == std::string::npos) end = bytes.size();
    ++lines;
    if (!IsValidUtf8(std::string_view(bytes).substr(start, end - start))) ++bad;
    start = end + 1;
  }
  if (bad > std::max<int64_t>(1, lines / 100))
    return absl::InvalidArgumentError(path + ": " + std::string(decoded.status().message()));
  info->encoding = "UTF-8 (" + std::to_string(bad) + " damaged line" + (bad == 1 ? "" : "s") + " quarantined)";
  std::istringstream text(bytes);
  return ReadExportStream(text, path, kind, on_row, info, mode);
}

absl::Status ReadExportStream(std::istream& in, const std::string& name, ExportKind kind, const RowCallback& on_row,
                              ReadInfo* info, ReadMode mode) {
  ReadInfo local;
  if (info == nullptr) info = &local;
  switch (kind) {
    case ExportKind::kCsv:
      return ReadCsv(name, in, on_row, info, mode);
    case ExportKind::kNdjson:
      return ReadNdjson(name, in, on_row, info);
  }
  return absl::InvalidArgumentError(name + ": unknown export kind");
}

}  // namespace fedreg::agent
