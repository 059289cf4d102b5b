// Plain-text tables for fedregctl's human output.
#pragma once

#include <string>
#include <vector>

namespace fedreg::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Columns are padded to their widest cell (UTF-8 aware); numbers right-aligned.
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace fedreg::cli
