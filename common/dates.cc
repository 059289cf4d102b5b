#include "common/dates.h"

#include "absl/time/civil_time.h"

#include <unicode/calendar.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <array>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/text_fold.h"  // VisibleSpaces
#include "common/utf8.h"

namespace fedreg {
namespace {

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2100;
constexpr size_t kQuoteBytes = 64;

// The cell as written, cut to a valid UTF-8 prefix, in quotes, with its
// leading and trailing spaces made visible (text_fold.h, as case_builder does).
std::string Quote(std::string_view text) {
  return absl::StrCat("'", VisibleSpaces(Utf8Prefix(text, kQuoteBytes)), "'");
}

// Days since 1970-01-01 of a proleptic Gregorian date (absl's civil time;
// out-of-range parts normalise, as absl::CivilDay does: callers check the
// parts first).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  return absl::CivilDay(y, m, d) - absl::CivilDay(1970, 1, 1);
}

struct Civil {
  int year, month, day;
};

Civil CivilFromDays(int64_t z) {
  const absl::CivilDay day = absl::CivilDay(1970, 1, 1) + z;
  return Civil{static_cast<int>(day.year()), day.month(), day.day()};
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

std::string IsoText(int y, int m, int d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

constexpr const char* kMonthNames[] = {"January", "February", "March",     "April",   "May",      "June",
                                       "July",    "August",   "September", "October", "November", "December"};

// The calendar checks shared by every form: a real day, in 1900..2100.
absl::Status CheckCivil(std::string_view text, int y, int m, int d) {
  if (m < 1 || m > 12)
    return absl::InvalidArgumentError(absl::StrCat(Quote(text), " is not a calendar date: there is no month ", m));
  if (d < 1 || d > DaysInMonth(y, m))
    return absl::InvalidArgumentError(absl::StrCat(Quote(text), " is not a calendar date: ", kMonthNames[m - 1], " ", y,
                                                   " has ", DaysInMonth(y, m), " days"));
  if (y < kMinYear || y > kMaxYear)
    return absl::InvalidArgumentError(
        absl::StrCat(Quote(text), ": year ", y, " is outside ", kMinYear, "..", kMaxYear));
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Japanese eras.

struct Era {
  int icu_era;           // UCAL_ERA value in ICU's Japanese calendar
  int receipt_code;      // G of GYYMMDD
  char letter;           // M T S H R
  const char* kanji;     // 明治 ...
  const char* abbrev;    // 明 ...
  const char* romaji;    // Meiji ...
  bool shares_last_day;  // its last day is also the next era's first day
};

// The five eras since 1868. Names and letters are fixed by law and custom;
// the start days are ICU's (EraTable below). Never reorder: index + 1 is the
// receipt code.
constexpr std::array<Era, 5> kEras = {{
    {232, 1, 'M', "明治", "明", "Meiji", true},
    {233, 2, 'T', "大正", "大", "Taisho", true},
    {234, 3, 'S', "昭和", "昭", "Showa", false},
    {235, 4, 'H', "平成", "平", "Heisei", false},
    {236, 5, 'R', "令和", "令", "Reiwa", false},
}};

struct EraSpan {
  int64_t first_day;  // days since 1970-01-01
  int64_t last_day;   // inclusive; int64 max while the era is current
  int first_year;     // Gregorian year of 元年
};

struct EraTable {
  bool ok = false;
  std::array<EraSpan, kEras.size()> spans{};
};

// Reads the era start days from ICU once: for each era, the first day whose
// UCAL_ERA is at least that era (binary search over 1860..2200; the era is
// non-decreasing in time). A later era than Reiwa, if this ICU knows one
// (ICU_ENABLE_TENTATIVE_ERA), ends Reiwa.
const EraTable& Eras() {
  static const EraTable table = [] {
    EraTable t;
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Calendar> cal(icu::Calendar::createInstance(icu::TimeZone::getGMT()->clone(),
                                                                     icu::Locale("ja_JP@calendar=japanese"), status));
    if (U_FAILURE(status) || cal == nullptr || std::string_view(cal->getType()) != "japanese") return t;
    auto era_at = [&](int64_t day) -> int {
      cal->setTime(static_cast<UDate>(day) * U_MILLIS_PER_DAY, status);
      return cal->get(UCAL_ERA, status);
    };
    auto first_day_of = [&](int era) -> int64_t {
      int64_t lo = DaysFromCivil(1860, 1, 1), hi = DaysFromCivil(2200, 1, 1);  // answer in (lo, hi]
      if (era_at(hi) < era) return std::numeric_limits<int64_t>::max();
      while (hi - lo > 1) {
        const int64_t mid = lo + (hi - lo) / 2;
        (era_at(mid) >= era ? hi : lo) = mid;
      }
      return hi;
    };
    const int max_era = cal->getMaximum(UCAL_ERA);
    for (size_t i = 0; i < kEras.size(); ++i) {
      const int64_t first = first_day_of(kEras[i].icu_era);
      // The era must exist and ICU must call its first day year 1.
      if (first == std::numeric_limits<int64_t>::max()) return t;
      cal->setTime(static_cast<UDate>(first) * U_MILLIS_PER_DAY, status);
      if (cal->get(UCAL_ERA, status) != kEras[i].icu_era || cal->get(UCAL_YEAR, status) != 1) return t;
      t.spans[i].first_day = first;
      t.spans[i].first_year = CivilFromDays(first).year;
    }
    for (size_t i = 0; i < kEras.size(); ++i) {
      int64_t next = std::numeric_limits<int64_t>::max();
      if (i + 1 < kEras.size())
        next = t.spans[i + 1].first_day;
      else if (max_era > kEras[i].icu_era)
        next = first_day_of(kEras[i].icu_era + 1);
      t.spans[i].last_day = next == std::numeric_limits<int64_t>::max() ? next
                            : kEras[i].shares_last_day                  ? next
                                                                        : next - 1;
    }
    if (U_FAILURE(status)) return t;
    t.ok = true;
    return t;
  }();
  return table;
}

// How an era date was spelt, to suggest the fix in the same style.
enum class EraStyle { kKanji, kLetter, kReceipt };

std::string EraSpelling(EraStyle style, size_t era, int year, int m, int d, char sep) {
  char buf[64];
  switch (style) {
    case EraStyle::kKanji:
      if (year == 1) return absl::StrCat(kEras[era].kanji, "元年", m, "月", d, "日");
      return absl::StrCat(kEras[era].kanji, year, "年", m, "月", d, "日");
    case EraStyle::kLetter:
      std::snprintf(buf, sizeof buf, "%c%02d%c%02d%c%02d", kEras[era].letter, year, sep, m, sep, d);
      return buf;
    case EraStyle::kReceipt:
      std::snprintf(buf, sizeof buf, "%d%02d%02d%02d", kEras[era].receipt_code, year, m, d);
      return buf;
  }
  return "";
}

// The era (index into kEras) that ICU gives `day`, or -1 before Meiji.
int EraOfDay(const EraTable& t, int64_t day) {
  for (int i = static_cast<int>(kEras.size()) - 1; i >= 0; --i)
    if (day >= t.spans[i].first_day) return i;
  return -1;
}

absl::StatusOr<ParsedDate> EraDate(std::string_view text, size_t era, int era_year, int m, int d, EraStyle style,
                                   char sep) {
  const EraTable& t = Eras();
  if (!t.ok) return absl::InternalError("ICU's Japanese calendar is unavailable: cannot read Japanese era dates");
  if (era_year < 1)
    return absl::InvalidArgumentError(
        absl::StrCat(Quote(text), ": era year 0 does not exist (the first year of an era is 元年 = 1)"));
  const EraSpan& span = t.spans[era];
  const int y = span.first_year + era_year - 1;
  if (absl::Status s = CheckCivil(text, y, m, d); !s.ok()) return s;
  const int64_t days = DaysFromCivil(y, m, d);
  const bool before = days < span.first_day;
  const bool after = days > span.last_day;
  if (before || after) {
    const int right = EraOfDay(t, days);
    const Civil bound = CivilFromDays(before ? span.first_day : span.last_day);
    std::string msg = absl::StrCat(Quote(text), " is ", before ? "before the start" : "after the end", " of ",
                                   kEras[era].romaji, " (", IsoText(bound.year, bound.month, bound.day), "); write ");
    if (right >= 0) {
      const int right_year = y - t.spans[right].first_year + 1;
      absl::StrAppend(&msg, EraSpelling(style, right, right_year, m, d, sep), " or ");
    }
    absl::StrAppend(&msg, IsoText(y, m, d));
    return absl::InvalidArgumentError(msg);
  }
  ParsedDate out;
  out.days = days;
  out.iso = IsoText(y, m, d);
  out.rewritten = true;
  out.form = style == EraStyle::kReceipt ? DateForm::kReceipt : DateForm::kJapaneseEra;
  return out;
}

// ---------------------------------------------------------------------------
// Text clean-up and tokens.

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// NFKC, then dash look-alikes to '-'. Only called for non-ASCII text.
absl::StatusOr<std::string> FoldUnicode(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  static const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  if (nfkc == nullptr) return absl::InternalError("ICU NFKC is unavailable");
  status = U_ZERO_ERROR;
  icu::UnicodeString s =
      nfkc->normalize(icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), text.size())), status);
  if (U_FAILURE(status)) return absl::InvalidArgumentError(absl::StrCat(Quote(text), " cannot be normalised"));
  for (int32_t i = 0; i < s.length(); ++i) {
    const char16_t c = s.charAt(i);
    if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0x30FC) s.setCharAt(i, u'-');
  }
  std::string out;
  s.toUTF8String(out);
  return out;
}

