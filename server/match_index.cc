#include "server/match_index.h"

#include <algorithm>
#include <optional>

#include "common/oncotree.h"

namespace fedreg::server {
namespace {

using Need = std::optional<std::set<std::string>>;  // nullopt: no requirement found

// The smaller of two requirements (both must hold, so either one will do).
Need Tighter(Need a, Need b) {
  if (!a) return b;
  if (!b) return a;
  return a->size() <= b->size() ? a : b;
}

// Genes (codes) a case matching `n` must have: see match_index.h.
Need NeededGenes(const v1::MatchNode& n) {
  switch (n.node_case()) {
    case v1::MatchNode::kGenomic:
      if (n.genomic().gene().empty()) return std::nullopt;
      return std::set<std::string>{n.genomic().gene()};
    case v1::MatchNode::kAllOf: {
      Need need;
      for (const auto& child : n.all_of().nodes()) need = Tighter(need, NeededGenes(child));
      return need;
    }
    case v1::MatchNode::kAnyOf: {
      std::set<std::string> all;
      if (n.any_of().nodes_size() == 0) return std::nullopt;
      for (const auto& child : n.any_of().nodes()) {
        Need need = NeededGenes(child);
        if (!need) return std::nullopt;
        all.insert(need->begin(), need->end());
      }
      return all;
    }
    default: return std::nullopt;
  }
}

Need NeededCodes(const v1::MatchNode& n) {
  switch (n.node_case()) {
    case v1::MatchNode::kClinical: {
      if (n.clinical().oncotree_size() == 0) return std::nullopt;
      return std::set<std::string>(n.clinical().oncotree().begin(), n.clinical().oncotree().end());
    }
    case v1::MatchNode::kAllOf: {
      Need need;
      for (const auto& child : n.all_of().nodes()) need = Tighter(need, NeededCodes(child));
      return need;
    }
    case v1::MatchNode::kAnyOf: {
      std::set<std::string> all;
      if (n.any_of().nodes_size() == 0) return std::nullopt;
      for (const auto& child : n.any_of().nodes()) {
        Need need = NeededCodes(child);
        if (!need) return std::nullopt;
        all.insert(need->begin(), need->end());
      }
      return all;
    }
    default: return std::nullopt;
  }
}

// What every arm of the trial needs (the union over arms); nullopt when
// some arm needs nothing of the kind.
Need TrialNeeds(const v1::Trial& t, Need (*needed)(const v1::MatchNode&)) {
  std::set<std::string> all;
  for (const auto& arm : t.arms()) {
    Need need;
    if (t.has_match()) need = needed(t.match());
    if (arm.has_match()) need = Tighter(need, needed(arm.match()));
    if (!need) return std::nullopt;
    all.insert(need->begin(), need->end());
  }
  if (t.arms_size() == 0) return std::nullopt;
  return all;
}

bool NodeHasAge(const v1::MatchNode& n) {
  switch (n.node_case()) {
    case v1::MatchNode::kClinical: return n.clinical().has_min_age() || n.clinical().has_max_age();
    case v1::MatchNode::kAllOf:
      return std::any_of(n.all_of().nodes().begin(), n.all_of().nodes().end(), NodeHasAge);
    case v1::MatchNode::kAnyOf:
      return std::any_of(n.any_of().nodes().begin(), n.any_of().nodes().end(), NodeHasAge);
    case v1::MatchNode::kNoneOf: return NodeHasAge(n.none_of());
    default: return false;
  }
}

std::string Join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out;
}

}  // namespace

bool MatchIndex::HasAgeLimit(const v1::Trial& trial) {
  if (trial.has_match() && NodeHasAge(trial.match())) return true;
  return std::any_of(trial.arms().begin(), trial.arms().end(),
                     [](const v1::TrialArm& a) { return a.has_match() && NodeHasAge(a.match()); });
}

void MatchIndex::Rebuild(const std::vector<v1::StoredTrial>& trials) {
  trials_.clear();
  by_gene_.clear();
  by_code_.clear();
  every_case_.clear();
  indexed_by_.clear();
  for (const auto& st : trials) {
    const v1::Trial& t = st.trial();
    trials_[t.trial_id()] = st;
    if (t.status() != v1::TRIAL_STATUS_OPEN) {
      indexed_by_[t.trial_id()] = "nothing (not open: no new matches)";
      continue;
    }
    if (Need genes = TrialNeeds(t, NeededGenes)) {
      for (const auto& g : *genes) by_gene_[g].push_back(t.trial_id());
      indexed_by_[t.trial_id()] = "genes " + Join(*genes);
    } else if (Need codes = TrialNeeds(t, NeededCodes)) {
      for (const auto& c : *codes) by_code_[c].push_back(t.trial_id());
      indexed_by_[t.trial_id()] = "OncoTree codes " + Join(*codes);
    } else {
      every_case_.push_back(t.trial_id());
      indexed_by_[t.trial_id()] = "every case";
    }
  }
}

const v1::StoredTrial* MatchIndex::Find(const std::string& trial_id) const {
  auto it = trials_.find(trial_id);
  return it == trials_.end() ? nullptr : &it->second;
}

std::vector<std::string> MatchIndex::Candidates(const v1::Case& c) const {
  std::vector<std::string> out = every_case_;
  auto add_gene = [&](const std::string& gene) {
    auto it = by_gene_.find(gene);
    if (it != by_gene_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  };
  if (!by_gene_.empty()) {
    for (const auto& test : c.tests()) {
      for (const auto& a : test.alterations()) {
        add_gene(a.gene());
        // A fusion is found under either partner ("EML4::ALK" under ALK too).
        const std::string& f = a.fusion();
        size_t sep = f.find("::");
        if (sep != std::string::npos) {
          add_gene(f.substr(0, sep));
          add_gene(f.substr(sep + 2));
        }
      }
    }
  }
  if (!by_code_.empty()) {
    // The case's code and each ancestor up to the tissue.
    std::string code = c.oncotree_code();
    for (int depth = 0; depth < 16 && !code.empty(); ++depth) {
      auto it = by_code_.find(code);
      if (it != by_code_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
      const OncoTreeEntry* e = FindOncoTree(code);
      if (e == nullptr || e->parent == "TISSUE") break;
      code = std::string(e->parent);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string MatchIndex::IndexedBy(const std::string& trial_id) const {
  auto it = indexed_by_.find(trial_id);
  return it == indexed_by_.end() ? "not indexed (closed or unknown)" : it->second;
}

}  // namespace fedreg::server
