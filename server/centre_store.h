// The aggregator's RocksDB store: the one class that owns it.
//
// Column families and key layouts (on disk; never change):
//   cases   : site "/" case_id                 -> v1::Case
//             "~t/" site "/" case_id           -> v1::Tombstone (withdrawn; never resurrected)
//   persons : person_key "\0" site "/" case_id -> ""   (person_key = T1 link token)
//   sites   : site                             -> v1::SiteState
//   views   : dimension "\x1f" value           -> int64 little-endian, summed by a merge operator
//   trials, notices, audit                      : reserved for later issues
//
// ApplyBatch applies one batch of events in one WriteBatch (cases, persons,
// view deltas, site state) with the WAL synced before it returns, so an
// acknowledged seq is durable. Applies are serialized; reads may run on any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fedreg/v1/centre.pb.h"
#include "fedreg/v1/sync.pb.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Cache;
class WriteBufferManager;
}  // namespace rocksdb

namespace fedreg::server {

struct CentreStoreOptions {
  std::string path;
  size_t block_cache_bytes = 64 << 20;          // Default: 64 MiB
  size_t write_buffer_budget_bytes = 64 << 20;  // Default: 64 MiB for all memtables, stalls above
};

struct ApplyResult {
  uint64_t applied_seq = 0;
  std::vector<v1::Rejection> rejections;
};

// The national view as stored: "dimension\x1fvalue" -> count.
using ViewCounts = std::map<std::string, int64_t>;

class CentreStore {
 public:
  static absl::StatusOr<std::unique_ptr<CentreStore>> Open(const CentreStoreOptions& options);
  ~CentreStore();
  CentreStore(const CentreStore&) = delete;
  CentreStore& operator=(const CentreStore&) = delete;

  // NOT_FOUND when the site never connected.
  absl::StatusOr<v1::SiteState> GetSite(const std::string& site_id) const;
  absl::StatusOr<std::vector<v1::SiteState>> ListSites() const;

  // First contact of a site: records its store id. FAILED_PRECONDITION when
  // the site is known under another store id with data applied.
  absl::StatusOr<v1::SiteState> RegisterStore(const std::string& site_id, const std::string& store_id);

  // Records the last error seen for a site (best effort, for `fedregctl sites`).
  void RecordError(const std::string& site_id, const std::string& error);

  // Applies `batch` for the site. Events at or below the applied seq are
  // skipped (idempotent replays). OUT_OF_RANGE when the batch starts after a
  // gap; FAILED_PRECONDITION on a store id mismatch; INVALID_ARGUMENT when the
  // batch is malformed. Records failing validation are rejected one by one
  // and do not stop the batch.
  absl::StatusOr<ApplyResult> ApplyBatch(const std::string& site_id, const std::string& store_id,
                                         const v1::Batch& batch);

  absl::StatusOr<ViewCounts> ReadViews() const;
  // Recomputes every counter from the cases.
  absl::StatusOr<ViewCounts> RecomputeViews() const;

  // Every case of a site (or of all sites when empty), in key order.
  absl::StatusOr<std::vector<v1::Case>> Cases(const std::string& site_id) const;
  absl::StatusOr<bool> IsTombstoned(const std::string& site_id, const std::string& case_id) const;

 private:
  CentreStore() = default;

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::shared_ptr<rocksdb::WriteBufferManager> wbm_;
  std::mutex apply_mu_;  // serializes ApplyBatch, RegisterStore and RecordError
};

}  // namespace fedreg::server