enum class Tok { kNumber, kSep, kYear, kMonth, kDay, kGan, kEra, kOther };

struct Token {
  Tok kind;
  std::string_view text;  // digits of a number; the separator character
  int era = -1;           // index into kEras for kEra
  bool era_letter = false;
};

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// At most 8 tokens make a date (era, Y, sep, M, sep, D, 日); more is not one.
class Tokens {
 public:
  static constexpr size_t kMax = 8;
  void push_back(const Token& t) {
    if (size_ < kMax) items_[size_] = t;
    ++size_;
  }
  size_t size() const { return size_ > kMax ? kMax + 1 : size_; }
  bool overflow() const { return size_ > kMax; }
  bool empty() const { return size_ == 0; }
  const Token& operator[](size_t i) const { return items_[i]; }
  const Token* begin() const { return items_.data(); }
  const Token* end() const { return items_.data() + (size_ > kMax ? kMax : size_); }

 private:
  std::array<Token, kMax> items_{};
  size_t size_ = 0;
};

// Splits the date part into tokens; spaces between tokens are dropped.
Tokens Tokenize(std::string_view s) {
  Tokens toks;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    if (IsAsciiDigit(c)) {
      size_t j = i;
      while (j < s.size() && IsAsciiDigit(s[j])) ++j;
      toks.push_back({Tok::kNumber, s.substr(i, j - i)});
      i = j;
      continue;
    }
    if (c == '-' || c == '/' || c == '.') {
      toks.push_back({Tok::kSep, s.substr(i, 1)});
      ++i;
      continue;
    }
    const std::string_view rest = s.substr(i);
    bool matched = false;
    static constexpr std::pair<std::string_view, Tok> kKanji[] = {
        {"年", Tok::kYear}, {"月", Tok::kMonth}, {"日", Tok::kDay}, {"元", Tok::kGan}};
    for (const auto& [word, kind] : kKanji) {
      if (StartsWith(rest, word)) {
        toks.push_back({kind, rest.substr(0, word.size())});
        i += word.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    for (size_t e = 0; e < kEras.size() && !matched; ++e) {
      for (std::string_view name : {std::string_view(kEras[e].kanji), std::string_view(kEras[e].abbrev)}) {
        if (StartsWith(rest, name)) {
          toks.push_back({Tok::kEra, rest.substr(0, name.size()), static_cast<int>(e)});
          i += name.size();
          matched = true;
          break;
        }
      }
      if (!matched && (c == kEras[e].letter || c == kEras[e].letter + ('a' - 'A'))) {
        toks.push_back({Tok::kEra, rest.substr(0, 1), static_cast<int>(e), true});
        ++i;
        matched = true;
      }
    }
    if (matched) continue;
    toks.push_back({Tok::kOther, rest.substr(0, 1)});
    ++i;
  }
  return toks;
}

int Value(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

absl::Status NotADate(std::string_view text) {
  return absl::InvalidArgumentError(absl::StrCat(Quote(text), " is not a date: write YYYY-MM-DD"));
}

// Splits off a time part ("00:00", "0:00:00.000Z") after a space or 'T'.
// Returns false when a time is present and is not midnight (or malformed).
struct Split {
  std::string_view date;
  std::string_view time;  // empty when none
};

Split SplitTime(std::string_view s) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos) return {s, {}};
  size_t k = colon;
  while (k > 0 && IsAsciiDigit(s[k - 1])) --k;
  if (k == 0) return {s, {}};
  const char sep = s[k - 1];
  if (sep != ' ' && sep != 'T' && sep != 't' && sep != '\t') return {s, {}};
  return {TrimSpaces(s.substr(0, k - 1)), s.substr(k)};
}

