#include "common/units.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/text_fold.h"  // VisibleSpaces
#include "common/utf8.h"

namespace fedreg {
namespace {

constexpr size_t kQuoteBytes = 64;

// The cell as written, cut to a valid UTF-8 prefix, in quotes, with its
// leading and trailing spaces made visible (text_fold.h, as case_builder does).
std::string Quote(std::string_view text) {
  return absl::StrCat("'", VisibleSpaces(Utf8Prefix(text, kQuoteBytes)), "'");
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// The cell with NFKC applied (only when it has non-ASCII bytes; the common
// ASCII cell is returned as is) and surrounding spaces removed. `storage`
// holds the folded text when there is one.
absl::StatusOr<std::string_view> Clean(std::string_view cell, std::string* storage) {
  bool ascii = true;
  for (char c : cell) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return TrimSpaces(cell);
  if (!IsValidUtf8(cell)) return absl::InvalidArgumentError(absl::StrCat(Quote(cell), " is not valid UTF-8"));
  UErrorCode status = U_ZERO_ERROR;
  static const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  if (nfkc == nullptr) return absl::InternalError("ICU NFKC is unavailable");
  status = U_ZERO_ERROR;
  icu::UnicodeString s =
      nfkc->normalize(icu::UnicodeString::fromUTF8(icu::StringPiece(cell.data(), cell.size())), status);
  if (U_FAILURE(status)) return absl::InvalidArgumentError(absl::StrCat(Quote(cell), " cannot be normalised"));
  storage->clear();
  s.toUTF8String(*storage);
  return TrimSpaces(*storage);
}

// An unsigned decimal at the start of `s`: digits [. digits] or . digits,
// then an optional exponent (R writes 1e-04). On success `*mantissa` is the
// text before the exponent, `*exponent` its value, and the rest of `s` is
// returned through `*rest`.
bool ReadDecimal(std::string_view s, std::string_view* mantissa, int* exponent, std::string_view* rest,
                 bool allow_exponent) {
  size_t i = 0, int_digits = 0, frac_digits = 0;
  while (i < s.size() && IsAsciiDigit(s[i])) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsAsciiDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0 || int_digits > 12 || frac_digits > 20) return false;
  *mantissa = s.substr(0, i);
  *exponent = 0;
  if (allow_exponent && i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    bool negative = false;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) negative = s[j++] == '-';
    size_t k = j;
    int e = 0;
    while (k < s.size() && IsAsciiDigit(s[k]) && k - j < 3) e = e * 10 + (s[k++] - '0');
    if (k > j && (k == s.size() || !IsAsciiDigit(s[k]))) {
      *exponent = negative ? -e : e;
      i = k;
    }
  }
  *rest = s.substr(i);
  return true;
}

// mantissa x 10^exponent, correctly rounded (absl::SimpleAtod is from_chars).
double ToDouble(std::string_view mantissa, int exponent) {
  double v = 0;
  std::string text = absl::StrCat(std::string(mantissa), "e", exponent);
  if (!absl::SimpleAtod(text, &v)) return 0;  // unreachable: ReadDecimal checked the shape
  return v;
}

struct VafNumber {
  std::string_view mantissa;
  int exponent = 0;
  double value = 0;
  bool percent_sign = false;
};

// Shared by ClassifyVafCell and ParseVaf: a non-negative number <= 100, with
// an optional trailing '%'.
absl::StatusOr<VafNumber> ReadVaf(std::string_view cell, std::string_view s) {
  if (s.empty()) return absl::InvalidArgumentError("empty VAF: write a fraction 0..1 or leave the VAF out");
  const bool negative = s.front() == '-';
  std::string_view body = negative ? TrimSpaces(s.substr(1)) : s;
  VafNumber n;
  std::string_view rest;
  if (!ReadDecimal(body, &n.mantissa, &n.exponent, &rest, true))
    return absl::InvalidArgumentError(
        absl::StrCat("VAF ", Quote(cell), " is not a number: write a fraction 0..1 (e.g. 0.31)"));
  rest = TrimSpaces(rest);
  if (rest == "%")
    n.percent_sign = true;
  else if (!rest.empty())
    return absl::InvalidArgumentError(
        absl::StrCat("VAF ", Quote(cell), " is not a number: write a fraction 0..1 (e.g. 0.31)"));
  if (negative) return absl::InvalidArgumentError(absl::StrCat("VAF ", Quote(cell), " is negative: a VAF is 0..1"));
  n.value = ToDouble(n.mantissa, n.exponent);
  if (n.value > 100)
    return absl::InvalidArgumentError(absl::StrCat("VAF ", Quote(cell), " is above 100", n.percent_sign ? " %" : "",
                                                   ": not a VAF (a fraction 0..1)"));
  return n;
}

}  // namespace

