// Rendering of synthetic rows as CSV and NDJSON lines. See synth_row.h.
#include "common/synth_row.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fedreg::synth {
namespace {

constexpr std::string_view kFields[] = {
    "record_number", "family_name", "given_name", "birth_date", "sex",
    "registration_date", "diagnosis_date", "oncotree_code", "extent", "ecog",
    "vital_status", "last_contact_date", "death_date", "assay", "specimen",
    "report_date", "alterations", "tmb", "msi", "treatments"};
constexpr int kNumFields = 20;
constexpr int kAlterations = 16;
constexpr int kTreatments = 19;
constexpr int kEcog = 9;
constexpr int kTmb = 17;

// The column order of a hospital whose export puts the fields differently.
constexpr int kShuffledOrder[kNumFields] = {0, 5, 1, 2, 4, 3, 7, 6, 8, 9,
                                            13, 14, 15, 18, 17, 16, 19, 10, 11, 12};

const TestRow& NoTest() {
  static const auto* none = new TestRow;
  return *none;
}

const TestRow& TestOf(const Row& row, size_t test) {
  return test < row.tests.size() ? row.tests[test] : NoTest();
}

// The text of a scalar field (not the lists).
const std::string& Field(const Row& row, const TestRow& t, int i) {
  switch (i) {
    case 0: return row.record_number;
    case 1: return row.family_name;
    case 2: return row.given_name;
    case 3: return row.birth_date;
    case 4: return row.sex;
    case 5: return row.registration_date;
    case 6: return row.diagnosis_date;
    case 7: return row.oncotree_code;
    case 8: return row.extent;
    case 9: return row.ecog;
    case 10: return row.vital_status;
    case 11: return row.last_contact_date;
    case 12: return row.death_date;
    case 13: return t.assay;
    case 14: return t.specimen;
    case 15: return t.report_date;
    case 17: return t.tmb;
    case 18: return t.msi;
    default: break;
  }
  static const auto* unused = new std::string;
  return *unused;
}

std::string AlterationsCsv(const TestRow& t) {
  std::string out;
  for (const AlterationRow& a : t.alterations) {
    if (!out.empty()) out += ';';
    out += a.gene + '|' + a.kind + '|' + a.change + '|' + a.vaf;
  }
  return out;
}

std::string TreatmentsCsv(const Row& row) {
  std::string out;
  for (const TreatmentRow& t : row.treatments) {
    if (!out.empty()) out += ';';
    out += t.line + '|' + t.drugs + '|' + t.start + '|' + t.end + '|' + t.response + '|' + t.trial;
  }
  return out;
}

std::string CsvValue(const Row& row, const TestRow& t, int i) {
  if (i == kAlterations) return AlterationsCsv(t);
  if (i == kTreatments) return TreatmentsCsv(row);
  return Field(row, t, i);
}

void AppendCsvField(std::string_view value, bool quote_all, std::string* out) {
  const bool quote = quote_all || value.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!value.empty() && (value.front() == ' ' || value.back() == ' '));
  if (!quote) {
    out->append(value);
    return;
  }
  out->push_back('"');
  for (char c : value) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

std::vector<int> ColumnOrder(const ExportStyle& style) {
  std::vector<int> order(kNumFields);
  for (int i = 0; i < kNumFields; ++i) order[i] = style.shuffled_header ? kShuffledOrder[i] : i;
  return order;
}

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(ch);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out->append(buf);
    } else {
      out->push_back(ch);  // UTF-8 (and, in a malformed row, raw bad bytes)
    }
  }
  out->push_back('"');
}

