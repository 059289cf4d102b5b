// `fedregctl export cbioportal DIR` and `fedregctl export ndjson FILE`
// (docs/exports.md): the centre streams the current cases (or a cohort's,
// with the cohort's criteria options) to an operator, and fedregctl writes
// them as a cBioPortal study (cli/cbioportal_study.h) or as NDJSON
// (cli/ndjson_export.h). Sponsors get no case-level export: the centre
// refuses them (PERMISSION_DENIED, audited).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/criteria_options.h"
#include "cli/rpc.h"

namespace fedreg::cli {

class ExportCommands {
 public:
  explicit ExportCommands(CLI::App& app);
  // False when no export subcommand was given.
  bool Run(const Globals& g) const;

 private:
  CLI::App* cbioportal_ = nullptr;
  CLI::App* ndjson_ = nullptr;
  CriteriaOptions criteria_;
  std::string path_;
  std::string study_id_ = "fedreg_rare_cancer";
};

}  // namespace fedreg::cli
