#include "agent/person_index.h"

namespace fedreg::agent {

std::string PersonTokenOf(const v1::Case& c) {
  for (const auto& t : c.link_tokens()) {
    if (t.rfind("T1", 0) == 0) return t;
  }
  return "";
}

absl::StatusOr<std::string> PersonIndex::Find(const std::string& token) {
  if (!rules1_checked_) {
    auto held = store_.HoldsPersonTokenPrefix("T1:");
    if (!held.ok()) return held.status();
    holds_rules1_ = holds_rules1_ || *held;
    rules1_checked_ = true;
  }
  if (auto it = added_.find(token); it != added_.end()) return it->second;
  return store_.FindPersonCase(token);
}

void PersonIndex::Add(const std::string& token, const std::string& case_id) {
  // The case may still be in an uncommitted chunk, so the run keeps its own.
  if (token.empty()) return;
  if (token.rfind("T1:", 0) == 0) holds_rules1_ = true;
  added_.emplace(token, case_id);
}

}  // namespace fedreg::agent
