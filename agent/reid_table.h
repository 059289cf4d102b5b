// The agent's re-identification table (agent/agent_store.h, column family
// `reid`): record number -> case id and the identifiers the case's offsets
// were computed from, sealed with the site's reid key (AES-256-GCM, the
// entry's key as associated data). It never leaves the hospital.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "agent/agent_store.h"
#include "fedreg/v1/agent.pb.h"

namespace fedreg::agent {

// Reads and opens the entry under `rkey` ("r" + HMAC, case_builder.h
// ReidKey); nullopt when absent. DATA_LOSS when it does not open with
// `reid_key` (the wrong key file for this store).
absl::StatusOr<std::optional<v1::ReidEntry>> LoadReidEntry(const AgentStore& store, const std::string& reid_key,
                                                           const std::string& rkey);

// The sealed bytes of `entry` for storing under `rkey`.
absl::StatusOr<std::string> SealReidEntry(const std::string& reid_key, const std::string& rkey,
                                          const v1::ReidEntry& entry);

}  // namespace fedreg::agent
