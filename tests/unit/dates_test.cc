// ParseDateField: every accepted form gives the right day (expected values
// computed independently with absl::CivilDay, and for era dates with ICU's
// Japanese calendar itself); every refusal names the form it saw.
#include "common/dates.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unicode/calendar.h>
#include <unicode/locid.h>
#include <unicode/timezone.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

namespace fedreg {
namespace {

using ::testing::HasSubstr;

int64_t Days(int y, int m, int d) { return absl::CivilDay(y, m, d) - absl::CivilDay(1970, 1, 1); }

struct Accepted {
  std::string text;
  std::string iso;
  DateForm form;
};

void ExpectAccepted(const Accepted& a) {
  SCOPED_TRACE(a.text);
  absl::StatusOr<ParsedDate> d = ParseDateField(a.text);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->iso, a.iso);
  const absl::CivilDay day(std::stoi(a.iso.substr(0, 4)), std::stoi(a.iso.substr(5, 2)), std::stoi(a.iso.substr(8, 2)));
  EXPECT_EQ(d->days, day - absl::CivilDay(1970, 1, 1));
  EXPECT_EQ(DateFormName(d->form), DateFormName(a.form));
  EXPECT_EQ(d->rewritten, a.text != a.iso);
}

std::string Refusal(std::string_view text) {
  absl::StatusOr<ParsedDate> d = ParseDateField(text);
  EXPECT_FALSE(d.ok()) << text << " was accepted as " << (d.ok() ? d->iso : "");
  if (d.ok()) return "";
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << text;
  return std::string(d.status().message());
}

TEST(ParseDateField, PlainIsoIsTakenAsIsAndNotCountedAsRewritten) {
  absl::StatusOr<ParsedDate> d = ParseDateField("1961-04-02");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->days, Days(1961, 4, 2));
  EXPECT_EQ(d->days, -3196);
  EXPECT_EQ(d->iso, "1961-04-02");
  EXPECT_FALSE(d->rewritten);
  EXPECT_EQ(d->form, DateForm::kIso);
  EXPECT_EQ(ParseDateField("1970-01-01")->days, 0);
}

TEST(ParseDateField, ReadsEveryYearFirstForm) {
  const Accepted cases[] = {
      {"1961/04/02", "1961-04-02", DateForm::kSlash},         {"1961/4/2", "1961-04-02", DateForm::kSlash},
      {"2023/2/14", "2023-02-14", DateForm::kSlash},          {"1961-4-2", "1961-04-02", DateForm::kIso},
      {"1961.04.02", "1961-04-02", DateForm::kDot},           {"19610402", "1961-04-02", DateForm::kCompact},
      {"1961年4月2日", "1961-04-02", DateForm::kJapanese},    {"1961年04月02日", "1961-04-02", DateForm::kJapanese},
      {"１９６１－０４－０２", "1961-04-02", DateForm::kIso},  // full-width digits and dash
      {"１９６１／４／２", "1961-04-02", DateForm::kSlash},   {"１９６１．０４．０２", "1961-04-02", DateForm::kDot},
      {"1961ー04ー02", "1961-04-02", DateForm::kIso},          // katakana long sound mark for a dash
      {"1961\u221204\u221202", "1961-04-02", DateForm::kIso},  // U+2212 MINUS SIGN
      {"2000-02-29", "2000-02-29", DateForm::kIso},            // 2000 is a leap year
      {"1900-01-01", "1900-01-01", DateForm::kIso},           {"2100-12-31", "2100-12-31", DateForm::kIso},
  };
  for (const Accepted& a : cases) ExpectAccepted(a);
}

TEST(ParseDateField, DropsAMidnightTimeAndSurroundingSpaces) {
  const Accepted cases[] = {
      {"1961-04-02 00:00:00", "1961-04-02", DateForm::kIso},
      {"1961-04-02T00:00:00", "1961-04-02", DateForm::kIso},
      {"1961-04-02T00:00:00.000Z", "1961-04-02", DateForm::kIso},
      {"1961/04/02 0:00", "1961-04-02", DateForm::kSlash},
      {"1961/4/2 0:00:00", "1961-04-02", DateForm::kSlash},
      {" 1961-04-02 ", "1961-04-02", DateForm::kIso},
      {"\t1961-04-02\r", "1961-04-02", DateForm::kIso},
      {"\xE3\x80\x80"
       "1961-04-02\xE3\x80\x80",
       "1961-04-02", DateForm::kIso},  // U+3000 ideographic space
      {"１９６１－０４－０２\xE3\x80\x80００：００", "1961-04-02", DateForm::kIso},
  };
  for (const Accepted& a : cases) ExpectAccepted(a);
}

