// Synthetic hospital exports. See synth.h; the facts are in synth_data.cc.
//
// Generation happens in a fixed order from one std::mt19937_64, with
// hand-written uniform, normal and weighted draws (the std:: distributions
// differ between standard libraries), so a seed always gives the same bytes.
// Every row is rendered to its final line as soon as it is made; only the
// lines and a little about each person are kept, so large runs stay small.
#include "common/synth.h"

#include <algorithm>
#include <map>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/oncotree.h"
#include "common/sites.h"
#include "common/synth_data.h"

namespace fedreg::synth {
namespace {

constexpr int kMaxTotalCases = 2'000'000;
constexpr double kPi = 3.14159265358979323846;
constexpr int64_t kNoDay = std::numeric_limits<int64_t>::min();

// ---------------------------------------------------------------------------
// Random numbers.

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1), 53 random bits.
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }

  // Uniform integer in [lo, hi] (inclusive), without modulo bias.
  int64_t Int(int64_t lo, int64_t hi) {
    if (hi <= lo) return lo;
    const uint64_t range = static_cast<uint64_t>(hi - lo) + 1;
    const uint64_t max = std::numeric_limits<uint64_t>::max();
    const uint64_t limit = max - max % range;
    uint64_t x;
    do {
      x = engine_();
    } while (x >= limit);
    return lo + static_cast<int64_t>(x % range);
  }

  bool Chance(double p) { return Uniform() < p; }

  // Box-Muller; always consumes two draws.
  double Normal(double mean, double sd) {
    const double u1 = 1.0 - Uniform();  // (0, 1]
    const double u2 = Uniform();
    return mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
  }

  double Exponential(double mean) { return -mean * std::log(1.0 - Uniform()); }

  // Index drawn with probability proportional to weights[i].
  size_t Weighted(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double r = Uniform() * total;
    size_t last = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (weights[i] <= 0) continue;
      last = i;
      if (r < weights[i]) return i;
      r -= weights[i];
    }
    return last;
  }

  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Int(0, static_cast<int64_t>(v.size()) - 1))];
  }

  template <typename T>
  void Shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) {
      const size_t j = static_cast<size_t>(Int(0, static_cast<int64_t>(i) - 1));
      std::swap(v[i - 1], v[j]);
    }
  }

 private:
  std::mt19937_64 engine_;
};

// ---------------------------------------------------------------------------
// Dates, as days since 1970-01-01 (proleptic Gregorian; H. Hinnant's method).

int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int y, m, d;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (m <= 2)), m, d};
}

std::string FormatDate(int64_t day) {
  const Civil c = CivilFromDays(day);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", c.y, c.m, c.d);
  return buf;
}

const int64_t kFirstRegistrationDay = DaysFromCivil(2017, 1, 1);
const int64_t kLastRegistrationDay = DaysFromCivil(2026, 10, 31);
const int64_t kExportDay = DaysFromCivil(2026, 11, 30);  // data cut-off
const int64_t kTrialsFromDay = DaysFromCivil(2019, 1, 1);
const int64_t kF1cdxFromDay = DaysFromCivil(2019, 6, 1);   // insurance coverage
const int64_t kF1lcdxFromDay = DaysFromCivil(2021, 8, 1);
const int64_t kGuardantFromDay = DaysFromCivil(2022, 7, 1);

// ---------------------------------------------------------------------------
// Text helpers.

std::string Decimal(double x, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, x);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

bool InList(std::string_view list, std::string_view code) {
  size_t pos = 0;
  while (pos < list.size()) {
    size_t end = list.find(' ', pos);
    if (end == std::string_view::npos) end = list.size();
    if (list.substr(pos, end - pos) == code) return true;
    pos = end + 1;
  }
  return false;
}

// Decodes well-formed UTF-8 (the name tables) into code points.
std::vector<uint32_t> DecodeUtf8(std::string_view s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < len && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string KatakanaToHiragana(std::string_view katakana) {
  std::string out;
  for (uint32_t cp : DecodeUtf8(katakana)) {
    AppendUtf8(cp >= 0x30A1 && cp <= 0x30F6 ? cp - 0x60 : cp, &out);
  }
  return out;
}

std::string ToHalfWidthKatakana(std::string_view katakana) {
  static const auto* map = [] {
    auto* m = new std::unordered_map<uint32_t, std::string_view>;
    for (const KanaPair& p : HalfWidthKatakana()) (*m)[DecodeUtf8(p.full)[0]] = p.half;
    return m;
  }();
  std::string out;
  for (uint32_t cp : DecodeUtf8(katakana)) {
    auto it = map->find(cp);
    if (it != map->end()) {
      out.append(it->second);
    } else {
      AppendUtf8(cp, &out);
    }
  }
  return out;
}

// ASCII to full-width forms (U+FF01..U+FF5E), space to U+3000.
std::string ToFullWidthLatin(std::string_view s) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == ' ') {
      AppendUtf8(0x3000, &out);
    } else if (c > 0x20 && c < 0x7F) {
      AppendUtf8(c + 0xFEE0, &out);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

std::string ToTitleCase(std::string_view s) {
  std::string out(s);
  bool start = true;
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z' && !start) c = static_cast<char>(c - 'A' + 'a');
    start = !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z');
  }
  return out;
}

// ---------------------------------------------------------------------------
// The rows.

enum class NameForm { kKanji, kKatakana, kHiragana };

// A person as first registered; second registrations copy it.
struct Person {
  int site = 0;  // index into Sites()
  int code = 0;  // index into CaseMix()
  bool latin = false;
  int family = 0;
  int given = 0;
  NameForm form = NameForm::kKanji;
  int64_t birth_day = 0;
  char sex = 'U';
  int64_t reg_day = 0;
  int64_t diag_day = kNoDay;
};

struct AlterationRow {
  std::string gene, kind, change, vaf;
};

struct TreatmentRow {
  std::string line, drugs, start, end, response, trial;
};

