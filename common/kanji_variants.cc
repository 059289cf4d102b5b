// The compiled-in kanji variant table (see kanji_variants.h).
#include "common/kanji_variants.h"

#include <algorithm>
#include <iterator>

namespace fedreg {
namespace {

constexpr KanjiVariantPair kPairs[] = {
#include "common/kanji_variants_data.inc"
};

constexpr bool SortedAndClosed() {
  for (size_t i = 0; i < std::size(kPairs); ++i) {
    if (i > 0 && kPairs[i - 1].variant >= kPairs[i].variant) return false;
    if (kPairs[i].variant == kPairs[i].canonical) return false;
  }
  return true;
}
static_assert(SortedAndClosed(), "common/kanji_variants_data.inc must be sorted by variant, without identity pairs");

// Every key is an ideograph in one of these blocks (asserted in the test), so
// anything else skips the search.
constexpr bool MayBeVariant(char32_t c) {
  return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF);
}

}  // namespace

const std::string_view kKanjiVariantsUnicodeVersion = FEDREG_KANJI_VARIANTS_UNICODE_VERSION;
const std::string_view kKanjiVariantsKanjidicVersion = FEDREG_KANJI_VARIANTS_KANJIDIC_VERSION;

char32_t FoldKanjiVariant(char32_t c) {
  if (!MayBeVariant(c)) return c;
  const auto* end = std::end(kPairs);
  const auto* it =
      std::lower_bound(std::begin(kPairs), end, c, [](const KanjiVariantPair& p, char32_t v) { return p.variant < v; });
  return it != end && it->variant == c ? it->canonical : c;
}

const KanjiVariantPair* KanjiVariantTable(size_t* size) {
  *size = std::size(kPairs);
  return kPairs;
}

uint64_t KanjiVariantTableFingerprint() {
  uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](char32_t c) {
    for (int i = 0; i < 4; ++i) {
      h ^= (static_cast<uint32_t>(c) >> (8 * i)) & 0xFF;
      h *= 0x100000001b3ull;
    }
  };
  for (const KanjiVariantPair& p : kPairs) {
    mix(p.variant);
    mix(p.canonical);
  }
  return h;
}

}  // namespace fedreg