TEST(ParseDateField, ReadsJapaneseEraDates) {
  const Accepted cases[] = {
      {"S36.04.02", "1961-04-02", DateForm::kJapaneseEra},
      {"S36/4/2", "1961-04-02", DateForm::kJapaneseEra},
      {"s36-4-2", "1961-04-02", DateForm::kJapaneseEra},
      {"Ｓ３６．０４．０２", "1961-04-02", DateForm::kJapaneseEra},  // full-width letter and digits
      {"S360402", "1961-04-02", DateForm::kJapaneseEra},
      {"昭和36年4月2日", "1961-04-02", DateForm::kJapaneseEra},
      {"昭和３６年４月２日", "1961-04-02", DateForm::kJapaneseEra},
      {"昭和36年 4月 2日", "1961-04-02", DateForm::kJapaneseEra},  // fixed-width print
      {"昭36年4月2日", "1961-04-02", DateForm::kJapaneseEra},
      {"㍼36年4月2日", "1961-04-02", DateForm::kJapaneseEra},  // U+337C SQUARE ERA NAME SYOUWA
      {"S36年4月2日", "1961-04-02", DateForm::kJapaneseEra},
      {"昭和元年12月25日", "1926-12-25", DateForm::kJapaneseEra},
      {"平成元年1月8日", "1989-01-08", DateForm::kJapaneseEra},
      {"H1.1.8", "1989-01-08", DateForm::kJapaneseEra},
      {"h01/01/08", "1989-01-08", DateForm::kJapaneseEra},
      {"昭和64年1月7日", "1989-01-07", DateForm::kJapaneseEra},
      {"平成31年4月30日", "2019-04-30", DateForm::kJapaneseEra},
      {"令和元年5月1日", "2019-05-01", DateForm::kJapaneseEra},
      {"R1.5.1", "2019-05-01", DateForm::kJapaneseEra},
      {"㋿元年5月1日", "2019-05-01", DateForm::kJapaneseEra},  // U+32FF SQUARE ERA NAME REIWA
      {"㍻元年1月8日", "1989-01-08", DateForm::kJapaneseEra},       // U+337B SQUARE ERA NAME HEISEI
      {"令和5年2月14日", "2023-02-14", DateForm::kJapaneseEra},
      {"大正元年7月30日", "1912-07-30", DateForm::kJapaneseEra},
      {"T15.12.24", "1926-12-24", DateForm::kJapaneseEra},
      {"明治33年1月1日", "1900-01-01", DateForm::kJapaneseEra},
      {"M45.07.29", "1912-07-29", DateForm::kJapaneseEra},
      {"S36.04.02 00:00", "1961-04-02", DateForm::kJapaneseEra},
  };
  for (const Accepted& a : cases) ExpectAccepted(a);
}

// The accession days 1912-07-30 and 1926-12-25 carry both era names (the
// change took effect on the day itself); ICU gives them to the later era.
TEST(ParseDateField, AcceptsBothNamesOfASameDayAccession) {
  ExpectAccepted({"明治45年7月30日", "1912-07-30", DateForm::kJapaneseEra});
  ExpectAccepted({"大正15年12月25日", "1926-12-25", DateForm::kJapaneseEra});
  EXPECT_THAT(Refusal("明治45年7月31日"),
              HasSubstr("is after the end of Meiji (1912-07-30); write 大正元年7月31日 or 1912-07-31"));
  EXPECT_THAT(Refusal("大正15年12月26日"),
              HasSubstr("is after the end of Taisho (1926-12-25); write 昭和元年12月26日 or 1926-12-26"));
  EXPECT_THAT(Refusal("大正元年7月29日"),
              HasSubstr("is before the start of Taisho (1912-07-30); write 明治45年7月29日 or 1912-07-29"));
}

