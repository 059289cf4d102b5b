// The national view as one RocksDB document (`views` "national" ->
// v1::ViewCounters, "dimension\x1fvalue" -> count): each applied batch
// merges one operand of deltas, so view updates are blind writes, and the
// merge operator sums operands into the document.
#pragma once

#include <rocksdb/merge_operator.h>
#include <rocksdb/slice.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"

namespace fedreg::server {

// Adds the counters of an encoded v1::ViewCounters to `sum` (an operand that
// does not parse counts as empty: it cannot come from this code).
void AddCounters(const rocksdb::Slice& encoded, std::map<std::string, int64_t>* sum);
// `sum` as a v1::ViewCounters document, zero counts left out.
std::string EncodeCounters(const std::map<std::string, int64_t>& sum);

// One build's changes to the view counters: view key (server/views.h) ->
// delta. Hashed: a batch of thousands of cases updates about 15 keys per
// case, each a dozen string comparisons in an ordered map (bench/README.md,
// fifth round).
using ViewDeltas = absl::flat_hash_map<std::string, int64_t>;

// One build's deltas as a merge operand, keys sorted so that the same deltas
// always encode to the same bytes; zero counts left out.
std::string EncodeDeltas(const ViewDeltas& deltas);

// The `views` column family's merge operator ("fedreg.ViewCounters").
std::shared_ptr<rocksdb::MergeOperator> NewViewMergeOperator();

}  // namespace fedreg::server
