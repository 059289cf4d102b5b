// The text encoding of a hospital export, decided once per file before it is
// parsed: UTF-8 (with or without a byte order mark) is taken as is; a file
// that is not UTF-8 is decoded from Shift_JIS/CP932 (what Excel writes for
// "CSV" on Japanese Windows) when that reading is clean and plausible, and
// otherwise refused as a whole with one message. Never half and half: either
// every byte is read as UTF-8 or every byte as CP932.
//
// CP932 here is Microsoft's Windows-31J (ICU converter "ibm-943_P15A-2003",
// ICU's "windows-31j"/"ms932"), not plain Shift_JIS (JIS X 0208 only): it has
// the NEC row 13 specials (①, ㈱), the NEC-selected and IBM extension kanji
// (髙 0xFBFC, 﨑 0xFAB1) and Microsoft's mappings (0x815C -> U+2015, 0x8160 ->
// U+FF5E, 0x817C -> U+FF0D). Its user-defined area (0xF040..0xF9FC, a
// hospital's own 外字) decodes to private-use code points U+E000..U+E757,
// which the name rules refuse row by row (common/normalize.h).
//
// How a UTF-8 file with damage, or a file in another single-byte or Japanese
// encoding, is kept from being "decoded" as CP932 garbage: a non-UTF-8 file is
// CP932 only when ALL of these hold (any failure refuses the file):
//  1. No NUL byte (UTF-16/32 without a byte order mark) and no ESC byte
//     (ISO-2022-JP), which are refused even in valid UTF-8.
//  2. The whole file decodes with no invalid or unassigned byte sequence.
//  3. No line is valid UTF-8 holding a Japanese character in UTF-8: CP932
//     Japanese text is almost never valid UTF-8 (its kana and level-1 kanji
//     start with bytes 0x81..0x9F, which UTF-8 only allows as continuation
//     bytes), so such a line means a UTF-8 file with a stray byte elsewhere,
//     or a file pasted together from two encodings.
//  4. The decoded text holds at least one Japanese character (kana, kanji,
//     CJK punctuation, full-width or half-width forms).
//  5. No decoded non-ASCII character touches an ASCII letter. In an export,
//     non-ASCII text is names, where Japanese characters do not sit inside
//     latin words; Latin-1/Windows-1252 puts its accented letters inside
//     latin words, and CP932 reads them as half-width katakana or kanji glued
//     to latin letters (MÜLLER -> MﾜLLER, Hélène -> H駘鈩e). The same holds for
//     a UTF-8 Western file with one stray byte (Müller -> Mﾃｼller).
//  6. The file is not also clean EUC-JP (ICU "EUC-JP"): EUC-JP kanji read as
//     CP932 are half-width katakana and kanji that pass 2-5 (山田 -> ｻｳﾅﾄ).
//     Real CP932 text with any kana or level-1 kanji is never clean EUC-JP
//     (0x81..0xA0 are invalid there), so only all-half-width-katakana CP932
//     files can be refused by this, and they can be re-saved as UTF-8.
// ICU's charset detector (ucsdet) is not used as a second opinion: on exports
// of a few rows it ranks CP932 Japanese names as windows-1252 (measured with
// ICU 72), so it would refuse good files and add nothing the rules above miss.
//
// A file that is valid UTF-8 is UTF-8, even when the same bytes are also valid
// CP932: half-width katakana pairs can be valid UTF-8 (ﾃｲ = C3 B2 = "ò"), so a
// CP932 file whose only non-ASCII text is such pairs reads as UTF-8. In any
// file with a full-width Japanese character or an odd byte this cannot happen.
//
// Thread-safe (no shared state; ICU converters are opened per call).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fedreg {

struct DecodedText {
  std::string utf8;      // the text as UTF-8, without the byte order mark; line ends as they were
  std::string encoding;  // "UTF-8", "UTF-8 with BOM" or "CP932"
  bool had_bom = false;  // the file started with EF BB BF
};

// Decides the encoding of a whole export file (`bytes`, read into memory by
// the caller) and returns it as UTF-8. INVALID_ARGUMENT, one message for the
// file, naming the first byte that is not UTF-8 and its line (1-based) and
// ending in "save the export as CSV UTF-8":
//   "not UTF-8 and not Shift_JIS/CP932 (invalid byte 0xDC at line 2): ..."
//   with the reason CP932 was refused inside the parentheses when the bytes
//   did decode as CP932 (rules 3-6 above); also for UTF-16 byte order marks,
//   NUL and ESC bytes, a UTF-8 byte order mark followed by bytes that are not
//   UTF-8, and files of 2 GiB or more that are not UTF-8.
absl::StatusOr<DecodedText> DecodeExportBytes(std::string_view bytes);

}  // namespace fedreg
