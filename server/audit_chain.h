// The centre's audit log: a hash chain in the `audit` column family
// (seq, big-endian u64 -> v1::AuditEntry). Each entry's hash is
// SHA-256(prev_hash || the entry serialized without its hash), hex, so
// altering, removing or reordering an entry breaks every later link
// (`fedregctl audit verify`). Entries are written in the WriteBatch of what
// they record (an apply, a snapshot) or alone, synced (CentreStore::Audit).
// Not thread-safe: the centre store calls it under its apply lock.
#pragma once

#include <rocksdb/db.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fedreg/v1/centre.pb.h"

namespace fedreg::server {

// What an audit entry records (the chain fields are filled by the store).
struct AuditEvent {
  std::string who;      // "site/ncch", "operator/admin", ...
  std::string action;   // "sync.apply", "admin.RebaseSite", ...
  std::string target;
  std::string outcome;  // "OK" or a status code name
  std::string detail;
};

struct AuditVerification {
  bool ok = true;
  uint64_t entries = 0;
  uint64_t first_bad_seq = 0;
  std::string reason;
  std::string head_hash;
};

class AuditChain {
 public:
  // Reads the chain head (the last entry) from `cf`; DATA_LOSS when it does
  // not parse.
  absl::Status Load(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf);
  // The next entry for `event`, chained to the head. Texts are cut on a
  // code-point boundary (who 128, action 64, target 128, outcome 32, detail
  // 512 bytes). The head moves only by Commit, once the entry is written.
  v1::AuditEntry Prepare(const AuditEvent& event) const;
  void Commit(const v1::AuditEntry& entry);

  // Entries from `from_seq` (0 = the last `limit`), at most `limit`;
  // *last_seq is the newest entry's seq.
  static absl::StatusOr<std::vector<v1::AuditEntry>> List(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                                          uint64_t from_seq, size_t limit, uint64_t* last_seq);
  // Recomputes every link; names the first entry that does not verify.
  static AuditVerification Verify(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf);

 private:
  uint64_t seq_ = 0;
  std::string head_;
};

}  // namespace fedreg::server