// One export row; every field as the text the hospital writes.
struct Row {
  std::string record_number, family_name, given_name, birth_date, sex, registration_date,
      diagnosis_date, oncotree_code, extent, ecog, vital_status, last_contact_date, death_date,
      assay, specimen, report_date, tmb, msi;
  std::vector<AlterationRow> alterations;
  std::vector<TreatmentRow> treatments;
  bool truncated = false;  // malformed: too few CSV columns / cut-off JSON
  // Not exported.
  int64_t reg_day = 0;
};

constexpr std::string_view kFields[] = {
    "record_number", "family_name", "given_name", "birth_date", "sex",
    "registration_date", "diagnosis_date", "oncotree_code", "extent", "ecog",
    "vital_status", "last_contact_date", "death_date", "assay", "specimen",
    "report_date", "alterations", "tmb", "msi", "treatments"};
constexpr int kNumFields = 20;

// The column order of a hospital whose export puts the fields differently.
constexpr int kShuffledOrder[kNumFields] = {0, 5, 1, 2, 4, 3, 7, 6, 8, 9,
                                            13, 14, 15, 18, 17, 16, 19, 10, 11, 12};

std::string& Field(Row& row, int i) {
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
    case 13: return row.assay;
    case 14: return row.specimen;
    case 15: return row.report_date;
    case 17: return row.tmb;
    case 18: return row.msi;
    default: break;
  }
  static std::string unused;
  return unused;
}