// H{1,2}:MM[:SS[.f+]][Z]; sets *midnight. False when malformed.
bool ReadTime(std::string_view t, bool* midnight) {
  bool zero = true;
  size_t i = 0;
  auto digits = [&](size_t min, size_t max) {
    size_t n = 0;
    while (i < t.size() && IsAsciiDigit(t[i]) && n < max) {
      if (t[i] != '0') zero = false;
      ++i, ++n;
    }
    return n >= min;
  };
  if (!digits(1, 2) || i >= t.size() || t[i] != ':') return false;
  ++i;
  if (!digits(2, 2)) return false;
  if (i < t.size() && t[i] == ':') {
    ++i;
    if (!digits(2, 2)) return false;
    if (i < t.size() && t[i] == '.') {
      ++i;
      if (!digits(1, 9)) return false;
    }
  }
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) ++i;
  if (i != t.size()) return false;
  *midnight = zero;
  return true;
}

absl::StatusOr<ParsedDate> Gregorian(std::string_view text, int y, int m, int d, DateForm form) {
  if (absl::Status s = CheckCivil(text, y, m, d); !s.ok()) return s;
  ParsedDate out;
  out.days = DaysFromCivil(y, m, d);
  out.iso = IsoText(y, m, d);
  out.rewritten = out.iso != text;
  out.form = form;
  return out;
}

