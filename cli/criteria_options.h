// The criteria options `fedregctl cohort` and `fedregctl export` share
// (docs/cohorts.md): a criteria file (one match tree, as in a trial
// definition), or inline flags that stand for one `and` of a genomic, a
// biomarker and a clinical criterion. Either way the tree is read by the
// trials' own reader (common/trial_definition.h ParseCriteria), so genes,
// protein changes and OncoTree codes are checked and normalised exactly as
// in a trial file, and the centre matches with the trials' own matcher.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fedreg/v1/trial.pb.h"

namespace fedreg::cli {

// The tree as text for people: one criterion per line, indented, without
// the "  (line N)" marks of DescribeMatchTree (for inline flags they count
// lines of generated YAML). With `one_line`, the lines joined by "; ".
std::string CriteriaText(const v1::MatchNode& criteria, bool one_line);

class CriteriaOptions {
 public:
  // Adds --criteria and the inline flags to `cmd`.
  void AddTo(CLI::App* cmd);
  // The tree, or nullopt when no criterion was given (every case). Dies
  // with the reader's message ("command line: and[1].genomic.gene: ...")
  // when a value is wrong, or when --criteria is combined with inline flags.
  std::optional<v1::MatchNode> Build() const;
  // The inline flags as YAML (what Build reads; shown by --show-criteria).
  std::string InlineYaml() const;

 private:
  bool AnyInline() const;

  std::string file_;
  std::string gene_, protein_, category_, cnv_, fusion_;
  int exon_ = 0;
  std::vector<std::string> oncotree_, exclude_oncotree_;
  std::string cancer_class_, sex_, age_, prior_lines_;
  bool msi_high_ = false, alive_ = false;
  double tmb_min_ = -1;
  int ecog_max_ = -1;
};

}  // namespace fedreg::cli