std::string AlterationsCsv(const Row& row) {
  std::string out;
  for (const AlterationRow& a : row.alterations) {
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

std::string CsvValue(Row& row, int i) {
  if (i == 16) return AlterationsCsv(row);
  if (i == 19) return TreatmentsCsv(row);
  return Field(row, i);
}

void AppendCsvField(std::string_view value, bool quote_all, std::string* out) {
  bool quote = quote_all || value.find_first_of(",\"\r\n") != std::string_view::npos ||
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

std::string CsvLine(Row& row, const ExportStyle& style, Rng& rng) {
  std::vector<int> order = ColumnOrder(style);
  size_t count = order.size();
  if (row.truncated) count = static_cast<size_t>(rng.Int(6, kNumFields - 3));
  std::string out;
  for (size_t k = 0; k < count; ++k) {
    if (k > 0) out += ',';
    AppendCsvField(CsvValue(row, order[k]), style.quote_all, &out);
  }
  out += style.crlf ? "\r\n" : "\n";
  return out;
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
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsDecimal(std::string_view s) {
  size_t dot = s.find('.');
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

std::string NdjsonLine(Row& row, const ExportStyle& style, Rng& rng) {
  JsonObject obj(style.sorted_keys, style.nulls);
  for (int i = 0; i < kNumFields; ++i) {
    const std::string_view key = kFields[i];
    if (i == 9) {
      obj.Num(key, row.ecog, /*integer=*/true);
    } else if (i == 17) {
      obj.Num(key, row.tmb, /*integer=*/false);
    } else if (i == 16) {
      if (row.alterations.empty()) {
        obj.Empty(key);
        continue;
      }
      std::string arr = "[";
      for (size_t k = 0; k < row.alterations.size(); ++k) {
        const AlterationRow& a = row.alterations[k];
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
      obj.Raw(key, arr + "]");
    } else if (i == 19) {
      if (row.treatments.empty()) {
        obj.Empty(key);
        continue;
      }
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
      obj.Raw(key, arr + "]");
    } else {
      obj.Str(key, Field(row, i));
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

// ---------------------------------------------------------------------------
// Generation.

struct Generator {
  Rng rng;
  std::vector<std::vector<double>> code_weights;  // per Sites() index

  explicit Generator(uint64_t seed) : rng(seed) {}

  // --- persons ---

  int DrawAge(const CaseMixEntry& e, bool pediatric_site) {
    double mean = e.age_mean;
    double sd = e.age_sd;
    int hi = 89;
    if (pediatric_site) {
      hi = 29;
      if (mean >= 25) {
        mean = 14;
        sd = 6;
      }
    }
    const double drawn = rng.Normal(mean, sd);
    int age = static_cast<int>(std::clamp(std::lround(drawn), 1L, static_cast<long>(hi)));
    if (!pediatric_site && e.age_mean >= 50 && rng.Chance(0.006)) {
      age = static_cast<int>(rng.Int(90, 97));
    }
    return age;
  }

  int64_t DrawBirthDay(int age, int64_t reg_day) {
    const Civil reg = CivilFromDays(reg_day);
    const int m = static_cast<int>(rng.Int(1, 12));
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int d = static_cast<int>(rng.Int(1, kDays[m - 1]));
    const bool birthday_passed = m < reg.m || (m == reg.m && d <= reg.d);
    const int y = reg.y - age - (birthday_passed ? 0 : 1);
    return DaysFromCivil(y, m, d);
  }

  char DrawSex(std::string_view code) {
    if (code == "JSCB") return rng.Chance(0.9) ? 'F' : 'M';
    const double r = rng.Uniform();
    if (r < 0.505) return 'M';
    if (r < 0.99) return 'F';
    if (r < 0.993) return 'O';
    return 'U';
  }

  void DrawName(Person* p) {
    const int birth_year = CivilFromDays(p->birth_day).y;
    if (rng.Chance(0.015)) {
      p->latin = true;
      p->family = static_cast<int>(rng.Int(0, static_cast<int64_t>(LatinFamilyNames().size()) - 1));
      std::vector<double> w;
      for (const LatinName& n : LatinGivenNames()) {
        w.push_back(p->sex == 'M' || p->sex == 'F' ? (n.sex == p->sex ? 1 : 0) : 1);
      }
      p->given = static_cast<int>(rng.Weighted(w));
      return;
    }
    std::vector<double> fw;
    for (const NameEntry& n : FamilyNames()) fw.push_back(n.weight);
    p->family = static_cast<int>(rng.Weighted(fw));
    const int era = birth_year < 1960 ? 1 : birth_year < 1995 ? 2 : 3;
    std::vector<double> gw;
    for (const NameEntry& n : GivenNames()) {
      double w = n.weight * (n.era == era ? 1.0 : 0.08);
      if ((p->sex == 'M' || p->sex == 'F') && n.sex != p->sex) w = 0;
      gw.push_back(w);
    }
    p->given = static_cast<int>(rng.Weighted(gw));
    const double r = rng.Uniform();
    p->form = r < 0.70 ? NameForm::kKanji : r < 0.92 ? NameForm::kKatakana : NameForm::kHiragana;
  }

  static std::string Render(const NameEntry& n, NameForm form) {
    switch (form) {
      case NameForm::kKanji: return std::string(n.kanji);
      case NameForm::kKatakana: return std::string(n.kana);
      case NameForm::kHiragana: return KatakanaToHiragana(n.kana);
    }
    return std::string(n.kanji);
  }

  // The names as the first hospital wrote them.
  static std::pair<std::string, std::string> Names(const Person& p) {
    if (p.latin) {
      return {std::string(LatinFamilyNames()[p.family].name),
              std::string(LatinGivenNames()[p.given].name)};
    }
    return {Render(FamilyNames()[p.family], p.form), Render(GivenNames()[p.given], p.form)};
  }

  // The names as a second hospital wrote them: the same person, sometimes in
  // another script (kana for kanji), half-width, full-width or with a space.
  std::pair<std::string, std::string> VariantNames(const Person& p) {
    auto names = Names(p);
    const double r = rng.Uniform();
    if (p.latin) {
      if (r < 0.40) return names;
      if (r < 0.70) return {ToFullWidthLatin(names.first), ToFullWidthLatin(names.second)};
      if (r < 0.85) return {ToTitleCase(names.first), ToTitleCase(names.second)};
      return {names.first + " ", names.second};
    }
    const NameEntry& f = FamilyNames()[p.family];
    const NameEntry& g = GivenNames()[p.given];
    if (r < 0.40) return names;
    if (r < 0.65) {
      const NameForm other = p.form == NameForm::kKanji ? NameForm::kKatakana : NameForm::kKanji;
      return {Render(f, other), Render(g, other)};
    }
    if (r < 0.75) return {ToHalfWidthKatakana(f.kana), ToHalfWidthKatakana(g.kana)};
    if (r < 0.82) {
      const NameForm other =
          p.form == NameForm::kHiragana ? NameForm::kKatakana : NameForm::kHiragana;
      return {Render(f, other), Render(g, other)};
    }
    switch (rng.Int(0, 3)) {
      case 0: return {names.first + " ", names.second};
      case 1: return {names.first + "\u3000", names.second};
      case 2: return {names.first, " " + names.second};
      default: return {names.first, names.second + "\u3000"};
    }
  }

  int64_t DrawRegistrationDay(const SiteProfile& site) {
    const int64_t first =
        std::max(kFirstRegistrationDay, DaysFromCivil(site.first_year, site.first_month, 1));
    const double u = std::pow(rng.Uniform(), 0.7);  // the registry grows over time
    return first + static_cast<int64_t>(u * static_cast<double>(kLastRegistrationDay - first + 1));
  }

  Person NewPerson(int site) {
    const SiteProfile& profile = SiteProfiles()[site];
    Person p;
    p.site = site;
    p.code = static_cast<int>(rng.Weighted(code_weights[site]));
    const CaseMixEntry& e = CaseMix()[p.code];
    p.reg_day = DrawRegistrationDay(profile);
    const int age = DrawAge(e, profile.pediatric);
    p.birth_day = DrawBirthDay(age, p.reg_day);
    p.sex = DrawSex(e.code);
    DrawName(&p);
    if (!rng.Chance(0.05)) {
      int64_t lag = rng.Chance(0.7) ? rng.Int(0, 180) : rng.Int(180, 1500);
      if (rng.Chance(0.1)) lag = rng.Int(1000, 3500);  // recurrence years later
      p.diag_day = std::max(p.reg_day - lag, p.birth_day + 1);
    }
    return p;
  }

  // --- clinical data ---

  static double RateFor(double default_rate, const std::vector<RateOverride>& overrides,
                        std::string_view code) {
    for (const RateOverride& o : overrides) {
      if (o.code == code) return o.rate;
    }
    return default_rate;
  }

  std::string DrawVaf(std::string_view kind, const std::string& specimen, bool heme) {
    if (kind == "AMP" || kind == "DEL") return "";
    if (kind == "FUSION") return rng.Chance(0.7) ? "" : Decimal(rng.Uniform(0.1, 0.5), 2);
    if (rng.Chance(0.08)) return "";
    if (specimen == "cfdna") {
      return Decimal(std::min(0.6, 0.002 + rng.Exponential(0.05)), 3);
    }
    return Decimal(heme ? rng.Uniform(0.1, 0.9) : rng.Uniform(0.05, 0.6), 2);
  }

  std::string DrawResponse(bool matched, int line) {
    static const std::vector<double> kMatched = {5, 45, 30, 15, 5};
    static const std::vector<double> kFirst = {3, 22, 40, 28, 7};
    static const std::vector<double> kLater = {1, 12, 37, 42, 8};
    static const char* const kNames[] = {"CR", "PR", "SD", "PD", "NE"};
    return kNames[rng.Weighted(matched ? kMatched : line == 1 ? kFirst : kLater)];
  }

  static const TherapyCategory& CategoryFor(std::string_view code) {
    for (const TherapyCategory& c : TherapyCategories()) {
      if (c.codes.empty() || InList(c.codes, code)) return c;
    }
    return TherapyCategories().back();
  }

  Row MakeRow(const Person& p, int64_t reg_day, std::string family, std::string given) {
    const CaseMixEntry& e = CaseMix()[p.code];
    const std::string_view code = e.code;
    Row row;
    row.reg_day = reg_day;
    row.family_name = std::move(family);
    row.given_name = std::move(given);
    row.birth_date = FormatDate(p.birth_day);
    row.sex = std::string(1, p.sex);
    row.registration_date = FormatDate(reg_day);
    if (p.diag_day != kNoDay) row.diagnosis_date = FormatDate(std::min(p.diag_day, reg_day));
    row.oncotree_code = std::string(code);

    // Extent and performance status.
    if (e.hematologic) {
      const double r = rng.Uniform();
      row.extent = r < 0.8 ? "not_applicable" : r < 0.9 ? "unknown" : "";
    } else {
      static const std::vector<double> kW = {20, 50, 20, 5, 5};
      static const char* const kExtent[] = {"locally_advanced", "metastatic", "recurrent",
                                            "unknown", ""};
      row.extent = kExtent[rng.Weighted(kW)];
    }
    static const std::vector<double> kEcogW = {35, 40, 12, 4, 1, 8};
    const size_t ecog = rng.Weighted(kEcogW);
    if (ecog < 5) row.ecog = std::to_string(ecog);

    // Follow-up: a simple exponential survival.
    static constexpr std::string_view kIndolent =
        "GIST PANET CHDM THYM WM HCL EHAE ASPS PECOMA ACYC LCH ECD SM MUCC";
    static constexpr std::string_view kAggressive =
        "ANGS THAP GBC PLMESO CUPNOS AML BPDCN EHCH IHCH DSRCT GB MCC";
    double mean_survival = InList(kIndolent, code) ? 4000 : InList(kAggressive, code) ? 750 : 1500;
    if (ecog >= 2 && ecog < 5) mean_survival *= 0.5;
    const int64_t max_follow_up = std::min<int64_t>(1500, kExportDay - reg_day);
    const int64_t death_after = std::llround(rng.Exponential(mean_survival));
    int64_t last_contact = kNoDay;
    if (death_after <= max_follow_up) {
      row.vital_status = "dead";
      const int64_t death = reg_day + death_after;
      row.death_date = FormatDate(death);
      last_contact = std::max(reg_day, death - rng.Int(0, 60));
    } else if (rng.Chance(0.05)) {
      row.vital_status = "unknown";  // lost to follow-up
      last_contact = reg_day + rng.Int(0, max_follow_up);
    } else {
      row.vital_status = "alive";
      last_contact = reg_day + std::max<int64_t>(0, max_follow_up - rng.Int(0, 90));
    }
    const bool last_contact_known = row.vital_status == "dead" || !rng.Chance(0.02);
    if (last_contact_known) row.last_contact_date = FormatDate(last_contact);

    // Genomic test.
    bool msi_high_reported = false;
    bool tmb_high_reported = false;
    int64_t first_treatment_day = reg_day + rng.Int(7, 60);
    if (rng.Chance(e.hematologic ? 0.6 : 0.9)) {
      std::vector<std::pair<std::string_view, double>> assays;
      if (e.hematologic) {
        assays = {{"NCC-ONCOPANEL", 0.5}, {"F1CDX", 0.5}};
      } else if (reg_day < kF1cdxFromDay) {
        assays = {{"NCC-ONCOPANEL", 0.8}, {"F1CDX", 0.2}};
      } else {
        assays = {{"NCC-ONCOPANEL", 0.30}, {"F1CDX", 0.45}};
        if (reg_day >= kF1lcdxFromDay) assays.push_back({"F1LCDX", 0.15});
        if (reg_day >= kGuardantFromDay) assays.push_back({"GUARDANT360", 0.10});
      }
      std::vector<double> w;
      for (const auto& a : assays) w.push_back(a.second);
      row.assay = std::string(assays[rng.Weighted(w)].first);
      if (row.assay == "F1LCDX" || row.assay == "GUARDANT360") {
        row.specimen = "cfdna";
      } else if (e.hematologic) {
        row.specimen = "heme";
      } else {
        row.specimen = rng.Chance(0.62) ? "primary" : "metastasis";
      }
      const int64_t report_day = std::min(reg_day + rng.Int(10, 60), kExportDay);
      row.report_date = FormatDate(report_day);
      first_treatment_day = report_day + rng.Int(7, 45);

      // Alterations.
      const bool cfdna = row.specimen == "cfdna";
      std::vector<int> groups_used;
      for (const AlterationPrior& prior : AlterationPriors()) {
        double rate = RateFor(prior.default_rate, prior.overrides, code);
        const AlterationOption& first = prior.options.front();
        if (cfdna && first.kind != "SNV" && first.kind != "INDEL") rate *= 0.5;
        if (rate <= 0 || !rng.Chance(rate)) continue;
        if (prior.exclusive_group != 0 &&
            std::find(groups_used.begin(), groups_used.end(), prior.exclusive_group) !=
                groups_used.end()) {
          continue;
        }
        std::vector<double> ow;
        for (const AlterationOption& o : prior.options) {
          const bool allowed = (o.only_codes.empty() || InList(o.only_codes, code)) &&
                               !InList(o.except_codes, code);
          ow.push_back(allowed ? o.weight : 0);
        }
        double total = 0;
        for (double x : ow) total += x;
        if (total <= 0) continue;
        const AlterationOption& o = prior.options[rng.Weighted(ow)];
        if (prior.exclusive_group != 0) groups_used.push_back(prior.exclusive_group);
        row.alterations.push_back({std::string(o.gene), std::string(o.kind),
                                   std::string(o.change),
                                   DrawVaf(o.kind, row.specimen, e.hematologic)});
      }

      // MSI and TMB.
      const bool msi_high = rng.Chance(RateFor(MsiHighPrior().default_rate,
                                               MsiHighPrior().overrides, code));
      const double m = rng.Uniform();
      if (m < 0.04) {
        row.msi = "";
      } else if (m < 0.08) {
        row.msi = "not_tested";
      } else if (m < 0.10) {
        row.msi = "indeterminate";
      } else {
        row.msi = msi_high ? "MSI-H" : "MSS";
        msi_high_reported = msi_high;
      }
      const bool tmb_high =
          (msi_high && rng.Chance(0.85)) ||
          rng.Chance(RateFor(TmbHighPrior().default_rate, TmbHighPrior().overrides, code));
      if (rng.Chance(0.92)) {
        double tmb;
        if (tmb_high) {
          tmb = std::min(150.0, 10.0 + rng.Exponential(10.0));
        } else {
          tmb = std::min(9.9, std::exp(rng.Normal(std::log(2.5), 0.7)));
        }
        row.tmb = Decimal(tmb, 1);
        tmb_high_reported = tmb >= 10.0;
      }
    }
    first_treatment_day = std::min(first_treatment_day, kExportDay);

    // Treatment lines.
    const TherapyCategory& category = CategoryFor(code);
    if (rng.Chance(category.treated_rate)) {
      static const std::vector<double> kLinesW = {40, 30, 18, 12};
      const int planned = static_cast<int>(rng.Weighted(kLinesW)) + 1;
      // A therapy matched to the tumour's biomarker or diagnosis.
      const MatchedTherapy* matched = nullptr;
      for (const MatchedTherapy& mt : MatchedTherapies()) {
        if (!mt.codes.empty() && !InList(mt.codes, code)) continue;
        bool eligible = mt.gene.empty();
        if (mt.gene == "MSI-H") eligible = msi_high_reported;
        if (mt.gene == "TMB-H") eligible = tmb_high_reported;
        for (const AlterationRow& a : row.alterations) {
          if (a.gene == mt.gene &&
              (mt.change_contains.empty() ||
               a.change.find(mt.change_contains) != std::string::npos)) {
            eligible = true;
          }
        }
        if (eligible && rng.Chance(mt.use_rate)) {
          matched = &mt;
          break;
        }
      }
      const int matched_line =
          matched == nullptr ? 0
          : planned == 1 || rng.Chance(0.35) ? 1
                                             : static_cast<int>(rng.Int(2, planned));
      const int64_t limit = last_contact;
      int64_t start = first_treatment_day;
      std::vector<std::string> given;  // regimens so far; not repeated
      for (int line = 1; line <= planned && start <= limit; ++line) {
        TreatmentRow t;
        t.line = std::to_string(line);
        const bool is_matched = line == matched_line;
        if (is_matched) {
          t.drugs = std::string(matched->drugs);
          if (!matched->trial_id.empty() && start >= kTrialsFromDay &&
              rng.Chance(matched->trial_rate)) {
            t.trial = std::string(matched->trial_id);
          }
        } else if (line == 1) {
          t.drugs = std::string(rng.Pick(category.first_line));
        } else {
          std::vector<std::string_view> options;
          for (std::string_view r : category.later_lines) {
            if (std::find(given.begin(), given.end(), r) == given.end()) options.push_back(r);
          }
          if (options.empty()) break;  // nothing left to try: supportive care
          t.drugs = std::string(category.in_order ? options.front() : rng.Pick(options));
        }
        given.push_back(t.drugs);
        t.start = FormatDate(start);
        const int64_t duration = std::min<int64_t>(
            1200, std::llround(is_matched ? 60 + rng.Exponential(300) : 30 + rng.Exponential(150)));
        const int64_t end = start + duration;
        if (end > limit) {
          if (row.vital_status == "dead") {
            t.end = FormatDate(limit);
            t.response = DrawResponse(is_matched, line);
          } else {
            // Still on treatment at last contact.
            t.response = limit - start < 56 ? "NA" : DrawResponse(is_matched, line);
          }
          row.treatments.push_back(std::move(t));
          break;
        }
        t.end = FormatDate(end);
        t.response = DrawResponse(is_matched, line);
        row.treatments.push_back(std::move(t));
        start = end + rng.Int(7, 45);
      }
    }
    return row;
  }
};

// ---------------------------------------------------------------------------
// Deliberately bad rows.

enum class Defect {
  kUnknownOncoTree,
  kBadHgvs,
  kMissingRequired,
  kNonNumericEcog,
  kBadDate,
  kDeathBeforeLastContact,
  kInvalidUtf8Name,
  kTooFewColumns,
  kBadSex,
  kDeathWhileAlive,
  kBadRecordNumber,
  kEcogOutOfRange,
  kBadVaf,
  kBadAlterationKind,
  kBadResponse,
  kNonNumericTmb,
};
constexpr int kNumDefects = 16;

void EnsureTest(Row& row) {
  if (!row.assay.empty()) return;
  row.assay = "F1CDX";
  row.specimen = "primary";
  row.report_date = FormatDate(row.reg_day + 21);
}

std::string BreakDate(Rng& rng, const std::string& date) {
  const std::string y = date.substr(0, 4), m = date.substr(5, 2), d = date.substr(8, 2);
  switch (rng.Int(0, 4)) {
    case 0: return y + "/" + m + "/" + d;
    case 1: return y + m + d;
    case 2: return y + "-02-30";
    case 3: return y + "-13-" + d;
    default: {
      // Japanese era year (Reiwa / Heisei), as some systems print it.
      const int year = std::stoi(y);
      char buf[32];
      if (year >= 2019) {
        std::snprintf(buf, sizeof(buf), "R%02d.%s.%s", year - 2018, m.c_str(), d.c_str());
      } else {
        std::snprintf(buf, sizeof(buf), "H%02d.%s.%s", year - 1988, m.c_str(), d.c_str());
      }
      return buf;
    }
  }
}

// The forms real exports write valid values in (docs/export-format.md), at
// rates seen in hospital exports, so that the demo, the fault suite and the
// benchmark go through the importer's normalisation (issue 10). The site
// decides the file-wide habits (a percent VAF column for liquid biopsies, a
// clinical gene name, slash dates); single cells vary at low rates.
std::string ThreeLetterProtein(const std::string& change) {
  // IUPAC-IUB one- to three-letter codes (HGVS "Standards: amino acids").
  static const std::map<char, const char*> kCodes = {
      {'A', "Ala"}, {'R', "Arg"}, {'N', "Asn"}, {'D', "Asp"}, {'C', "Cys"}, {'Q', "Gln"}, {'E', "Glu"},
      {'G', "Gly"}, {'H', "His"}, {'I', "Ile"}, {'L', "Leu"}, {'K', "Lys"}, {'M', "Met"}, {'F', "Phe"},
      {'P', "Pro"}, {'S', "Ser"}, {'T', "Thr"}, {'W', "Trp"}, {'Y', "Tyr"}, {'V', "Val"}, {'*', "Ter"}};
  // Only simple substitutions "p.V600E" / "p.R213*".
  if (change.size() < 5 || change.rfind("p.", 0) != 0) return change;
  const char ref = change[2], alt = change.back();
  const std::string pos = change.substr(3, change.size() - 4);
  if (pos.empty() || pos.find_first_not_of("0123456789") != std::string::npos) return change;
  auto r = kCodes.find(ref), a = kCodes.find(alt);
  if (r == kCodes.end() || a == kCodes.end()) return change;
  return std::string("p.") + r->second + pos + a->second;
}

void ApplyExportForms(Rng& rng, int site, Row& row) {
  const bool liquid = row.specimen == "cfdna";
  for (AlterationRow& a : row.alterations) {
    if (a.kind == "SNV" && rng.Chance(0.06)) a.change = ThreeLetterProtein(a.change);
    if (a.kind == "SNV" && rng.Chance(0.02) && a.change.rfind("p.", 0) == 0) a.change = "p.(" + a.change.substr(2) + ")";
    if (a.gene == "ERBB2" && site % 4 == 2) a.gene = "HER2";  // the clinical name, file-wide
    if (rng.Chance(0.01)) {
      for (char& c : a.gene) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    // Liquid-biopsy reports print VAF in percent: some sites keep it so (file-wide).
    if (liquid && site % 3 == 1 && !a.vaf.empty()) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.4g", std::atof(a.vaf.c_str()) * 100);
      a.vaf = buf;
    }
  }
  // Dates re-formatted by Excel in a Japanese locale (yyyy/m/d), file-wide at some sites.
  if (site % 5 == 3 && row.birth_date.size() == 10 && row.birth_date[4] == '-') {
    const int y = std::atoi(row.birth_date.c_str()), m = std::atoi(row.birth_date.c_str() + 5),
              d = std::atoi(row.birth_date.c_str() + 8);
    row.birth_date = std::to_string(y) + "/" + std::to_string(m) + "/" + std::to_string(d);
  }
}

void ApplyDefect(Rng& rng, Defect defect, Row& row) {
  switch (defect) {
    case Defect::kUnknownOncoTree: {
      std::vector<std::string_view> codes;
      for (std::string_view c : UnknownOncoTreeCodes()) {
        if (FindOncoTree(c) == nullptr) codes.push_back(c);
      }
      row.oncotree_code = std::string(codes.empty() ? "XXXX" : rng.Pick(codes));
      break;
    }
    case Defect::kBadHgvs: {
      EnsureTest(row);
      static const std::vector<std::string_view> kBad = {"p.V600", "p.600E", "p.V600E)"};
      row.alterations.push_back({"BRAF", "SNV", std::string(rng.Pick(kBad)), "0.31"});
      break;
    }
    case Defect::kMissingRequired: {
      static const std::vector<int> kRequired = {0, 1, 2, 3, 4, 5, 7, 10};
      Field(row, rng.Pick(kRequired)).clear();
      break;
    }
    case Defect::kNonNumericEcog: {
      static const std::vector<std::string_view> kBad = {"PS1", "1-2", "one"};
      row.ecog = std::string(rng.Pick(kBad));
      break;
    }
    case Defect::kBadDate: {
      static const std::vector<int> kDates = {3, 5, 6, 11};
      std::string* field = &Field(row, rng.Pick(kDates));
      if (field->size() != 10) field = &row.birth_date;
      *field = BreakDate(rng, *field);
      break;
    }
    case Defect::kDeathBeforeLastContact: {
      const int64_t last_contact = row.reg_day + rng.Int(90, 400);
      row.vital_status = "dead";
      row.last_contact_date = FormatDate(last_contact);
      row.death_date = FormatDate(last_contact - rng.Int(1, 60));
      break;
    }
    case Defect::kInvalidUtf8Name: {
      switch (rng.Int(0, 2)) {
        case 0: row.family_name = "\x8E\x52\x93\x63"; break;  // 山田 in Shift_JIS
        case 1: row.family_name = "\x8D\xB2\x93\xA1"; break;  // 佐藤 in Shift_JIS
        default:
          // A UTF-8 name cut inside its last character.
          row.given_name = std::string(GivenNames()[0].kanji);
          row.given_name.pop_back();
          break;
      }
      break;
    }
    case Defect::kTooFewColumns:
      row.truncated = true;
      break;
    case Defect::kBadSex: {
      static const std::vector<std::string_view> kBad = {"male", "X", "2"};
      row.sex = std::string(rng.Pick(kBad));
      break;
    }
    case Defect::kDeathWhileAlive: {
      row.vital_status = "alive";
      const int64_t last_contact = row.reg_day + rng.Int(30, 400);
      row.last_contact_date = FormatDate(last_contact);
      row.death_date = FormatDate(last_contact + rng.Int(1, 30));
      break;
    }
    case Defect::kBadRecordNumber: {
      const std::string number = row.record_number;
      const size_t dash = number.find('-');
      switch (rng.Int(0, 2)) {
        case 0: row.record_number[dash] = ' '; break;
        case 1: row.record_number[dash] = '_'; break;
        default: row.record_number = number + "-REV-" + number + "-OLD"; break;  // > 32 chars
      }
      break;
    }
    case Defect::kEcogOutOfRange:
      row.ecog = rng.Chance(0.5) ? "5" : "9";
      break;
    case Defect::kBadVaf:
      EnsureTest(row);
      // Unreadable or impossible at any unit (a value above 1 would instead put
      // the whole file's assay column in doubt: common/units.h).
      row.alterations.push_back({"TP53", "SNV", "p.R273H", rng.Chance(0.5) ? "-0.2" : "0.3x"});
      break;
    case Defect::kBadAlterationKind:
      EnsureTest(row);
      row.alterations.push_back({"KRAS", rng.Chance(0.5) ? "MUT" : "snv", "p.G12D", "0.22"});
      break;
    case Defect::kBadResponse:
      if (row.treatments.empty()) {
        row.treatments.push_back({"1", "doxorubicin", FormatDate(row.reg_day + 30),
                                  FormatDate(row.reg_day + 120), "", ""});
      }
      row.treatments.back().response = rng.Chance(0.5) ? "PARTIAL" : "iCR";
      break;
    case Defect::kNonNumericTmb: {
      EnsureTest(row);
      static const std::vector<std::string_view> kBad = {"high", "<1", "12,5"};
      row.tmb = std::string(rng.Pick(kBad));
      break;
    }
  }
}

// ---------------------------------------------------------------------------

struct OutputLine {
  int64_t sort_day;
  std::string record_number;
  std::string text;
};

absl::Status CheckTables() {
  const auto& sites = Sites();
  const auto& profiles = SiteProfiles();
  if (sites.size() != profiles.size()) return absl::InternalError("synth: site tables differ");
  for (size_t i = 0; i < sites.size(); ++i) {
    if (sites[i].id != profiles[i].id) return absl::InternalError("synth: site tables differ");
  }
  for (const CaseMixEntry& e : CaseMix()) {
    if (FindOncoTree(e.code) == nullptr) {
      return absl::InternalError("synth: case-mix code not in the OncoTree table: " +
                                 std::string(e.code));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SynthResult> WriteExports(const SynthOptions& options) {
  if (options.out_dir.empty()) return absl::InvalidArgumentError("synth: out_dir is empty");
  if (options.total_cases < 0 || options.total_cases > kMaxTotalCases) {
    return absl::InvalidArgumentError("synth: total_cases must be 0.." +
                                      std::to_string(kMaxTotalCases));
  }
  if (!(options.shared_person_rate >= 0 && options.shared_person_rate <= 1) ||
      !(options.malformed_rate >= 0 && options.malformed_rate <= 1)) {
    return absl::InvalidArgumentError("synth: rates must be within [0, 1]");
  }
  if (absl::Status s = CheckTables(); !s.ok()) return s;

  // The selected sites, as indices into Sites().
  const auto& all_sites = Sites();
  std::vector<int> selected;
  if (options.sites.empty()) {
    for (size_t i = 0; i < all_sites.size(); ++i) selected.push_back(static_cast<int>(i));
  } else {
    for (const std::string& id : options.sites) {
      const SiteInfo* info = FindSite(id);
      if (info == nullptr) return absl::InvalidArgumentError("synth: unknown site: " + id);
      const int index = static_cast<int>(info - all_sites.data());
      if (std::find(selected.begin(), selected.end(), index) != selected.end()) {
        return absl::InvalidArgumentError("synth: site listed twice: " + id);
      }
      selected.push_back(index);
    }
    std::sort(selected.begin(), selected.end());
  }

  Generator gen(options.seed);
  gen.code_weights.resize(all_sites.size());
  for (int s : selected) {
    for (const CaseMixEntry& e : CaseMix()) {
      double w = e.weight;
      if (SiteProfiles()[s].pediatric) w *= e.age_mean < 30 ? 12 : 0.4;
      gen.code_weights[s].push_back(w);
    }
  }

  // Rows per site: largest remainder over the site weights.
  const int64_t total = options.total_cases;
  std::vector<int64_t> counts(all_sites.size(), 0);
  {
    double weight_sum = 0;
    for (int s : selected) weight_sum += SiteProfiles()[s].weight;
    int64_t assigned = 0;
    std::vector<std::pair<double, int>> remainders;
    for (int s : selected) {
      const double exact = static_cast<double>(total) * SiteProfiles()[s].weight / weight_sum;
      counts[s] = static_cast<int64_t>(std::floor(exact));
      assigned += counts[s];
      remainders.push_back({exact - std::floor(exact), s});
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t k = 0; assigned < total; ++k, ++assigned) {
      ++counts[remainders[k % remainders.size()].second];
    }
  }

  // Slots: one per row. Some become second registrations of a person first
  // registered at another site.
  struct Slot {
    int site;
    int64_t source = -1;  // index into `persons` for a second registration
  };
  std::vector<Slot> slots;
  for (int s : selected) {
    for (int64_t k = 0; k < counts[s]; ++k) slots.push_back({s});
  }
  int64_t shared_target = 0;
  int sites_with_rows = 0;
  for (int s : selected) sites_with_rows += counts[s] > 0;
  if (sites_with_rows >= 2) {
    shared_target = std::llround(static_cast<double>(total) * options.shared_person_rate /
                                 (1.0 + options.shared_person_rate));
    shared_target = std::min(shared_target, total / 3);
  }
  std::vector<size_t> order(slots.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  gen.rng.Shuffle(order);
  std::vector<bool> secondary(slots.size(), false);
  for (int64_t k = 0; k < shared_target; ++k) secondary[order[k]] = true;

  // First registrations.
  std::vector<Person> persons;
  std::vector<size_t> person_slot;  // slot of each person's first registration
  std::vector<int64_t> slot_person(slots.size(), -1);
  for (size_t i = 0; i < slots.size(); ++i) {
    if (secondary[i]) continue;
    slot_person[i] = static_cast<int64_t>(persons.size());
    persons.push_back(gen.NewPerson(slots[i].site));
    person_slot.push_back(i);
  }

  // Sources for the second registrations: a different site, each person once;
  // a children's hospital only takes young patients.
  std::vector<bool> used_as_source(persons.size(), false);
  int64_t shared_persons = 0;
  auto can_share = [&](size_t c, int site) {
    if (used_as_source[c] || persons[c].site == site) return false;
    return !SiteProfiles()[site].pediatric ||
           persons[c].reg_day - persons[c].birth_day < 25 * 365;
  };
  for (size_t i = 0; i < slots.size(); ++i) {
    if (!secondary[i]) continue;
    int64_t source = -1;
    for (int attempt = 0; attempt < 64 && source < 0 && !persons.empty(); ++attempt) {
      const int64_t c = gen.rng.Int(0, static_cast<int64_t>(persons.size()) - 1);
      if (can_share(static_cast<size_t>(c), slots[i].site)) source = c;
    }
    for (size_t c = 0; source < 0 && c < persons.size(); ++c) {
      if (can_share(c, slots[i].site)) source = static_cast<int64_t>(c);
    }
    if (source < 0) {
      // Nobody left to share: an ordinary first registration instead.
      secondary[i] = false;
      slot_person[i] = static_cast<int64_t>(persons.size());
      persons.push_back(gen.NewPerson(slots[i].site));
      used_as_source.push_back(false);
      person_slot.push_back(i);
      continue;
    }
    used_as_source[source] = true;
    slots[i].source = source;
    ++shared_persons;
  }

  // Malformed rows: first registrations of persons who are not shared, so
  // that every shared person stays linkable.
  std::vector<int> defect_of(slots.size(), -1);
  int64_t malformed = 0;
  {
    std::vector<size_t> candidates;
    for (size_t p = 0; p < persons.size(); ++p) {
      if (!used_as_source[p]) candidates.push_back(person_slot[p]);
    }
    std::sort(candidates.begin(), candidates.end());
    gen.rng.Shuffle(candidates);
    const int64_t target = std::min<int64_t>(
        std::llround(static_cast<double>(total) * options.malformed_rate),
        static_cast<int64_t>(candidates.size()));
    std::vector<int> kinds(kNumDefects);
    for (int k = 0; k < kNumDefects; ++k) kinds[k] = k;
    gen.rng.Shuffle(kinds);
    for (int64_t k = 0; k < target; ++k) defect_of[candidates[k]] = kinds[k % kNumDefects];
    malformed = target;
  }

  // Make and render every row, in slot order.
  std::vector<std::vector<OutputLine>> lines(all_sites.size());
  std::vector<std::unordered_set<int64_t>> numbers(all_sites.size());
  for (size_t i = 0; i < slots.size(); ++i) {
    const int site = slots[i].site;
    const SiteProfile& profile = SiteProfiles()[site];
    Row row;
    if (slots[i].source >= 0) {
      const Person& p = persons[slots[i].source];
      // Registered again, before or after the first hospital (referral).
      const int64_t site_first =
          std::max(kFirstRegistrationDay, DaysFromCivil(profile.first_year, profile.first_month, 1));
      const int64_t lo = std::max({site_first, p.birth_day + 366,
                                   p.diag_day == kNoDay ? p.birth_day : p.diag_day});
      int64_t reg = p.reg_day + gen.rng.Int(-300, 700);
      reg = std::clamp(reg, std::min(lo, kLastRegistrationDay), kLastRegistrationDay);
      auto names = gen.VariantNames(p);
      row = gen.MakeRow(p, reg, std::move(names.first), std::move(names.second));
    } else {
      const Person& p = persons[slot_person[i]];
      auto names = Generator::Names(p);
      row = gen.MakeRow(p, p.reg_day, std::move(names.first), std::move(names.second));
    }
    // Record number, unique within the site.
    const int64_t hi = std::max<int64_t>(9'999'999, std::min<int64_t>(99'999'999, counts[site] * 10));
    int64_t number;
    do {
      number = gen.rng.Int(1, hi);
    } while (!numbers[site].insert(number).second);
    char buf[48];
    std::snprintf(buf, sizeof(buf), "%s-%08lld", std::string(profile.record_prefix).c_str(),
                  static_cast<long long>(number));
    row.record_number = buf;
    const std::string sort_key = row.record_number;
    ApplyExportForms(gen.rng, site, row);
    if (defect_of[i] >= 0) ApplyDefect(gen.rng, static_cast<Defect>(defect_of[i]), row);

    const bool csv = site % 2 == 0;
    std::string text = csv ? CsvLine(row, profile.style, gen.rng)
                           : NdjsonLine(row, profile.style, gen.rng);
    if (!csv && profile.style.blank_lines && gen.rng.Chance(0.01)) text += "\n";
    lines[site].push_back({row.reg_day, sort_key, std::move(text)});
  }

  // Write the files, rows ordered by registration date.
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) {
    return absl::InternalError("synth: cannot create " + options.out_dir + ": " + ec.message());
  }
  SynthResult result;
  for (int s : selected) {
    const SiteProfile& profile = SiteProfiles()[s];
    const bool csv = s % 2 == 0;
    auto& site_lines = lines[s];
    std::sort(site_lines.begin(), site_lines.end(), [](const OutputLine& a, const OutputLine& b) {
      return a.sort_day != b.sort_day ? a.sort_day < b.sort_day
                                      : a.record_number < b.record_number;
    });
    const std::string path = (std::filesystem::path(options.out_dir) /
                              (std::string(profile.id) + (csv ? ".csv" : ".ndjson")))
                                 .string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return absl::InternalError("synth: cannot open " + path);
    if (csv) out << CsvHeader(profile.style);
    for (const OutputLine& l : site_lines) out << l.text;
    out.close();
    if (!out) return absl::InternalError("synth: cannot write " + path);
    result.files.push_back(path);
    result.rows += static_cast<int64_t>(site_lines.size());
  }
  result.malformed = malformed;
  result.shared_persons = shared_persons;
  return result;
}

}  // namespace fedreg::synth