absl::StatusOr<ParsedDate> Refuse(std::string msg) { return absl::InvalidArgumentError(std::move(msg)); }

std::string DayOrMonthFirst(std::string_view text) {
  return absl::StrCat(Quote(text),
                      " looks day-first or month-first (DD/MM/YYYY or MM/DD/YYYY): ambiguous; write YYYY-MM-DD");
}
std::string TwoDigitYear(std::string_view text) {
  return absl::StrCat(Quote(text),
                      " has a 2-digit year (YY/MM/DD, or day-first DD/MM/YY): ambiguous; write YYYY-MM-DD");
}
std::string Serial(std::string_view text) {
  return absl::StrCat(
      Quote(text),
      " looks like a spreadsheet serial date (Excel's 1900 and 1904 date systems make it ambiguous); format the column as YYYY-MM-DD");
}

// The separator pair of Y?M?D: the same '-', '/' or '.' twice, or 年 月 (then
// 日 must follow the day). Returns the form, or nullopt.
std::optional<DateForm> SeparatorForm(const Token& a, const Token& b, bool* want_day_kanji) {
  *want_day_kanji = false;
  if (a.kind == Tok::kSep && b.kind == Tok::kSep && a.text == b.text) {
    if (a.text == "-") return DateForm::kIso;
    if (a.text == "/") return DateForm::kSlash;
    return DateForm::kDot;
  }
  if (a.kind == Tok::kYear && b.kind == Tok::kMonth) {
    *want_day_kanji = true;
    return DateForm::kJapanese;
  }
  return std::nullopt;
}