// Receipt GYYMMDD (レセプト電算, 記録条件仕様): G = 1 明治 2 大正 3 昭和 4 平成
// 5 令和.
TEST(ParseDateField, ReadsReceiptDates) {
  ExpectAccepted({"3360402", "1961-04-02", DateForm::kReceipt});
  ExpectAccepted({"4010108", "1989-01-08", DateForm::kReceipt});
  ExpectAccepted({"5010501", "2019-05-01", DateForm::kReceipt});
  ExpectAccepted({"2150101", "1926-01-01", DateForm::kReceipt});
  ExpectAccepted({"1330101", "1900-01-01", DateForm::kReceipt});
  EXPECT_THAT(Refusal("3640108"),
              HasSubstr("'3640108' is after the end of Showa (1989-01-07); write 4010108 or 1989-01-08"));
  EXPECT_THAT(Refusal("6010101"), HasSubstr("not a receipt date GYYMMDD"));
  EXPECT_THAT(Refusal("0360402"), HasSubstr("not a receipt date GYYMMDD"));
  EXPECT_THAT(Refusal("3000402"), HasSubstr("era year 0 does not exist"));
}

TEST(ParseDateField, RefusesEraDatesOutsideTheirEra) {
  EXPECT_EQ(Refusal("昭和64年1月8日"),
            "'昭和64年1月8日' is after the end of Showa (1989-01-07); write 平成元年1月8日 or 1989-01-08");
  EXPECT_EQ(Refusal("平成31年5月1日"),
            "'平成31年5月1日' is after the end of Heisei (2019-04-30); write 令和元年5月1日 or 2019-05-01");
  EXPECT_EQ(Refusal("平成元年1月7日"),
            "'平成元年1月7日' is before the start of Heisei (1989-01-08); write 昭和64年1月7日 or 1989-01-07");
  EXPECT_EQ(Refusal("令和元年4月30日"),
            "'令和元年4月30日' is before the start of Reiwa (2019-05-01); write 平成31年4月30日 or 2019-04-30");
  // The suggestion keeps the writer's style.
  EXPECT_EQ(Refusal("S64.01.08"), "'S64.01.08' is after the end of Showa (1989-01-07); write H01.01.08 or 1989-01-08");
  EXPECT_THAT(Refusal("S99/1/1"), HasSubstr("after the end of Showa (1989-01-07); write R06/01/01 or 2024-01-01"));
  EXPECT_THAT(Refusal("昭和0年1月1日"), HasSubstr("era year 0 does not exist"));
  EXPECT_THAT(Refusal("明治20年1月1日"), HasSubstr("year 1887 is outside 1900..2100"));
  EXPECT_THAT(Refusal("昭和36年2月30日"), HasSubstr("not a calendar date: February 1961 has 28 days"));
}

TEST(ParseDateField, RefusesDayFirstAndMonthFirst) {
  for (const char* text : {"02/04/1961", "2.4.1961", "04/02/1961", "2-4-1961", "13/04/1961"}) {
    EXPECT_EQ(Refusal(text),
              absl::StrCat("'", text,
                           "' looks day-first or month-first (DD/MM/YYYY or MM/DD/YYYY): ambiguous; write YYYY-MM-DD"));
  }
  for (const char* text : {"02041961", "19121999", "12192000"})
    EXPECT_THAT(Refusal(text), HasSubstr("looks day-first or month-first (DDMMYYYY or MMDDYYYY)")) << text;
}

TEST(ParseDateField, RefusesTwoDigitYears) {
  for (const char* text : {"61/04/02", "61-4-2", "4/2/61", "61年4月2日"}) {
    EXPECT_THAT(Refusal(text), HasSubstr(absl::StrCat("'", text, "' has a 2-digit year"))) << text;
    EXPECT_THAT(Refusal(text), HasSubstr("ambiguous; write YYYY-MM-DD"));
  }
  EXPECT_THAT(Refusal("610402"), HasSubstr("is 6 digits (YYMMDD? YYYYMM?): ambiguous"));
}

TEST(ParseDateField, RefusesSpreadsheetSerialDates) {
  for (const char* text : {"22373", "22373.0", "22373.5", "４５０００"}) {
    EXPECT_EQ(
        Refusal(text),
        absl::StrCat(
            "'", text,
            "' looks like a spreadsheet serial date (Excel's 1900 and 1904 date systems make it ambiguous); format the column as YYYY-MM-DD"));
  }
}

