// Trial definition files (docs/trials.md): one trial per YAML file, read
// into v1::Trial (proto/fedreg/v1/trial.proto). Shaped on CTML's ideas
// (MatchMiner's clinical trial markup language): a trial, its arms, and at
// trial or arm level a match tree of `and` / `or` / `not` nodes over
// `genomic`, `biomarker` and `clinical` criteria.
//
// Every value is checked and put in the registry's standard form as it is
// read: genes through the HGNC table (aliases mapped, ambiguous aliases
// refused: common/gene_symbols.h), protein changes through the HGVS
// canonicaliser (common/hgvs.h), OncoTree codes through the project's full
// tree (former codes mapped, retired ones refused naming the candidates:
// common/oncotree.h). A file is accepted whole or refused whole: every
// problem is reported, each as "file:line: key: what is wrong".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "fedreg/v1/trial.pb.h"

namespace fedreg {

struct TrialDefinitionError {
  int line = 0;         // 1-based; 0 when the file as a whole is wrong
  std::string key;      // dotted path, e.g. "arms[2].match.and[1].genomic.gene"
  std::string message;  // valid UTF-8; quotes values cut on a code-point boundary
};

// Reads one trial from YAML `text`; `source` names the file in messages and
// is kept in Trial::source. On failure `errors` (optional) receives every
// problem, and the status (INVALID_ARGUMENT) says how many there are and
// quotes the first ones, one per line, as "source:line: key: message".
absl::StatusOr<v1::Trial> ParseTrialDefinition(std::string_view text, const std::string& source,
                                               std::vector<TrialDefinitionError>* errors = nullptr);

// Reads the file at `path` (NOT_FOUND or PERMISSION_DENIED when it cannot
// be read) and parses it as above, `path` as the source.
absl::StatusOr<v1::Trial> ReadTrialDefinitionFile(const std::string& path,
                                                  std::vector<TrialDefinitionError>* errors = nullptr);

// Cohort criteria (docs/cohorts.md): YAML holding one match tree, either at
// the top ("and: [...]", "genomic: {...}") or under a single `match:` key,
// read exactly as a trial's tree (same keys, same checks, same errors).
absl::StatusOr<v1::MatchNode> ParseCriteria(std::string_view text, const std::string& source,
                                            std::vector<TrialDefinitionError>* errors = nullptr);
absl::StatusOr<v1::MatchNode> ReadCriteriaFile(const std::string& path,
                                               std::vector<TrialDefinitionError>* errors = nullptr);

// The tree as text, one criterion per line, for `fedregctl trials show` and
// match explanations ("and", "  genomic BRAF p.V600E  (line 12)").
std::string DescribeMatchTree(const v1::MatchNode& node, int indent = 0);

// One criterion as text: "genomic BRAF p.V600E", "clinical oncotree MEL
// (and below), age >= 18", "not ...".
std::string DescribeCriterion(const v1::MatchNode& node);

}  // namespace fedreg
