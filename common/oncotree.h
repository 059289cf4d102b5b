// The OncoTree cancer-type tree (OncoTree release kOncoTreeVersion, every
// node: 897 codes with name, main type, tissue, parent, level and code
// history), compiled in from common/data/oncotree.tsv (the OncoTree project,
// cBioPortal/oncotree, CC BY 4.0; regenerate with
// deploy/data/make-oncotree-table.py). Nothing is read from disk at run time.
// Class follows tissue: Lymphoid and Myeloid are hematologic, all else solid.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "fedreg/v1/case.pb.h"

namespace fedreg {

inline constexpr std::string_view kOncoTreeVersion = "oncotree_2025_10_03";

struct OncoTreeEntry {
  std::string_view code;
  std::string_view name;
  std::string_view main_type;
  std::string_view tissue;
  std::string_view parent;  // "TISSUE" for the level-1 tissues
  int level = 0;            // 1 = tissue
  v1::CancerClass cancer_class = v1::CANCER_CLASS_UNSPECIFIED;
};

// The entry for a current `code` (exact, upper case), or nullptr.
const OncoTreeEntry* FindOncoTree(std::string_view code);

// Every entry, in the release's order.
const std::vector<OncoTreeEntry>& OncoTreeTable();

// What an export's oncotree_code cell resolves to.
struct OncoTreeMatch {
  const OncoTreeEntry* entry = nullptr;  // never null on success
  bool rewritten = false;                // the cell was not the current code as is
  std::string note;                      // what was rewritten, e.g. "MM is OncoTree's former code of PCM"
};

// Resolves a cell: surrounding spaces (ASCII and U+3000) trimmed, full-width
// folded (NFKC) and case folded; then a current code, or a code OncoTree
// records as a former name of exactly one current node (its `history`, e.g.
// MM -> PCM, PTCLNOS -> PTCL) or that one current node replaced
// (`precursors`, e.g. CLL -> CLLSLL). Errors (INVALID_ARGUMENT, the value
// quoted with its spaces made visible): a code OncoTree retired in favour of
// other codes (`revocations`, e.g. GBM; or a former code of several nodes)
// names the current candidates; a cell in another script (e.g. a Japanese
// diagnosis name) says it looks like a diagnosis name, not a code; anything
// else is an unknown code.
absl::StatusOr<OncoTreeMatch> ResolveOncoTreeCode(std::string_view cell);

// True when `code` is `ancestor` or lies below it (both current codes).
bool IsOncoTreeDescendant(std::string_view code, std::string_view ancestor);

}  // namespace fedreg
