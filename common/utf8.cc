#include "common/utf8.h"

#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>

namespace fedreg {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "...";

}  // namespace

bool IsValidUtf8(std::string_view text) {
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(text.size());
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  while (i < n) {
    UChar32 c;
    U8_NEXT(s, i, n, c);  // ICU: c < 0 for an ill-formed sequence
    if (c < 0) return false;
  }
  return true;
}

std::string Utf8Prefix(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  // Room kept for the ellipsis in case the text turns out not to fit.
  const size_t budget = max_bytes >= kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
  size_t fits_budget = std::string::npos;  // out's size when the next piece first overflowed the budget
  // Lengths beyond int32 are cut first: nothing quoted is that long.
  const int32_t n = static_cast<int32_t>(std::min<size_t>(text.size(), INT32_MAX));
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, n, c);  // advances past one code point, or one ill-formed subsequence
    std::string_view piece = c < 0 ? kReplacement : text.substr(static_cast<size_t>(start),
                                                                static_cast<size_t>(i - start));
    if (fits_budget == std::string::npos && out.size() + piece.size() > budget) fits_budget = out.size();
    if (out.size() + piece.size() > max_bytes) {
      out.resize(fits_budget);
      if (max_bytes >= kEllipsis.size()) out += kEllipsis;
      return out;
    }
    out += piece;
  }
  return out;
}

}  // namespace fedreg
