// Calendar arithmetic and the fixed dates of the synthetic exports
// (common/synth.h). Days are counted from 1970-01-01 in the proleptic
// Gregorian calendar (H. Hinnant's civil-from-days method), so every
// platform computes the same dates. Pure functions; any thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

namespace fedreg::synth {

struct Civil {
  int y, m, d;
};

constexpr int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

constexpr Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (m <= 2)), m, d};
}

// "YYYY-MM-DD".
inline std::string FormatDate(int64_t day) {
  const Civil c = CivilFromDays(day);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", c.y, c.m, c.d);
  return buf;
}

// "No such day" (a diagnosis date that is not known).
constexpr int64_t kNoDay = std::numeric_limits<int64_t>::min();

constexpr int64_t kFirstRegistrationDay = DaysFromCivil(2017, 1, 1);
constexpr int64_t kLastRegistrationDay = DaysFromCivil(2026, 10, 31);
constexpr int64_t kExportDay = DaysFromCivil(2026, 11, 30);  // data cut-off
constexpr int64_t kTrialsFromDay = DaysFromCivil(2019, 1, 1);
// Insurance coverage of the panels in Japan.
constexpr int64_t kF1cdxFromDay = DaysFromCivil(2019, 6, 1);
constexpr int64_t kF1lcdxFromDay = DaysFromCivil(2021, 8, 1);
constexpr int64_t kGuardantFromDay = DaysFromCivil(2022, 7, 1);

}  // namespace fedreg::synth
