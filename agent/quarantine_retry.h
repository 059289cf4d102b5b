// `fedregctl agent quarantine retry`: quarantined entries validated again,
// after the source was corrected elsewhere or the reference tables were
// updated. Rows an import refused are imported again, grouped by file so a
// record number's rows are judged together as in the first import; a case
// the centre refused is queued to the centre again (it is still stored
// here). Each retried entry is closed ("retried", saying what happened); a
// row refused again gets a new entry with the new reason, named in the old
// one's resolution.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/agent_store.h"
#include "agent/importer.h"
#include "fedreg/v1/quarantine.pb.h"

namespace fedreg::agent {

// `ids` empty = every open entry. NOT_FOUND for an unknown id (nothing
// done); an entry already closed, or without a row to retry, is reported as
// "skipped" and left as it is. Fails when the store cannot be written.
absl::StatusOr<v1::RetryQuarantineResponse> RetryQuarantined(AgentStore& store, Importer& importer,
                                                            const std::vector<uint64_t>& ids,
                                                            const ImportOptions& options);

}  // namespace fedreg::agent
