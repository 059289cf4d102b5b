// The agent store's on-disk layout (agent/agent_store.h lists it): column
// families and keys, shared by the files of AgentStore. Internal to agent/;
// never change an encoding of stored data.
#pragma once

#include <rocksdb/options.h>

#include <cstdint>
#include <string>

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

// `reid`, prefix "p" (schema 3): one key per live case with a person token,
// so the cases of one token are one range, in case id order.
inline std::string PersonIndexKey(const std::string& token, const std::string& case_id) {
  return "p" + token + std::string(1, '\0') + case_id;
}

}  // namespace fedreg::agent
