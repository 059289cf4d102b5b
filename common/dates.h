// Tolerant, year-first reading of the date fields of a hospital export
// (birth_date, registration_date, report_date, treatment start/end, ...).
// Every accepted form names one calendar day without guessing; every form
// that could name two days is refused with a message that says which form
// was seen and what to write instead. The import summary counts the rows
// whose dates were rewritten ("normalised: N").
//
// Accepted (after Unicode NFKC, so full-width digits, letters, `－／．`,
// U+3000 and the square era signs ㍼㍻㋿ fold to their plain forms):
//   1961-04-02  1961/04/02  1961.04.02  1961-4-2  1961/4/2       year first,
//   19610402                                                     1-2 digit M/D
//   1961年4月2日                                                  Japanese
//   S36.04.02  s36/4/2  S360402  昭和36年4月2日  昭36年4月2日      Japanese era
//   昭和元年12月25日 (元年 = year 1)  M T S H R, 明治 大正 昭和 平成 令和
//   3360402                                         receipt GYYMMDD (below)
// each optionally followed by a midnight time (`00:00`, `0:00:00`,
// `00:00:00.000`, optional `Z`) after a space or `T`, and surrounded by
// spaces (ASCII, U+3000). Spaces around 年/月/日 (`昭和36年 4月 2日`, as
// fixed-width Japanese forms print) are allowed. Dashes written as U+2010..
// U+2015, U+2212 (minus) or U+30FC (katakana long sound mark, a common IME
// slip for a dash) count as `-`.
//
// Refused, each with its own message:
//   day-first or month-first (02/04/1961, 2.4.1961, 04/02/1961), 2-digit
//   years (61/04/02), spreadsheet serial dates (22373, 22373.0), a time of
//   day other than midnight, impossible days (2023-02-30), years outside
//   1900..2100, Japanese era dates outside their era (昭和64年1月8日).
//
// Japanese eras. The era start days come from ICU's Japanese calendar
// (icu::Calendar for "ja_JP@calendar=japanese", fields UCAL_ERA/UCAL_YEAR),
// read once per process. ICU numbers the eras from Taika (645) = 0, so
// Meiji = 232, Taisho = 233, Showa = 234, Heisei = 235, Reiwa = 236 (checked
// at start-up and in dates_test). ICU 72 gives Meiji 1868-09-08, Taisho
// 1912-07-30, Showa 1926-12-25, Heisei 1989-01-08, Reiwa 2019-05-01. An era
// date is accepted only inside its era, with one documented exception: the
// Meiji->Taisho and Taisho->Showa changes took effect on the day of the
// accession itself, so 1912-07-30 is both 明治45年7月30日 and 大正元年7月30日,
// and 1926-12-25 both 大正15年12月25日 and 昭和元年12月25日 (ICU gives such a
// day to the later era; both spellings occur in records, see e.g. the SAS
// QKB "Date (Japanese Calendar)" definition: "When a day is assigned to two
// nengo..."). Heisei began the day after Showa ended (元号を改める政令,
// 昭和64年政令第1号: in force 1989-01-08) and Reiwa at midnight of
// 2019-05-01 (平成31年政令第143号), so those boundaries have no overlap.
//
// Receipt form GYYMMDD: the 7-digit date of Japanese medical claims
// (レセプト電算処理, 記録条件仕様 of 社会保険診療報酬支払基金, e.g. 生年月日),
// where G is the era code 1 明治, 2 大正, 3 昭和, 4 平成, 5 令和 and YY the
// era year (01 = 元年). 3360402 = 昭和36年4月2日 = 1961-04-02. The same
// codes are the de facto standard of Japanese business systems (SuikaWiki
// "元号コード", wiki.suikawiki.org/n/明大昭平令, lists them for most
// schemes; Excel and SpreadJS accept "1".."5" as era shortcuts).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fedreg {

// How a date was written (for the import summary and logs; not persisted).
enum class DateForm {
  kIso,          // 1961-04-02, 1961-4-2
  kSlash,        // 1961/04/02, 1961/4/2
  kDot,          // 1961.04.02
  kCompact,      // 19610402
  kJapanese,     // 1961年4月2日
  kJapaneseEra,  // S36.04.02, 昭和36年4月2日, S360402
  kReceipt,      // 3360402 (GYYMMDD)
};

// "iso", "slash", "dot", "compact", "japanese", "japanese_era", "receipt".
std::string_view DateFormName(DateForm form);

struct ParsedDate {
  int64_t days = 0;        // days since 1970-01-01 (negative before)
  std::string iso;         // "YYYY-MM-DD"
  bool rewritten = false;  // `iso` differs from the text as given (any change,
                           // surrounding spaces and a midnight time included)
  DateForm form = DateForm::kIso;
};

// Reads one date cell. Plain `YYYY-MM-DD` takes a fast path (no allocation
// beyond `iso`, no ICU call). Errors: INVALID_ARGUMENT with a message that
// quotes the cell ('...' around Utf8Prefix of it, leading and trailing spaces
// shown by VisibleSpaces: '␣02/04/1961') and says what to write; an empty or
// blank cell is refused too (callers handle optional fields before calling).
// INTERNAL only if ICU's Japanese calendar cannot be loaded (an era date is
// then refused, never guessed).
// Thread-safe; the era table is built once, on first use.
absl::StatusOr<ParsedDate> ParseDateField(std::string_view text);

}  // namespace fedreg
