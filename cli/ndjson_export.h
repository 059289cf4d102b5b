// `fedregctl export ndjson FILE` (docs/exports.md, "NDJSON"): every case the
// centre holds, one JSON object per line (protobuf's JSON mapping of
// v1::Case with the proto field names, proto/fedreg/v1/case.proto), for the
// data the cBioPortal study has no place for (treatment lines, referrals,
// link tokens' presence, versions). UTF-8, "\n" line ends, no trailing
// comma or array brackets: each line parses alone (ndjson.org's rules).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fedreg/v1/case.pb.h"

namespace fedreg::cli {

// Writes `cases` to `path` (through "<path>.tmp" and a rename, so a reader
// never sees half a file). Returns the lines written; INTERNAL when the
// file cannot be written, naming it.
absl::StatusOr<int64_t> WriteNdjson(const std::vector<v1::Case>& cases, const std::string& path);

}  // namespace fedreg::cli