bool IsInteger(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsDecimal(std::string_view s) {
  const size_t dot = s.find('.');
  if (dot == std::string_view::npos) return IsInteger(s);
  return IsInteger(s.substr(0, dot)) && IsInteger(s.substr(dot + 1));
}

// A JSON object under construction; keys are written in the order given or,
// for a sorted style, sorted.
class JsonObject {
 public:
  JsonObject(bool sorted, bool nulls) : sorted_(sorted), nulls_(nulls) {}

  // Text value; empty means absent (or null).
  void Str(std::string_view key, std::string_view value) {
    if (value.empty()) return Empty(key);
    std::string v;
    AppendJsonString(value, &v);
    members_.emplace_back(std::string(key), std::move(v));
  }
  // Number when the text is one, else a (wrong-typed) string.
  void Num(std::string_view key, std::string_view value, bool integer) {
    if (value.empty()) return Empty(key);
    if (integer ? IsInteger(value) : IsDecimal(value)) {
      members_.emplace_back(std::string(key), std::string(value));
    } else {
      Str(key, value);
    }
  }
  // Always present; "" when empty unless the style writes null.
  void StrOrBlank(std::string_view key, std::string_view value) {
    if (value.empty() && nulls_) return Raw(key, "null");
    std::string v;
    AppendJsonString(value, &v);
    members_.emplace_back(std::string(key), std::move(v));
  }
  void Raw(std::string_view key, std::string value) {
    members_.emplace_back(std::string(key), std::move(value));
  }
  void Empty(std::string_view key) {
    if (nulls_) members_.emplace_back(std::string(key), "null");
  }

  std::string Render() {
    if (sorted_) {
      std::stable_sort(members_.begin(), members_.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    std::string out = "{";
    for (size_t i = 0; i < members_.size(); ++i) {
      if (i > 0) out += ',';
      AppendJsonString(members_[i].first, &out);
      out += ':';
      out += members_[i].second;
    }
    out += '}';
    return out;
  }

 private:
  bool sorted_;
  bool nulls_;
  std::vector<std::pair<std::string, std::string>> members_;
};

std::string AlterationsJson(const TestRow& t, const ExportStyle& style) {
  std::string arr = "[";
  for (size_t k = 0; k < t.alterations.size(); ++k) {
    const AlterationRow& a = t.alterations[k];
    JsonObject item(style.sorted_keys, style.nulls);
    item.Str("gene", a.gene);
    item.Str("kind", a.kind);
    item.StrOrBlank("change", a.change);
    if (a.vaf.empty()) {
      item.Raw("vaf", "null");
    } else {
      item.Num("vaf", a.vaf, /*integer=*/false);
    }
    if (k > 0) arr += ',';
    arr += item.Render();
  }
  return arr + "]";
}

std::string TreatmentsJson(const Row& row, const ExportStyle& style) {
  std::string arr = "[";
  for (size_t k = 0; k < row.treatments.size(); ++k) {
    const TreatmentRow& t = row.treatments[k];
    JsonObject item(style.sorted_keys, style.nulls);
    item.Num("line", t.line, /*integer=*/true);
    std::string drugs = "[";
    size_t pos = 0;
    while (pos <= t.drugs.size()) {
      size_t plus = t.drugs.find('+', pos);
      if (plus == std::string::npos) plus = t.drugs.size();
      if (drugs.size() > 1) drugs += ',';
      AppendJsonString(std::string_view(t.drugs).substr(pos, plus - pos), &drugs);
      pos = plus + 1;
    }
    item.Raw("drugs", drugs + "]");
    item.Str("start", t.start);
    item.Str("end", t.end);
    item.Str("response", t.response);
    item.StrOrBlank("trial", t.trial);
    if (k > 0) arr += ',';
    arr += item.Render();
  }
  return arr + "]";
}

}  // namespace

std::string CsvHeader(const ExportStyle& style) {
  std::string out;
  if (style.bom) out += "\xEF\xBB\xBF";
  bool first = true;
  for (int i : ColumnOrder(style)) {
    if (!first) out += ',';
    first = false;
    AppendCsvField(kFields[i], style.quote_all, &out);
  }
  out += style.crlf ? "\r\n" : "\n";
  return out;
}

std::string CsvLine(const Row& row, size_t test, const ExportStyle& style, Rng& rng) {
  const TestRow& t = TestOf(row, test);
  const std::vector<int> order = ColumnOrder(style);
  size_t count = order.size();
  if (row.truncated) count = static_cast<size_t>(rng.Int(6, kNumFields - 3));
  std::string out;
  for (size_t k = 0; k < count; ++k) {
    if (k > 0) out += ',';
    AppendCsvField(CsvValue(row, t, order[k]), style.quote_all, &out);
  }
  out += style.crlf ? "\r\n" : "\n";
  return out;
}

std::string NdjsonLine(const Row& row, size_t test, const ExportStyle& style, Rng& rng) {
  const TestRow& t = TestOf(row, test);
  JsonObject obj(style.sorted_keys, style.nulls);
  for (int i = 0; i < kNumFields; ++i) {
    const std::string_view key = kFields[i];
    if (i == kEcog) {
      obj.Num(key, row.ecog, /*integer=*/true);
    } else if (i == kTmb) {
      obj.Num(key, t.tmb, /*integer=*/false);
    } else if (i == kAlterations) {
      if (t.alterations.empty()) {
        obj.Empty(key);
      } else {
        obj.Raw(key, AlterationsJson(t, style));
      }
    } else if (i == kTreatments) {
      if (row.treatments.empty()) {
        obj.Empty(key);
      } else {
        obj.Raw(key, TreatmentsJson(row, style));
      }
    } else {
      obj.Str(key, Field(row, t, i));
    }
  }
  std::string line = obj.Render();
  if (row.truncated) {
    // Cut the object off part way, as a failed transfer would.
    line.resize(static_cast<size_t>(rng.Int(static_cast<int64_t>(line.size()) / 3,
                                            static_cast<int64_t>(line.size()) * 2 / 3)));
  }
  return line + "\n";
}

}  // namespace fedreg::synth
