// `fedregctl agent notices ...` (docs/trials.md, "Notices"): the trial
// coordinator's view of this hospital's trial matches, re-identified by the
// local agent (record number), and the statuses the coordinator sets.
// Registers its subcommands under `agent` on construction.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "cli/rpc.h"

namespace fedreg::cli {

class NoticesCommands {
 public:
  explicit NoticesCommands(CLI::App& agent);
  // False when no notices subcommand was given.
  bool Run(const Globals& g) const;

 private:
  CLI::App* notices_ = nullptr;
  CLI::App* set_ = nullptr;
  std::string trial_;
  std::string status_filter_;
  size_t limit_ = 0;
  uint64_t id_ = 0;
  std::string status_;
  std::string note_;
};

}  // namespace fedreg::cli
