#include "agent/record_number.h"

#include <cctype>

#include "common/text_fold.h"
#include "common/utf8.h"

namespace fedreg::agent {

bool ParseLeadingZeros(std::string_view text, LeadingZeros* out) {
  if (text == "keep") *out = LeadingZeros::kKeep;
  else if (text == "strip") *out = LeadingZeros::kStrip;
  else return false;
  return true;
}

std::string NormalizeRecordNumber(std::string_view raw, const RecordNumberRules& rules) {
  std::string rn = FoldWidth(raw);
  if (rules.leading_zeros == LeadingZeros::kStrip) {
    // Only a number's padding: "0A12" keeps its zero (not all digits).
    bool all_digits = !rn.empty() && rn.find_first_not_of("0123456789") == std::string::npos;
    if (all_digits) {
      size_t first = rn.find_first_not_of('0');
      rn = first == std::string::npos ? "0" : rn.substr(first);
    }
  }
  return rn;
}

absl::Status CheckRecordNumber(std::string_view rn) {
  if (rn.empty()) return absl::InvalidArgumentError("required field is missing");
  if (rn.size() > 32) return absl::InvalidArgumentError("longer than 32 characters");
  for (char c : rn) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
      return absl::InvalidArgumentError("may hold only letters, digits and '-' (got '" +
                                        VisibleSpaces(Utf8Prefix(std::string(rn), 40)) + "')");
  }
  return absl::OkStatus();
}

}  // namespace fedreg::agent
