#include "common/normalize.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/kanji_variants.h"

namespace fedreg {
namespace {

constexpr UChar32 kLongVowel = 0x30FC;  // ー KATAKANA-HIRAGANA PROLONGED SOUND MARK
constexpr UChar32 kCombiningVoiced = 0x3099;
constexpr UChar32 kCombiningSemiVoiced = 0x309A;

// ICU's singletons (owned by ICU, immutable, thread-safe); null if ICU's data
// is missing, which the callers turn into INTERNAL.
const icu::Normalizer2* Nfkc() {
  static const icu::Normalizer2* n = [] {
    UErrorCode err = U_ZERO_ERROR;
    const icu::Normalizer2* p = icu::Normalizer2::getNFKCInstance(err);
    return U_SUCCESS(err) ? p : nullptr;
  }();
  return n;
}

const icu::Normalizer2* Nfc() {
  static const icu::Normalizer2* n = [] {
    UErrorCode err = U_ZERO_ERROR;
    const icu::Normalizer2* p = icu::Normalizer2::getNFCInstance(err);
    return U_SUCCESS(err) ? p : nullptr;
  }();
  return n;
}

// Characters that stand for one the source system could not store.
bool IsPlaceholder(UChar32 c) {
  switch (c) {
    case 0x3013:  // 〓 GETA MARK
    case 0x25CF:  // ● BLACK CIRCLE
    case 0x25A0:  // ■ BLACK SQUARE
    case 0x003F:  // ? QUESTION MARK
    case 0xFF1F:  // ？ FULLWIDTH QUESTION MARK
    case 0xFE56:  // ﹖ SMALL QUESTION MARK
    case 0xFE16:  // ︖ PRESENTATION FORM FOR VERTICAL QUESTION MARK
    case 0xFFFD:  // REPLACEMENT CHARACTER
      return true;
    default:
      return false;
  }
}

// `"〓" (U+3013 GETA MARK)`: one character, never the name around it.
std::string Describe(UChar32 c) {
  std::string glyph;
  if (u_isgraph(c)) icu::UnicodeString(c).toUTF8String(glyph);
  char name[128];
  UErrorCode err = U_ZERO_ERROR;
  int32_t len = u_charName(c, U_UNICODE_CHAR_NAME, name, sizeof name, &err);
  std::string out = glyph.empty() ? "" : absl::StrCat("\"", glyph, "\" ");
  absl::StrAppend(&out, absl::StrFormat("(U+%04X", static_cast<uint32_t>(c)));
  if (U_SUCCESS(err) && len > 0) absl::StrAppend(&out, " ", std::string(name, static_cast<size_t>(len)));
  out += ")";
  return out;
}

// REQUIRES: IsValidUtf8(text).
absl::Status CheckPlaceholders(std::string_view text, const std::string& what) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t n = static_cast<int32_t>(text.size());
  int index = 0;
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(s, i, n, c);
    ++index;
    if (IsPlaceholder(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat("character ", index, " of the ", what, " is ", Describe(c), ": the ", what,
                       " holds a placeholder for a character the source system could not store: enter the real "
                       "character or leave the case out of linkage"));
    }
    if (u_charType(c) == U_PRIVATE_USE_CHAR) {
      return absl::InvalidArgumentError(absl::StrCat(
          "character ", index, " of the ", what, " is ", Describe(c), ": the ", what,
          " holds a private-use character, a code the source system gave a character of its own (gaiji) that "
          "no other system reads the same: enter the standard character or leave the case out of linkage"));
    }
  }
  return absl::OkStatus();
}

// Steps 1-3 of version 2: refusals, spacing voiced marks, NFKC.
absl::StatusOr<icu::UnicodeString> RefuseAndNfkc(std::string_view text, const std::string& what) {
  if (!IsValidUtf8(text)) return absl::InvalidArgumentError("not valid UTF-8");
  if (text.size() > INT32_MAX) return absl::InvalidArgumentError(absl::StrCat("the ", what, " is too long"));
  if (absl::Status s = CheckPlaceholders(text, what); !s.ok()) return s;
  const icu::Normalizer2* nfkc = Nfkc();
  if (nfkc == nullptr) return absl::InternalError("ICU NFKC unavailable");
  icu::UnicodeString in =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  for (int32_t i = 0; i < in.length(); ++i) {
    if (in[i] == 0x309B) in.setCharAt(i, kCombiningVoiced);      // ゛
    if (in[i] == 0x309C) in.setCharAt(i, kCombiningSemiVoiced);  // ゜
  }
  UErrorCode err = U_ZERO_ERROR;
  icu::UnicodeString norm = nfkc->normalize(in, err);
  if (U_FAILURE(err)) return absl::InvalidArgumentError(absl::StrCat("cannot normalise the ", what));
  return norm;
}

// Hiragana letters and ゝゞ map to katakana at +0x60.
UChar32 ToKatakana(UChar32 c) {
  if ((c >= 0x3041 && c <= 0x3096) || c == 0x309D || c == 0x309E) return c + 0x60;
  return c;
}

// Katakana letters (full-size and small, ヴ, ヵヶ, ヷ..ヺ, the small ㇰ..ㇿ
// extensions) and the kana supplements (hentaigana, historic small kana).
bool IsKanaLetter(UChar32 c) {
  return (c >= 0x30A1 && c <= 0x30FA) || (c >= 0x31F0 && c <= 0x31FF) || (c >= 0x1B000 && c <= 0x1B16F);
}

// What a long vowel can follow: a kana letter, or the mark itself (ターー).
bool IsKana(UChar32 c) { return IsKanaLetter(c) || c == kLongVowel; }

