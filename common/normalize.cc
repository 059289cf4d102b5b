#include "common/normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include "absl/status/status.h"

namespace fedreg {

absl::StatusOr<std::string> NormalizeName(std::string_view text) {
  if (!IsValidUtf8(text)) return absl::InvalidArgumentError("not valid UTF-8");
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(err);
  if (U_FAILURE(err)) return absl::InternalError("ICU NFKC unavailable");
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), text.size()));
  icu::UnicodeString norm = nfkc->normalize(in, err);
  if (U_FAILURE(err)) return absl::InvalidArgumentError("cannot normalise");
  norm.toUpper();
  icu::UnicodeString out;
  for (int32_t i = 0; i < norm.length();) {
    UChar32 c = norm.char32At(i);
    i += U16_LENGTH(c);
    // Hiragana U+3041..U+3096 map to katakana at +0x60.
    if (c >= 0x3041 && c <= 0x3096) c += 0x60;
    // The katakana middle dot U+30FB is punctuation (Po) and goes too.
    if (u_isspace(c) || u_ispunct(c) || (U_GET_GC_MASK(c) & U_GC_S_MASK) != 0) continue;
    out.append(c);
  }
  std::string result;
  out.toUTF8String(result);
  return result;
}

}  // namespace fedreg
