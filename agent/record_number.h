// A hospital's record number (its patient id) as the agent keys it: the reid
// table is keyed by HMAC(reid_key, record number), so two spellings of one
// number must become one string before that, and two different numbers must
// never. docs/export-format.md "Record numbers".
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace fedreg::agent {

// Per site (config key `record-number-leading-zeros`): whether "000123" and
// "123" are one number. Systems that pad to a fixed width and spreadsheets
// that drop the padding produce both for one patient.
enum class LeadingZeros {
  kKeep,   // "000123" and "123" are two numbers (default: no guessing)
  kStrip,  // leading zeros are padding: "000123" -> "123", "000" -> "0"
};

struct RecordNumberRules {
  LeadingZeros leading_zeros = LeadingZeros::kKeep;
};

// Parses the config value: "keep" or "strip". False for anything else.
bool ParseLeadingZeros(std::string_view text, LeadingZeros* out);

// The record number the agent keys: trimmed, full-width digits and letters
// to ASCII (NFKC: "００１２３" -> "00123"), then the site's leading-zero rule.
// Letter case is kept ("a12" and "A12" stay two numbers). Never fails; the
// case builder refuses what is not letters, digits and '-' (at most 32).
std::string NormalizeRecordNumber(std::string_view raw, const RecordNumberRules& rules);

// OK for a normalised record number of 1 to 32 ASCII letters, digits and
// '-'; INVALID_ARGUMENT quoting it otherwise.
absl::Status CheckRecordNumber(std::string_view rn);

}  // namespace fedreg::agent
