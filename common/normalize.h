// Normalisation of names before they are hashed into link tokens, so that the
// same person written differently at two hospitals gets one token, and two
// people never share one because a character was lost.
//
// The rules are versioned: a token is only comparable with a token computed
// under the same kNameRulesVersion (see docs/pseudonymization.md for how the
// agent keeps versions apart). Messages never quote the name (it is an
// identifier); they name the offending character and its position only.
// Thread-safe: no state beyond ICU's immutable normaliser and constant tables.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/utf8.h"  // IsValidUtf8

namespace fedreg {

// The version of the rules NormalizeName applies; persisted inside tokens
// (never reuse a number). 1: NormalizeNameV1. 2: NormalizeName.
inline constexpr int kNameRulesVersion = 2;

// Version 2, the current rules, in this order:
//  1. Refused (INVALID_ARGUMENT): invalid UTF-8 ("not valid UTF-8"); a
//     placeholder for a character the source system could not store: 〓 U+3013
//     GETA MARK (JIS X 0208's mark for a missing character), ● U+25CF, ■ U+25A0,
//     ? U+003F and its forms ？ U+FF1F, ﹖ U+FE56, ︖ U+FE16 (what converters emit
//     for an unmappable character), U+FFFD REPLACEMENT CHARACTER. Linking what
//     is left would merge different people (four people written 〓田 are not
//     one 田). Also refused: private-use code points (U+E000..U+F8FF and
//     planes 15-16), where CP932 exports put a hospital's own gaiji (外字):
//     their meaning is local, so they would split one person across sites.
//     The message names the character, its code point and position.
//  2. The spacing voiced sound marks ゛ U+309B and ゜ U+309C become the
//     combining U+3099/U+309A, so that カ゛ composes to ガ in step 3.
//  3. Unicode NFKC (ICU): full-width latin and half-width katakana fold to the
//     standard forms, voiced marks compose (ﾀﾞ -> ダ), compatibility
//     ideographs fold to unified ones.
//  4. Upper case (root locale, so the result never depends on the machine).
//  5. Hiragana (U+3041..U+3096, ゝゞ) become katakana.
//  6. Long vowel: a dash-like character directly after kana (after a
//     katakana/hiragana letter or ー) is the long vowel mark ー U+30FC: the
//     hyphen-minus, U+2010..U+2015, − U+2212, ー U+30FC, and (before NFKC)
//     － U+FF0D and ｰ U+FF70. So ﾀｰﾅｰ, タ-ナ-, タ―ナ― and ターナー are equal. Any
//     other dash-like character (after latin, kanji, a space, or at the start)
//     is punctuation and removed: Smith-Jones == SMITHJONES.
//  7. Removed: spaces, punctuation (including the katakana middle dot ・),
//     symbols, control characters and default-ignorable code points (zero
//     width spaces, soft hyphens, variation selectors: 葛 followed by the
//     ideographic variation selector U+E0100 equals plain 葛).
//  8. Kanji variants fold to one standard character (FoldKanjiVariant,
//     common/kanji_variants.h): 髙->高, 﨑->崎, 邊/邉->辺, 齋->斎, 濵->浜,
//     國->国, 澤->沢, but 斎 and 斉 stay apart. (𠮷 is not folded: no source.)
//  9. Iteration marks are spelt out: 々 (and 〻) after a kanji repeats it
//     (佐々木 == 佐佐木); ヽ after kana repeats it unvoiced, ヾ voiced
//     (ミスヾ == ミスズ). Elsewhere they are kept as they are.
// The result may be empty (a name of punctuation only): callers refuse that.
absl::StatusOr<std::string> NormalizeName(std::string_view text);

// Version 1, the rules before 2 (kept to recompute or compare old tokens):
// NFKC, upper case (ICU default locale), hiragana U+3041..U+3096 folded to
// katakana, then every space, punctuation mark and symbol removed. Refuses
// only invalid UTF-8. Byte for byte what NormalizeName returned in version 1.
absl::StatusOr<std::string> NormalizeNameV1(std::string_view text);

// NormalizeNameV1 or NormalizeName by `rules_version`; INVALID_ARGUMENT for
// a version this build does not know.
absl::StatusOr<std::string> NormalizeNameWithRules(int rules_version, std::string_view text);

// A kana reading (family_name_kana, given_name_kana) as the key of the kana
// rule (reading + birth date + sex), under rules version kNameRulesVersion:
// steps 1-3 above, then hiragana -> katakana, spaces, the middle dot ・ and
// default-ignorable code points dropped, a dash-like character after kana read
// as ー (as in step 6; spaces in between do not matter), and ヽ/ヾ spelt out.
// Small kana stay distinct from full-size ones (ァ != ア, ッ != ツ, ョ != ヨ):
// they are different readings (キョウ kyō, キヨウ kiyō), and readings are keyed
// with them; only bank-transfer names (Zengin format) fold them, and those are
// not where hospital readings come from. ヴ stays distinct from ブ/バ.
// INVALID_ARGUMENT: invalid UTF-8, a placeholder (as in step 1), a dash with
// no kana before it, anything that is not kana after those steps (kanji,
// latin, digits, punctuation: the message names the character, code point and
// position), or nothing left. Returns full-width katakana.
absl::StatusOr<std::string> NormalizeKanaReading(std::string_view text);

}  // namespace fedreg
