// Which live case of this site each person belongs to, by the person's T1
// link token (name, birth date, sex; docs/pseudonymization.md). The importer
// asks it about every new record number: a person already stored under
// another number is held ("same person as record <n>"), never stored twice.
// Not thread-safe: one import run owns it.
#pragma once

#include <string>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "agent/agent_store.h"

namespace fedreg::agent {

class PersonIndex {
 public:
  // `store` must outlive the index.
  explicit PersonIndex(const AgentStore& store) : store_(store) {}

  // The case id of the live case whose T1 token (of either name-rules
  // version) is `token`; "" when none. A case this run added wins; otherwise
  // one seek in the store's person-token index (agent_store.h, schema 3), so
  // an import costs the same however many cases the site holds. Fails only
  // when the store cannot be read.
  absl::StatusOr<std::string> Find(const std::string& token);

  // Whether some stored case carries a token of name rules 1 ("T1:"): a new
  // person must then be looked up under those rules too (like with like).
  // Valid after the first Find.
  bool HoldsRules1() const { return holds_rules1_; }

  // Records a case this run is about to store in its chunk.
  void Add(const std::string& token, const std::string& case_id);
  // The chunk's cases are committed (the store answers for them now).
  void ChunkCommitted() { added_.clear(); }

 private:
  const AgentStore& store_;
  bool rules1_checked_ = false;
  bool holds_rules1_ = false;
  std::unordered_map<std::string, std::string> added_;  // this run's cases by token
};

// A case's T1 token ("T1:..." or "T1v2:..."), "" when it has none.
std::string PersonTokenOf(const v1::Case& c);

}  // namespace fedreg::agent
