// `fedregctl cohort` and `fedregctl persons` (docs/cohorts.md): how many
// current cases meet criteria (the trials' match tree, from a file or
// inline flags), grouped by site, OncoTree code, tissue, month, gene or
// class; operators and auditors may list the case ids, sponsors get
// suppressed counts. `persons --multi-site` lists the persons registered at
// more than one hospital.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/criteria_options.h"
#include "cli/rpc.h"

namespace fedreg::cli {

class CohortCommands {
 public:
  explicit CohortCommands(CLI::App& app);
  // False when neither command was given.
  bool Run(const Globals& g) const;

 private:
  CLI::App* cohort_ = nullptr;
  CLI::App* persons_ = nullptr;
  CriteriaOptions criteria_;
  std::string by_;
  std::vector<std::string> sites_;
  bool list_ = false;
  bool show_criteria_ = false;
  bool multi_site_ = false;
  uint32_t limit_ = 100;
};

}  // namespace fedreg::cli
