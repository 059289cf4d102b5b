// Small helpers shared by the two RocksDB owners (AgentStore, CentreStore):
// error conversion at the edge, the big-endian seq key encoding, and the
// options both open their databases with.
#pragma once

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/status.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace fedreg {

// rocksdb::Status -> absl::Status, with context. A full disk (NoSpace) becomes
// RESOURCE_EXHAUSTED so callers can refuse imports while serving goes on.
inline absl::Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsNoSpace()) return absl::ResourceExhaustedError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsIOError()) return absl::UnavailableError(msg);
  return absl::InternalError(msg);
}

// Big-endian u64, so that byte order is numeric order (on disk; never change).
inline std::string EncodeU64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

inline uint64_t DecodeU64(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

// Turns RocksDB's per-thread perf counters off for the calling thread. They
// are on by default (PerfLevel::kEnableCount) and counted on every key
// comparison of a memtable insert or lookup through a thread_local of the
// shared library (a __tls_get_addr call each): off, the centre's writer
// thread ran 19% fewer instructions (callgrind over an 11,000-case backfill,
// bench/README.md fifth round). fedreg never reads them (its figures
// are its own metrics). Call it first in each thread that writes or reads a
// store in bulk.
inline void SkipRocksPerfCounters() { rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable); }

// Database options shared by both stores: memtables bounded (and stalled
// above) by `wbm`, two background jobs for a 2-core hospital server. The
// memtable budget is not charged to the block cache: charged, memtables
// filled the cache and evicted everything useful from it.
inline rocksdb::DBOptions BaseDbOptions(std::shared_ptr<rocksdb::WriteBufferManager> wbm) {
  rocksdb::DBOptions dbo;
  dbo.create_if_missing = true;
  dbo.create_missing_column_families = true;
  dbo.write_buffer_manager = std::move(wbm);
  dbo.max_background_jobs = 2;
  dbo.keep_log_file_num = 5;
  return dbo;
}

// Column family options for point lookups, most of them for keys that do not
// exist (a new case, no tombstone, a new person): bloom filters answer those
// without reading data blocks, in memtables and in files. Filter and index
// blocks stay with the open files rather than in the block cache (about 1.3
// bytes per key for filters, and one index entry per block): in the cache, a
// stream of data blocks evicted them and every lookup re-read and
// re-checksummed them from the files (seen in perf as most of a 600,000-change
// catch-up, 50 s before, 18 s after).
inline rocksdb::ColumnFamilyOptions PointLookupCfOptions(std::shared_ptr<rocksdb::Cache> cache,
                                                         size_t write_buffer_size, size_t block_size = 4096,
                                                         bool bloom_filters = true) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = std::move(cache);
  table.block_size = block_size;
  table.cache_index_and_filter_blocks = false;
  if (bloom_filters) table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cfo;
  cfo.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cfo.write_buffer_size = write_buffer_size;
  cfo.memtable_whole_key_filtering = bloom_filters;
  cfo.memtable_prefix_bloom_size_ratio = bloom_filters ? 0.05 : 0;
  // Flushes write level 0 uncompressed; compactions compress from level 1
  // on. A level-0 file lives until the next compaction merges it, and LZ4
  // was about 30% of RocksDB's background CPU in the catch-up's profile
  // (compressing at the flush, decompressing at the compaction).
  cfo.compression_per_level = {rocksdb::kNoCompression, rocksdb::kLZ4Compression};
  cfo.compression = rocksdb::kLZ4Compression;
  return cfo;
}

}  // namespace fedreg