absl::StatusOr<VafCell> ClassifyVafCell(std::string_view cell) {
  std::string storage;
  absl::StatusOr<std::string_view> s = Clean(cell, &storage);
  if (!s.ok()) return s.status();
  absl::StatusOr<VafNumber> n = ReadVaf(cell, *s);
  if (!n.ok()) return n.status();
  VafCell out;
  out.number = n->value;
  out.percent_sign = n->percent_sign;
  out.reading = n->percent_sign || n->value > 1 ? VafCell::Reading::kPercent : VafCell::Reading::kFraction;
  return out;
}

void VafUnitDecider::Observe(std::string_view assay, std::string_view cell, int64_t line) {
  std::string storage;
  absl::StatusOr<std::string_view> s = Clean(cell, &storage);
  if (!s.ok() || s->empty()) return;
  absl::StatusOr<VafNumber> n = ReadVaf(cell, *s);
  if (!n.ok()) return;
  auto it = seen_.find(assay);
  if (it == seen_.end()) it = seen_.emplace(std::string(assay), Seen{}).first;
  Seen& seen = it->second;
  std::string* slot = n->percent_sign ? &seen.with_sign : n->value > 1 ? &seen.plain_large : &seen.plain_small;
  if (slot->empty()) {
    *slot = Utf8Prefix(*s, 32);
    if (n->percent_sign) seen.sign_line = line;
    else if (n->value > 1) seen.large_line = line;
  }
  ++(n->percent_sign ? seen.signed_ : n->value > 1 ? seen.large : seen.small);
}

absl::StatusOr<VafUnit> VafUnitDecider::UnitFor(std::string_view assay) const {
  auto it = seen_.find(assay);
  if (it == seen_.end()) return VafUnit::kFraction;
  const Seen& seen = it->second;
  auto at = [](int64_t line) { return line > 0 ? absl::StrCat(" at line ", line) : std::string(); };
  if (seen.signed_ > 0) {
    if (seen.large > 0 || seen.small == 0) return VafUnit::kPercent;
    return absl::InvalidArgumentError(absl::StrCat(
        "VAF unit in doubt for assay ", Utf8Prefix(assay, 64), " in this file: ", seen.small, " values 0..1 (e.g. ",
        seen.plain_small, ") beside ", seen.signed_, " with '%' (e.g. ", seen.with_sign, at(seen.sign_line),
        "): a plain 0.35 may be 35 % or 0.35 %. The VAFs of this assay were not stored; write all of them as "
        "fractions 0..1 or all with '%', and import again"));
  }
  if (seen.large == 0) return VafUnit::kFraction;
  if (seen.large * 10 >= seen.large + seen.small) return VafUnit::kPercent;
  return absl::InvalidArgumentError(absl::StrCat(
      "VAF unit in doubt for assay ", Utf8Prefix(assay, 64), " in this file: ", seen.small,
      " values 0..1 and ", seen.large, " above 1 (e.g. ", seen.plain_large, at(seen.large_line),
      ", which looks like a percentage): a column holds fractions or percentages, not both. The VAFs of this "
      "assay were not stored; correct the value(s) and import again"));
}

std::vector<std::string> VafUnitDecider::Assays() const {
  std::vector<std::string> out;
  for (const auto& [assay, seen] : seen_) out.push_back(assay);
  return out;
}

