#include "cli/table.h"

#include <algorithm>

namespace fedreg::cli {
namespace {

size_t DisplayWidth(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// A count, a measure, "-" (none) or "<10" (a suppressed count).
bool IsNumber(const std::string& s) {
  const size_t from = !s.empty() && s[0] == '<' ? 1 : 0;
  return s.size() > from &&
         std::all_of(s.begin() + static_cast<long>(from), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '-' || c == '.'; });
}

}  // namespace

std::string Table::Render() const {
  std::vector<size_t> width(header_.size(), 0);
  for (size_t i = 0; i < header_.size(); ++i) width[i] = DisplayWidth(header_[i]);
  for (const auto& r : rows_)
    for (size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], DisplayWidth(r[i]));
  // A column is right-aligned when every cell in it is a number: "1/2"
  // beside "2" (a trial's phase) keeps the column left-aligned.
  std::vector<bool> numeric(header_.size(), !rows_.empty());
  for (const auto& r : rows_)
    for (size_t i = 0; i < numeric.size(); ++i) numeric[i] = numeric[i] && i < r.size() && IsNumber(r[i]);
  auto line = [&](const std::vector<std::string>& r, bool header) {
    std::string out;
    for (size_t i = 0; i < width.size(); ++i) {
      std::string cell = i < r.size() ? r[i] : "";
      std::string pad(width[i] - DisplayWidth(cell), ' ');
      out += (!header && numeric[i]) ? pad + cell : cell + pad;
      if (i + 1 < width.size()) out += "  ";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header_, true);
  for (const auto& r : rows_) out += line(r, false);
  return out;
}

}  // namespace fedreg::cli