absl::StatusOr<ParsedDate> ParseEra(std::string_view text, const Tokens& t) {
  const Token& era = t[0];
  const EraStyle style = era.era_letter ? EraStyle::kLetter : EraStyle::kKanji;
  // Era + 6 digits: S360402.
  if (t.size() == 2 && t[1].kind == Tok::kNumber && t[1].text.size() == 6) {
    const std::string_view n = t[1].text;
    return EraDate(text, era.era, Value(n.substr(0, 2)), Value(n.substr(2, 2)), Value(n.substr(4, 2)), style, '.');
  }
  // Era + year + sep + month + sep + day [+ 日].
  if (t.size() != 6 && t.size() != 7) return NotADate(text);
  const Token &yt = t[1], &s1 = t[2], &mt = t[3], &s2 = t[4], &dt = t[5];
  bool want_day = false;
  if (!SeparatorForm(s1, s2, &want_day)) return NotADate(text);
  if (want_day != (t.size() == 7) || (t.size() == 7 && t[6].kind != Tok::kDay)) return NotADate(text);
  int year;
  if (yt.kind == Tok::kGan)
    year = 1;
  else if (yt.kind == Tok::kNumber && yt.text.size() <= 2)
    year = Value(yt.text);
  else
    return NotADate(text);
  if (mt.kind != Tok::kNumber || dt.kind != Tok::kNumber || mt.text.size() > 2 || dt.text.size() > 2)
    return NotADate(text);
  return EraDate(text, era.era, year, Value(mt.text), Value(dt.text), style, s1.kind == Tok::kSep ? s1.text[0] : '.');
}

absl::StatusOr<ParsedDate> ParseSingleNumber(std::string_view text, std::string_view n) {
  switch (n.size()) {
    case 8: {
      // With years limited to 1900..2100, YYYYMMDD and DDMMYYYY / MMDDYYYY
      // cannot both be valid, so a failed YYYYMMDD with a plausible year at
      // the end is named as the day-first or month-first form it is.
      const int y = Value(n.substr(0, 4)), m = Value(n.substr(4, 2)), d = Value(n.substr(6, 2));
      const bool valid = y >= kMinYear && y <= kMaxYear && m >= 1 && m <= 12 && d >= 1 && d <= DaysInMonth(y, m);
      const int tail = Value(n.substr(4, 4));
      if (!valid && tail >= kMinYear && tail <= kMaxYear)
        return Refuse(absl::StrCat(
            Quote(text), " looks day-first or month-first (DDMMYYYY or MMDDYYYY): ambiguous; write YYYY-MM-DD"));
      return Gregorian(text, y, m, d, DateForm::kCompact);
    }
    case 7: {
      const int g = n[0] - '0';
      if (g < 1 || g > 5)
        return Refuse(absl::StrCat(
            Quote(text),
            " is 7 digits but not a receipt date GYYMMDD (G = 1 明治, 2 大正, 3 昭和, 4 平成, 5 令和): write YYYY-MM-DD"));
      return EraDate(text, g - 1, Value(n.substr(1, 2)), Value(n.substr(3, 2)), Value(n.substr(5, 2)),
                     EraStyle::kReceipt, 0);
    }
    case 6:
      return Refuse(absl::StrCat(Quote(text), " is 6 digits (YYMMDD? YYYYMM?): ambiguous; write YYYY-MM-DD"));
    case 5:
      return Refuse(Serial(text));
    case 4:
      return Refuse(absl::StrCat(Quote(text), " is a year alone: write YYYY-MM-DD"));
    default:
      return NotADate(text);
  }
}

