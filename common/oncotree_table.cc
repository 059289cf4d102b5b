// The compiled-in OncoTree tree and its code history (see oncotree.h).
#include <map>
#include <set>
#include <unordered_map>

#include "common/oncotree.h"
#include "common/text_fold.h"
#include "common/utf8.h"

namespace fedreg {
namespace {

struct Row {
  const char* code;
  const char* name;
  const char* main_type;
  const char* tissue;
  const char* parent;
  int level;
  const char* precursors;   // codes this code replaced, comma-separated
  const char* revocations;  // codes revoked in its favour
  const char* history;      // former codes of this node
};

const Row kRows[] = {
#include "common/oncotree_data.inc"
};

static_assert(kOncoTreeVersion == std::string_view(FEDREG_ONCOTREE_RELEASE),
              "oncotree.h names another release than common/oncotree_data.inc");

std::vector<std::string_view> SplitCodes(std::string_view list) {
  std::vector<std::string_view> out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view code = list.substr(0, comma);
    if (!code.empty()) out.push_back(code);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

// Former codes: which current codes each one maps to, and how.
struct History {
  std::map<std::string_view, std::set<std::string_view>> renamed;  // history + precursors
  std::map<std::string_view, std::set<std::string_view>> revoked;  // revocations
};

const History& FormerCodes() {
  static const History* h = [] {
    auto* out = new History;
    for (const Row& r : kRows) {
      for (auto c : SplitCodes(r.history)) out->renamed[c].insert(r.code);
      for (auto c : SplitCodes(r.precursors)) out->renamed[c].insert(r.code);
      for (auto c : SplitCodes(r.revocations)) out->revoked[c].insert(r.code);
    }
    return out;
  }();
  return *h;
}

std::string Candidates(const std::set<std::string_view>& codes) {
  std::string out;
  for (auto c : codes) {
    const OncoTreeEntry* e = FindOncoTree(c);
    if (!out.empty()) out += ", ";
    out += std::string(c) + (e ? " (" + std::string(e->name) + ")" : "");
  }
  return out;
}

bool HasNonAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

}  // namespace

const std::vector<OncoTreeEntry>& OncoTreeTable() {
  static const auto* table = [] {
    auto* t = new std::vector<OncoTreeEntry>;
    t->reserve(std::size(kRows));
    for (const Row& r : kRows) {
      const std::string_view tissue = r.tissue;
      t->push_back({r.code, r.name, r.main_type, tissue, r.parent, r.level,
                    tissue == "Lymphoid" || tissue == "Myeloid" ? v1::CANCER_CLASS_HEMATOLOGIC
                                                                : v1::CANCER_CLASS_SOLID});
    }
    return t;
  }();
  return *table;
}

const OncoTreeEntry* FindOncoTree(std::string_view code) {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const OncoTreeEntry*>;
    for (const auto& e : OncoTreeTable()) (*m)[e.code] = &e;
    return m;
  }();
  auto it = index->find(code);
  return it == index->end() ? nullptr : it->second;
}

bool IsOncoTreeDescendant(std::string_view code, std::string_view ancestor) {
  for (const OncoTreeEntry* e = FindOncoTree(code); e != nullptr; e = FindOncoTree(e->parent)) {
    if (e->code == ancestor) return true;
  }
  return false;
}

absl::StatusOr<OncoTreeMatch> ResolveOncoTreeCode(std::string_view cell) {
  OncoTreeMatch m;
  const std::string code = FoldCode(cell);
  if (code.empty()) return absl::InvalidArgumentError("empty OncoTree code");
  m.rewritten = code != cell;
  if ((m.entry = FindOncoTree(code)) != nullptr) {
    if (m.rewritten) m.note = "code folded to " + code;
    return m;
  }
  const History& h = FormerCodes();
  if (auto it = h.renamed.find(code); it != h.renamed.end() && it->second.size() == 1) {
    m.entry = FindOncoTree(*it->second.begin());
    if (m.entry != nullptr) {
      m.rewritten = true;
      m.note = code + " is OncoTree's former code of " + std::string(m.entry->code);
      return m;
    }
  }
  std::set<std::string_view> candidates;
  if (auto it = h.renamed.find(code); it != h.renamed.end()) candidates.insert(it->second.begin(), it->second.end());
  if (auto it = h.revoked.find(code); it != h.revoked.end()) candidates.insert(it->second.begin(), it->second.end());
  if (!candidates.empty())
    return absl::InvalidArgumentError("OncoTree code '" + Utf8Prefix(code, 24) + "' was retired by OncoTree (" +
                                      std::string(kOncoTreeVersion) + "); choose the current code: " +
                                      Candidates(candidates));
  if (HasNonAscii(code))
    return absl::InvalidArgumentError("'" + VisibleSpaces(Utf8Prefix(cell, 48)) +
                                      "' looks like a diagnosis name, not an OncoTree code: map it to its code "
                                      "(e.g. DDLS for dedifferentiated liposarcoma; oncotree.mskcc.org)");
  return absl::InvalidArgumentError("unknown OncoTree code '" + VisibleSpaces(Utf8Prefix(cell, 32)) + "' (" +
                                    std::string(kOncoTreeVersion) + ")");
}

}  // namespace fedreg
