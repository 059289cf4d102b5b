// The agent store's on-disk layout (agent/agent_store.h lists it): column
// families and keys, shared by the files of AgentStore. Internal to agent/;
// never change an encoding of stored data.
#pragma once

#include <rocksdb/options.h>

#include <cstdint>
#include <set>
#include <string>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace fedreg::agent {

enum Cf : size_t { kDefault = 0, kCases, kOutbox, kReid, kQuarantine, kMeta, kNotices, kCfCount };
inline const char* const kCfNames[kCfCount] = {"default", "cases", "outbox", "reid", "quarantine", "meta", "notices"};

inline rocksdb::WriteOptions SyncWrite() {
  rocksdb::WriteOptions w;
  w.sync = true;
  return w;
}

inline uint64_t ParseU64(const std::string& s) { return s.empty() ? 0 : std::stoull(s); }

// `notices`: one record per (case, trial), so a case's notices are one range.
inline std::string NoticeRecordKey(const std::string& case_id, const std::string& trial_id) {
  return case_id + std::string(1, '\0') + trial_id;
}

// `reid`, prefix "p" (schema 3): a person token -> the live cases carrying
// it, case ids in order, one per line (usually one: a second live case of a
// person is only stored on an operator's --accept-same-person). One point
// read per lookup.
inline std::string PersonIndexKey(const std::string& token) { return "p" + token; }
inline std::set<std::string> SplitCaseIds(const std::string& value) {
  return absl::StrSplit(value, '\n', absl::SkipEmpty());
}
inline std::string JoinCaseIds(const std::set<std::string>& ids) { return absl::StrJoin(ids, "\n"); }

}  // namespace fedreg::agent
