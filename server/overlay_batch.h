// How the centre builds one WriteBatch (an apply, a snapshot's finish):
// OverlayBatch reads back its own writes and those of batches queued ahead
// of it but not yet written (server/centre_store.h, the writer thread), so
// batches are built while earlier ones are written. ReadSite and
// ChangePersonMembership are the build steps shared by apply and snapshot.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/rocks_util.h"
#include "fedreg/v1/centre.pb.h"
#include "server/centre_layout.h"
#include "server/view_document.h"

namespace fedreg::server {

// A built batch waiting for the writer thread (see ApplyBatch).
struct PendingWrite {
  rocksdb::WriteBatch batch;
  // What it puts (nullopt: deletes), per column family. Hashed: a build
  // looks each key it reads up in every write queued ahead of it (up to
  // kMaxQueued of a few thousand keys each); ordered maps made those
  // lookups the largest cost of an apply (memcmp in the handler's profile).
  std::array<absl::flat_hash_map<std::string, std::optional<std::string>>, kCfCount> overlay;
  uint64_t generation = 0;
  std::function<void()> on_written;
  std::map<std::string, uint64_t> notice_marks;  // site -> last notice seq this batch makes
};

// A WriteBatch that remembers what it wrote, so that one apply sees its own
// earlier writes, and sees the writes of batches queued before it that the
// writer thread has not yet written (`pending`). (A WriteBatchWithIndex did
// the same but its index and per-lookup iterators were most of the apply
// profile.) Merges are not readable back; views are only merged, never read
// during an apply.
//
// The operations reach the WriteBatch sorted by column family and key (a
// stable sort: one key's operations keep their order, so the result is the
// same), when batch() or Take() is called: the memtable's skip list inserts
// keys that come in order from where the last one went, where randomly keyed
// cases cost a full search each (the writer thread's largest symbol).
class OverlayBatch {
 public:
  using PendingLookup = std::function<bool(int cf, const std::string& key, std::optional<std::string>* value)>;
  OverlayBatch(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& cfs, PendingLookup pending)
      : db_(db), cfs_(cfs), pending_(std::move(pending)), write_(std::make_shared<PendingWrite>()) {}

  void Put(Cf cf, const std::string& key, const std::string& value) {
    ops_.push_back({cf, Op::kPut, key, value});
    write_->overlay[cf].insert_or_assign(key, value);
  }
  // A key no build ever reads back (a notice: written once, read by its
  // site's stream from the DB): kept only in the operation list, not in the
  // read-back map, so it takes no place in the lookups of later builds.
  void PutBlind(Cf cf, const std::string& key, const std::string& value) {
    ops_.push_back({cf, Op::kPut, key, value});
  }
  void Delete(Cf cf, const std::string& key) {
    ops_.push_back({cf, Op::kDelete, key, {}});
    write_->overlay[cf].insert_or_assign(key, std::nullopt);
  }
  void Merge(Cf cf, const std::string& key, const std::string& value) {
    ops_.push_back({cf, Op::kMerge, key, value});
  }
  // False when absent (in this batch, the queued ones, or the DB).
  absl::StatusOr<bool> Get(Cf cf, const std::string& key, std::string* value) {
    const auto& own = write_->overlay[cf];
    auto it = own.find(key);
    std::optional<std::string> queued;
    if (it != own.end()) {
      queued = it->second;
    } else if (!pending_ || !pending_(cf, key, &queued)) {
      auto s = db_->Get(rocksdb::ReadOptions(), cfs_[cf], key, value);
      if (s.IsNotFound()) return false;
      if (!s.ok()) return FromRocks(s, "read during apply");
      return true;
    }
    if (!queued) return false;
    *value = std::move(*queued);
    return true;
  }
  // The WriteBatch with every operation so far (sorted as above).
  rocksdb::WriteBatch* batch() {
    Seal();
    return &write_->batch;
  }
  std::shared_ptr<PendingWrite> Take() {
    Seal();
    return std::move(write_);
  }

 private:
  struct Op {
    Cf cf;
    enum Kind { kPut, kDelete, kMerge } kind;
    std::string key, value;
  };
  // Moves the operations recorded since the last call into the WriteBatch.
  void Seal();

  std::vector<Op> ops_;
  rocksdb::DB* db_;
  const std::vector<rocksdb::ColumnFamilyHandle*>& cfs_;
  PendingLookup pending_;
  std::shared_ptr<PendingWrite> write_;
};

// A site's state, read by `get` (from the DB, or through a build's overlay);
// NOT_FOUND when `get` finds none, DATA_LOSS when it does not parse.
absl::StatusOr<v1::SiteState> ReadSite(const std::string& site_id,
                                       const std::function<absl::StatusOr<bool>(std::string*)>& get);

// Moves one case out of (delta -1) / into (+1) the persons index and the
// unique-person count: a person counts once however many hospitals
// registered them (member count kept under "#<person>"); the persons view
// key moves in `deltas` when the person appears or disappears.
absl::Status ChangePersonMembership(OverlayBatch& wb, const std::string& person, const std::string& site,
                                    const std::string& case_id, int delta, ViewDeltas* deltas);

}  // namespace fedreg::server
