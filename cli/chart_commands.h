// `fedregctl chart registrations|alterations|funnel` (docs/charts.md): the
// central office's figures as SVG files drawn by fedregctl itself
// (cli/svg_charts.h) from the centre's counts: the national view for the
// registrations, cohort groups for hospitals and alterations, the trial's
// funnel. A PNG beside it with --png (rsvg-convert, Debian's librsvg2-bin).
// Charts draw exact counts only: when the caller's role sees a needed count
// suppressed, the chart is refused rather than drawn wrong.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/rpc.h"

namespace fedreg::cli {

class ChartCommands {
 public:
  explicit ChartCommands(CLI::App& app);
  // False when no chart subcommand was given.
  bool Run(const Globals& g) const;

 private:
  CLI::App* registrations_ = nullptr;
  CLI::App* alterations_ = nullptr;
  CLI::App* funnel_ = nullptr;
  std::string by_;
  std::string out_;
  std::string trial_id_;
  size_t top_ = 15;
  bool png_ = false;
};

}  // namespace fedreg::cli