absl::StatusOr<ParsedDate> ParseGeneral(std::string_view text) {
  if (!IsValidUtf8(text)) return Refuse(absl::StrCat(Quote(text), " is not valid UTF-8"));
  std::string folded;
  std::string_view s = text;
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      absl::StatusOr<std::string> f = FoldUnicode(text);
      if (!f.ok()) return f.status();
      folded = *std::move(f);
      s = folded;
      break;
    }
  }
  s = TrimSpaces(s);
  if (s.empty()) return Refuse(text.empty() ? "empty date: write YYYY-MM-DD" : "blank date: write YYYY-MM-DD");

  const Split split = SplitTime(s);
  if (!split.time.empty()) {
    bool midnight = false;
    if (!ReadTime(split.time, &midnight)) return NotADate(text);
    if (!midnight)
      return Refuse(absl::StrCat(Quote(text), " has a time of day (", std::string(split.time),
                                 "): a date field holds a date; write YYYY-MM-DD"));
  }
  const Tokens t = Tokenize(split.date);
  if (t.empty() || t.overflow()) return NotADate(text);
  for (const Token& tok : t)
    if (tok.kind == Tok::kOther) return NotADate(text);
  if (t[0].kind == Tok::kEra) return ParseEra(text, t);
  for (const Token& tok : t)
    if (tok.kind == Tok::kEra || tok.kind == Tok::kGan) return NotADate(text);

  if (t.size() == 1 && t[0].kind == Tok::kNumber) return ParseSingleNumber(text, t[0].text);
  // 22373.0, 22373.5: a serial with a fraction of a day.
  if (t.size() == 3 && t[0].kind == Tok::kNumber && t[1].text == "." && t[2].kind == Tok::kNumber &&
      t[0].text.size() == 5)
    return Refuse(Serial(text));
  // 1961-04: no day.
  if (t.size() == 3 && t[0].kind == Tok::kNumber && t[0].text.size() == 4 && t[1].kind == Tok::kSep &&
      t[2].kind == Tok::kNumber && t[2].text.size() <= 2)
    return Refuse(absl::StrCat(Quote(text), " has a year and a month but no day: write YYYY-MM-DD"));
  if (t.size() != 5 && t.size() != 6) return NotADate(text);
  const Token &a = t[0], &s1 = t[1], &b = t[2], &s2 = t[3], &c = t[4];
  if (a.kind != Tok::kNumber || b.kind != Tok::kNumber || c.kind != Tok::kNumber) return NotADate(text);
  bool want_day = false;
  const std::optional<DateForm> form = SeparatorForm(s1, s2, &want_day);
  if (!form) return NotADate(text);
  if (want_day != (t.size() == 6) || (t.size() == 6 && t[5].kind != Tok::kDay)) return NotADate(text);
  const size_t la = a.text.size(), lb = b.text.size(), lc = c.text.size();
  if (la == 4 && lb <= 2 && lc <= 2) return Gregorian(text, Value(a.text), Value(b.text), Value(c.text), *form);
  if (lc == 4 && la <= 2 && lb <= 2) return Refuse(DayOrMonthFirst(text));
  if (la <= 2 && lb <= 2 && lc <= 2) return Refuse(TwoDigitYear(text));
  return NotADate(text);
}

}  // namespace

std::string_view DateFormName(DateForm form) {
  switch (form) {
    case DateForm::kIso:
      return "iso";
    case DateForm::kSlash:
      return "slash";
    case DateForm::kDot:
      return "dot";
    case DateForm::kCompact:
      return "compact";
    case DateForm::kJapanese:
      return "japanese";
    case DateForm::kJapaneseEra:
      return "japanese_era";
    case DateForm::kReceipt:
      return "receipt";
  }
  return "unknown";
}

absl::StatusOr<ParsedDate> ParseDateField(std::string_view text) {
  // Fast path: exactly YYYY-MM-DD, a real day in range.
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    bool digits = true;
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) digits = digits && IsAsciiDigit(text[i]);
    if (digits) {
      const int y = Value(text.substr(0, 4)), m = Value(text.substr(5, 2)), d = Value(text.substr(8, 2));
      if (y >= kMinYear && y <= kMaxYear && m >= 1 && m <= 12 && d >= 1 && d <= DaysInMonth(y, m)) {
        ParsedDate out;
        out.days = DaysFromCivil(y, m, d);
        out.iso = std::string(text);
        out.rewritten = false;
        out.form = DateForm::kIso;
        return out;
      }
    }
  }
  return ParseGeneral(text);
}

}  // namespace fedreg