absl::StatusOr<double> ParseVaf(std::string_view cell, VafUnit unit) {
  std::string storage;
  absl::StatusOr<std::string_view> s = Clean(cell, &storage);
  if (!s.ok()) return s.status();
  absl::StatusOr<VafNumber> n = ReadVaf(cell, *s);
  if (!n.ok()) return n.status();
  if (n->percent_sign || unit == VafUnit::kPercent) return ToDouble(n->mantissa, n->exponent - 2);
  if (n->value > 1)
    return absl::InvalidArgumentError(absl::StrCat(
        "VAF ", Quote(cell), " is above 1 and looks like a percentage, but this file's VAFs are fractions 0..1: write ",
        absl::StrCat(ToDouble(n->mantissa, n->exponent - 2)), " (or ", std::string(*s), "%)"));
  return n->value;
}

absl::StatusOr<double> ParseTmb(std::string_view cell) {
  std::string storage;
  absl::StatusOr<std::string_view> cleaned = Clean(cell, &storage);
  if (!cleaned.ok()) return cleaned.status();
  const std::string_view s = *cleaned;
  if (s.empty())
    return absl::InvalidArgumentError("empty TMB: write mutations per megabase (e.g. 12.5) or leave it out");
  const auto not_a_number = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("TMB ", Quote(cell), " is not a number of mutations per megabase (e.g. 12.5)"));
  };
  const char first = s.front();
  if (first == '<' || first == '>' || s.substr(0, 3) == "\xE2\x89\xA4" || s.substr(0, 3) == "\xE2\x89\xA5")
    return absl::InvalidArgumentError(
        absl::StrCat("TMB ", Quote(cell), " is a bound, not a measured value: give the measured mut/Mb"));
  const bool negative = first == '-';
  const std::string_view body = negative ? TrimSpaces(s.substr(1)) : s;
  std::string_view mantissa, rest;
  int exponent = 0;
  if (!ReadDecimal(body, &mantissa, &exponent, &rest, false)) {
    if (negative) return not_a_number();
    // A category where a value belongs: TMB-H, TMB-High, high, L, ...
    std::string word;
    for (char c : s) word += Lower(c);
    std::string_view w = word;
    if (w.substr(0, 3) == "tmb") {
      w.remove_prefix(3);
      while (!w.empty() && (w.front() == '-' || w.front() == '_' || w.front() == ' ' || w.front() == ':'))
        w.remove_prefix(1);
    }
    static constexpr std::string_view kCategories[] = {
        "h", "l", "i", "high", "low", "hi", "lo", "med", "intermediate", "medium", "mid", "tmb-h", "tmb-l"};
    for (std::string_view c : kCategories) {
      if (w == c)
        return absl::InvalidArgumentError(absl::StrCat("TMB must be a number of mutations per megabase (e.g. 12.5); ",
                                                       Quote(cell), " is a category: give the measured value"));
    }
    return not_a_number();
  }
  // The unit: nothing, or [mut|muts|mutation|mutations] then "/" or "per",
  // then "Mb" or "megabase(s)" (ASCII case-insensitive, spaces allowed).
  std::string unit;
  for (char c : TrimSpaces(rest)) unit += Lower(c);
  if (!unit.empty()) {
    std::string_view u = unit;
    for (std::string_view word : {"mutations", "mutation", "muts", "mut"}) {
      if (u.substr(0, word.size()) == word) {
        u.remove_prefix(word.size());
        break;
      }
    }
    u = TrimSpaces(u);
    bool per = false;
    if (!u.empty() && u.front() == '/')
      u.remove_prefix(1), per = true;
    else if (u.substr(0, 4) == "per ")
      u.remove_prefix(4), per = true;
    u = TrimSpaces(u);
    const bool mb = u == "mb" || u == "megabase" || u == "megabases";
    if (!per || !mb)
      return absl::InvalidArgumentError(absl::StrCat(
          "TMB ", Quote(cell),
          ": unit is not mut/Mb; TMB must be a number of mutations per megabase (e.g. 12.5 or 12.5 mut/Mb)"));
  }
  if (negative)
    return absl::InvalidArgumentError(absl::StrCat("TMB ", Quote(cell), " is negative: TMB is 0 or more mut/Mb"));
  const double v = ToDouble(mantissa, exponent);
  if (v > kMaxTmb)
    return absl::InvalidArgumentError(absl::StrCat("TMB ", Quote(cell), " is above ", kMaxTmb,
                                                   " mut/Mb: not a plausible TMB (is it a count, not per Mb?)"));
  return v;
}

}  // namespace fedreg