TEST(ParseDateField, RefusesImpossibleDaysAndYearsOutOfRange) {
  EXPECT_EQ(Refusal("2023-02-30"), "'2023-02-30' is not a calendar date: February 2023 has 28 days");
  EXPECT_THAT(Refusal("1900-02-29"),
              HasSubstr("February 1900 has 28 days"));  // 1900 is not a leap year
  EXPECT_THAT(Refusal("2023/4/31"), HasSubstr("April 2023 has 30 days"));
  EXPECT_THAT(Refusal("2023-13-01"), HasSubstr("there is no month 13"));
  EXPECT_THAT(Refusal("2023-00-10"), HasSubstr("there is no month 0"));
  EXPECT_THAT(Refusal("2023-01-00"), HasSubstr("January 2023 has 31 days"));
  EXPECT_EQ(Refusal("1899-12-31"), "'1899-12-31': year 1899 is outside 1900..2100");
  EXPECT_THAT(Refusal("2101-01-01"), HasSubstr("year 2101 is outside 1900..2100"));
  EXPECT_THAT(Refusal("18991231"), HasSubstr("year 1899 is outside"));
}

TEST(ParseDateField, RefusesATimeOfDay) {
  EXPECT_EQ(Refusal("1961-04-02 13:45"),
            "'1961-04-02 13:45' has a time of day (13:45): a date field holds a date; write YYYY-MM-DD");
  EXPECT_THAT(Refusal("1961-04-02T00:00:01"), HasSubstr("has a time of day (00:00:01)"));
  EXPECT_THAT(Refusal("1961/04/02 9:00"), HasSubstr("has a time of day (9:00)"));
  EXPECT_THAT(Refusal("1961-04-02 00:00:00.001"), HasSubstr("has a time of day"));
  EXPECT_THAT(Refusal("1961-04-02 00:00+09:00"), HasSubstr("is not a date"));
}

TEST(ParseDateField, RefusesOtherTextAndQuotesItWithItsSpaces) {
  EXPECT_EQ(Refusal(""), "empty date: write YYYY-MM-DD");
  EXPECT_EQ(Refusal("  "), "blank date: write YYYY-MM-DD");
  EXPECT_EQ(Refusal("Apr 2, 1961"), "'Apr 2, 1961' is not a date: write YYYY-MM-DD");
  EXPECT_THAT(Refusal("1961-04"), HasSubstr("has a year and a month but no day"));
  EXPECT_THAT(Refusal("1961"), HasSubstr("is a year alone"));
  EXPECT_THAT(Refusal("1961/04-02"),
              HasSubstr("is not a date"));  // mixed separators
  EXPECT_THAT(Refusal("1961年4月2"), HasSubstr("is not a date"));
  EXPECT_THAT(Refusal("1961-004-02"), HasSubstr("is not a date"));
  EXPECT_THAT(Refusal("X36.04.02"), HasSubstr("is not a date"));
  EXPECT_THAT(Refusal(" 02/04/1961 "), HasSubstr("'\xE2\x90\xA3"
                                                 "02/04/1961\xE2\x90\xA3' looks day-first"));
  // U+3000 IDEOGRAPHIC SPACE before the number.
  EXPECT_THAT(Refusal("\u3000"
                      "22373"),
              HasSubstr("'[U+3000]22373' looks like a spreadsheet"));
  EXPECT_THAT(Refusal("1961-04-02\xFF"), HasSubstr("is not valid UTF-8"));
  // A long cell is quoted cut on a code point, never whole.
  const std::string long_cell(500, '9');
  EXPECT_LT(Refusal(long_cell).size(), 200u);
}

TEST(DateFormName, NamesEveryForm) {
  EXPECT_EQ(DateFormName(DateForm::kIso), "iso");
  EXPECT_EQ(DateFormName(DateForm::kSlash), "slash");
  EXPECT_EQ(DateFormName(DateForm::kDot), "dot");
  EXPECT_EQ(DateFormName(DateForm::kCompact), "compact");
  EXPECT_EQ(DateFormName(DateForm::kJapanese), "japanese");
  EXPECT_EQ(DateFormName(DateForm::kJapaneseEra), "japanese_era");
  EXPECT_EQ(DateFormName(DateForm::kReceipt), "receipt");
}

