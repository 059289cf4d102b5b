// `fedregctl agent quarantine ...` (docs/site-operations.md, "Rejected
// rows"): the hospital data manager's view of the rows the agent refused
// and the cases the centre refused: list, show, export (back into an
// importable file, for correction), retry (validate again) and drop (give
// up, with a reason). Registers its subcommands under `agent`.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/rpc.h"

namespace fedreg::cli {

class QuarantineCommands {
 public:
  explicit QuarantineCommands(CLI::App& agent);
  // False when no quarantine subcommand was given.
  bool Run(const Globals& g) const;

 private:
  CLI::App* quarantine_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* show_ = nullptr;
  CLI::App* export_ = nullptr;
  CLI::App* retry_ = nullptr;
  CLI::App* drop_ = nullptr;
  bool all_ = false;
  std::string source_;
  uint32_t limit_ = 0;
  uint64_t id_ = 0;
  std::vector<uint64_t> ids_;
  std::string file_;
  bool force_ = false;
  std::string reason_;
  bool accept_identity_changes_ = false;
  bool accept_same_person_ = false;
};

}  // namespace fedreg::cli