// Dash-like characters, as they stand after NFKC (U+FF0D and U+FF70 arrive
// as U+002D and U+30FC; U+2011 as U+2010); the pre-NFKC forms are listed too.
bool IsDashLike(UChar32 c) {
  return c == 0x002D || (c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0xFF0D || c == kLongVowel || c == 0xFF70;
}

bool IsRemovedInName(UChar32 c) {
  return u_isspace(c) || u_ispunct(c) || (U_GET_GC_MASK(c) & U_GC_S_MASK) != 0 || u_iscntrl(c) ||
         u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
}

// The kana without its voiced/semi-voiced mark (ダ -> タ), else itself.
UChar32 Unvoiced(UChar32 c) {
  icu::UnicodeString d;
  const icu::Normalizer2* nfc = Nfc();
  if (nfc != nullptr && nfc->getDecomposition(c, d) && d.length() == 2 &&
      (d[1] == kCombiningVoiced || d[1] == kCombiningSemiVoiced)) {
    return d[0];
  }
  return c;
}

UChar32 Voiced(UChar32 c) {
  const icu::Normalizer2* nfc = Nfc();
  UChar32 base = Unvoiced(c);
  UChar32 v = nfc != nullptr ? nfc->composePair(base, kCombiningVoiced) : U_SENTINEL;
  return v >= 0 ? v : base;
}

// Step 9: the character an iteration mark stands for, given the last
// character kept (-1 if none); the mark itself when it does not apply.
UChar32 SpellIteration(UChar32 c, UChar32 last) {
  if (last < 0) return c;
  if ((c == 0x3005 || c == 0x303B) && last != 0x3005 && last != 0x303B &&
      u_hasBinaryProperty(last, UCHAR_IDEOGRAPHIC)) {
    return last;  // 々 〻
  }
  if (c == 0x30FD && IsKanaLetter(last)) return Unvoiced(last);  // ヽ
  if (c == 0x30FE && IsKanaLetter(last)) return Voiced(last);    // ヾ
  return c;
}

std::string ToUtf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

}  // namespace

absl::StatusOr<std::string> NormalizeNameV1(std::string_view text) {
  if (!IsValidUtf8(text)) return absl::InvalidArgumentError("not valid UTF-8");
  const icu::Normalizer2* nfkc = Nfkc();
  if (nfkc == nullptr) return absl::InternalError("ICU NFKC unavailable");
  UErrorCode err = U_ZERO_ERROR;
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), text.size()));
  icu::UnicodeString norm = nfkc->normalize(in, err);
  if (U_FAILURE(err)) return absl::InvalidArgumentError("cannot normalise");
  norm.toUpper();  // ICU default locale: as version 1 did
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
  return ToUtf8(out);
}

absl::StatusOr<std::string> NormalizeName(std::string_view text) {
  absl::StatusOr<icu::UnicodeString> norm = RefuseAndNfkc(text, "name");
  if (!norm.ok()) return norm.status();
  norm->toUpper(icu::Locale::getRoot());
  icu::UnicodeString out;
  UChar32 prev = -1;  // the previous code point of the normalised text
  UChar32 last = -1;  // the last code point kept
  for (int32_t i = 0; i < norm->length();) {
    const UChar32 raw = norm->char32At(i);
    i += U16_LENGTH(raw);
    UChar32 c = ToKatakana(raw);
    const bool after_kana = IsKana(prev);
    prev = c;
    if (IsDashLike(c)) {
      if (!after_kana) continue;  // punctuation
      prev = c = kLongVowel;
    } else if (IsRemovedInName(c)) {
      continue;
    } else {
      c = SpellIteration(FoldKanjiVariant(c), last);
    }
    out.append(c);
    last = c;
  }
  return ToUtf8(out);
}

absl::StatusOr<std::string> NormalizeNameWithRules(int rules_version, std::string_view text) {
  switch (rules_version) {
    case 1:
      return NormalizeNameV1(text);
    case 2:
      return NormalizeName(text);
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unknown name rules version ", rules_version, " (this build knows 1..", kNameRulesVersion, ")"));
  }
}

absl::StatusOr<std::string> NormalizeKanaReading(std::string_view text) {
  absl::StatusOr<icu::UnicodeString> norm = RefuseAndNfkc(text, "kana reading");
  if (!norm.ok()) return norm.status();
  icu::UnicodeString out;
  UChar32 last = -1;  // the last code point kept
  for (int32_t i = 0; i < norm->length();) {
    const UChar32 raw = norm->char32At(i);
    i += U16_LENGTH(raw);
    UChar32 c = ToKatakana(raw);
    // Separators: spaces, ・ (U+30FB), ゠ (U+30A0) and = between the parts of
    // a foreign name, and invisible code points.
    if (u_isspace(c) || c == 0x30FB || c == 0x30A0 || c == '=' ||
        u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) {
      continue;
    }
    if (IsDashLike(c)) {
      if (!IsKana(last)) {
        return absl::InvalidArgumentError(absl::StrCat("the kana reading holds ", Describe(c),
                                                       " with no kana before it: a long vowel mark follows kana"));
      }
      c = kLongVowel;
    } else {
      c = SpellIteration(c, last);
      if (!IsKanaLetter(c)) {
        return absl::InvalidArgumentError(absl::StrCat("the kana reading holds ", Describe(c),
                                                       ", which is not kana: write the reading in katakana or "
                                                       "hiragana only"));
      }
    }
    out.append(c);
    last = c;
  }
  if (out.isEmpty()) return absl::InvalidArgumentError("the kana reading is empty");
  return ToUtf8(out);
}

}  // namespace fedreg