// ICU's era numbering, which dates.cc relies on: Meiji = 232 .. Reiwa = 236,
// counted from Taika (645) = 0.
TEST(JapaneseCalendar, IcuNumbersTheModernErasFrom232) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Calendar> cal(
      icu::Calendar::createInstance(icu::TimeZone::getGMT()->clone(), icu::Locale("ja_JP@calendar=japanese"), status));
  ASSERT_TRUE(U_SUCCESS(status));
  const struct {
    int y, m, d, era;
  } starts[] = {{1912, 7, 30, 233}, {1926, 12, 25, 234}, {1989, 1, 8, 235}, {2019, 5, 1, 236}};
  for (const auto& s : starts) {
    cal->setTime(static_cast<UDate>(Days(s.y, s.m, s.d)) * U_MILLIS_PER_DAY, status);
    EXPECT_EQ(cal->get(UCAL_ERA, status), s.era) << s.y;
    EXPECT_EQ(cal->get(UCAL_YEAR, status), 1) << s.y;
    cal->setTime(static_cast<UDate>(Days(s.y, s.m, s.d) - 1) * U_MILLIS_PER_DAY, status);
    EXPECT_EQ(cal->get(UCAL_ERA, status), s.era - 1) << s.y;
  }
  cal->setTime(static_cast<UDate>(Days(1900, 1, 1)) * U_MILLIS_PER_DAY, status);
  EXPECT_EQ(cal->get(UCAL_ERA, status), 232);  // Meiji 33
  EXPECT_EQ(cal->get(UCAL_YEAR, status), 33);
  EXPECT_TRUE(U_SUCCESS(status));
}

// Every day of 1900..2100, written as ICU's Japanese calendar names it (in
// kanji with 元年, with a letter, and as a receipt date), reads back as that
// day; and the same day written in the era before (when that era has ended)
// is refused unless it is a shared accession day.
TEST(JapaneseCalendar, EveryDayAsIcuWritesItReadsBackToThatDay) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Calendar> cal(
      icu::Calendar::createInstance(icu::TimeZone::getGMT()->clone(), icu::Locale("ja_JP@calendar=japanese"), status));
  ASSERT_TRUE(U_SUCCESS(status));
  static const char* kKanji[] = {"明治", "大正", "昭和", "平成", "令和"};
  static const char kLetter[] = {'M', 'T', 'S', 'H', 'R'};
  static const int kFirstYear[] = {1868, 1912, 1926, 1989, 2019};  // Gregorian year of 元年
  int failures = 0;
  for (int64_t day = Days(1900, 1, 1); day <= Days(2100, 12, 31) && failures < 5; ++day) {
    cal->setTime(static_cast<UDate>(day) * U_MILLIS_PER_DAY, status);
    const int era = cal->get(UCAL_ERA, status) - 232;
    const int year = cal->get(UCAL_YEAR, status);
    const int m = cal->get(UCAL_MONTH, status) + 1, d = cal->get(UCAL_DATE, status);
    ASSERT_TRUE(U_SUCCESS(status));
    ASSERT_GE(era, 0);
    ASSERT_LE(era, 4);
    const std::string kanji = year == 1 ? absl::StrCat(kKanji[era], "元年", m, "月", d, "日")
                                        : absl::StrCat(kKanji[era], year, "年", m, "月", d, "日");
    std::vector<std::string> forms = {kanji, absl::StrCat(std::string(1, kLetter[era]), year, ".", m, ".", d)};
    if (year <= 99) {
      char receipt[48];
      std::snprintf(receipt, sizeof receipt, "%d%02d%02d%02d", era + 1, year, m, d);
      forms.push_back(receipt);
    }
    for (const std::string& text : forms) {
      absl::StatusOr<ParsedDate> p = ParseDateField(text);
      if (!p.ok() || p->days != day) {
        ADD_FAILURE() << text << " -> " << (p.ok() ? p->iso : p.status().ToString());
        ++failures;
      }
    }
    // The same day in a neighbouring era's numbering is refused, except on
    // the two shared accession days.
    const int gregorian_year = cal->get(UCAL_EXTENDED_YEAR, status);
    for (int other : {era - 1, era + 1}) {
      if (other < 0 || other > 4) continue;
      const int other_year = gregorian_year - kFirstYear[other] + 1;
      if (other_year < 1) continue;
      const std::string text = absl::StrCat(kKanji[other], other_year, "年", m, "月", d, "日");
      const bool shared = (day == Days(1912, 7, 30) && other == 0) || (day == Days(1926, 12, 25) && other == 1);
      absl::StatusOr<ParsedDate> p = ParseDateField(text);
      if (p.ok() != shared || (p.ok() && p->days != day)) {
        ADD_FAILURE() << text << " -> " << (p.ok() ? p->iso : p.status().ToString());
        ++failures;
      }
    }
  }
  EXPECT_EQ(failures, 0);
}

}  // namespace
}  // namespace fedreg
