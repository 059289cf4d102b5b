// `fedregctl trials ...` (docs/trials.md): validate definition files here,
// add or update them at the centre, open, suspend or close a trial or an
// arm, list and show (with the referral funnel), and list a trial's
// matches with why. Registers its subcommands on construction; Run
// carries out the one given.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/rpc.h"

namespace fedreg::cli {

class TrialsCommands {
 public:
  explicit TrialsCommands(CLI::App& app);
  // False when no trials subcommand was given.
  bool Run(const Globals& g) const;

 private:
  CLI::App* validate_ = nullptr;
  CLI::App* add_ = nullptr;
  CLI::App* update_ = nullptr;
  CLI::App* open_ = nullptr;
  CLI::App* suspend_ = nullptr;
  CLI::App* close_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* show_ = nullptr;
  CLI::App* matches_ = nullptr;
  std::string site_;
  bool include_ended_ = false;
  bool by_site_ = false;
  uint32_t limit_ = 100;
  std::vector<std::string> files_;
  std::string file_;
  std::string trial_id_;
  std::string arm_id_;
};

}  // namespace fedreg::cli
