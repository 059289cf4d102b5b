#include "agent/person_index.h"

namespace fedreg::agent {

std::string PersonTokenOf(const v1::Case& c) {
  for (const auto& t : c.link_tokens()) {
    if (t.rfind("T1", 0) == 0) return t;
  }
  return "";
}

absl::Status PersonIndex::Load() {
  uint64_t as_of = 0;
  auto s = store_.ScanCases(
      [&](const v1::Case& c) {
        const std::string token = PersonTokenOf(c);
        if (token.empty()) return;
        if (token.rfind("T1:", 0) == 0) holds_rules1_ = true;
        case_by_token_.emplace(token, c.case_id());
      },
      &as_of);
  if (!s.ok()) return s;
  loaded_ = true;
  return absl::OkStatus();
}

absl::StatusOr<std::string> PersonIndex::Find(const std::string& token) {
  if (!loaded_) {
    if (auto s = Load(); !s.ok()) return s;
  }
  auto it = case_by_token_.find(token);
  return it == case_by_token_.end() ? std::string() : it->second;
}

void PersonIndex::Add(const std::string& token, const std::string& case_id) {
  // Kept before the first Load too: the case may still be in an uncommitted chunk.
  if (token.empty()) return;
  if (token.rfind("T1:", 0) == 0) holds_rules1_ = true;
  case_by_token_.emplace(token, case_id);
}

}  // namespace fedreg::agent
