// Store schema versions and the migrations between them, for both RocksDB
// stores (agent/agent_store.cc, server/centre_store.cc). A store records its
// version under the meta key "schema_version" (u64 as decimal). At open:
// - a store newer than the binary is refused (FAILED_PRECONDITION naming
//   both versions and what to do): an older binary could misread it;
// - an older store is migrated step by step, each step writing its data and
//   its new version in one synced WriteBatch, so a crash mid-way resumes at
//   the step that did not finish.
// docs/site-operations.md and docs/centre-operations.md ("Upgrades") list
// the versions.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace fedreg {

struct SchemaStep {
  uint32_t to = 0;            // the version this step leaves the store at (from = to - 1)
  std::string what;           // logged: what the step changes
  std::function<absl::Status()> run;  // writes its data and "schema_version" = to atomically
};

// `store` names the store in messages ("agent store /var/lib/...").
// `on_disk` is the store's version; `binary` this build's; `steps` must hold
// one step for every version in (on_disk, binary]. Runs them in order and
// logs each. Returns the first failure.
absl::Status MigrateSchema(const std::string& store, const std::string& program, uint32_t on_disk, uint32_t binary,
                           const std::vector<SchemaStep>& steps);

}  // namespace fedreg
