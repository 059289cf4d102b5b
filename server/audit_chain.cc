#include "server/audit_chain.h"

#include <chrono>
#include <memory>

#include "common/crypto.h"
#include "common/rocks_util.h"
#include "common/utf8.h"

namespace fedreg::server {
namespace {
std::string AuditHash(const v1::AuditEntry& entry) {
  v1::AuditEntry copy = entry;
  copy.clear_hash();
  std::string bytes;
  copy.SerializeToString(&bytes);
  return crypto::ToHex(crypto::Sha256(entry.prev_hash() + bytes));
}
}  // namespace

absl::Status AuditChain::Load(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  it->SeekToLast();
  if (it->Valid()) {
    v1::AuditEntry last;
    if (!last.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return absl::DataLossError("the last audit entry does not parse");
    seq_ = last.seq();
    head_ = last.hash();
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read the audit chain's head");
  return absl::OkStatus();
}

v1::AuditEntry AuditChain::Prepare(const AuditEvent& event) const {
  v1::AuditEntry e;
  e.set_seq(seq_ + 1);
  e.set_at_unix_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count());
  e.set_who(Utf8Prefix(event.who, 128));
  e.set_action(Utf8Prefix(event.action, 64));
  e.set_target(Utf8Prefix(event.target, 128));
  e.set_outcome(Utf8Prefix(event.outcome, 32));
  e.set_detail(Utf8Prefix(event.detail, 512));
  e.set_prev_hash(head_);
  e.set_hash(AuditHash(e));
  return e;
}

void AuditChain::Commit(const v1::AuditEntry& entry) {
  seq_ = entry.seq();
  head_ = entry.hash();
}

absl::StatusOr<std::vector<v1::AuditEntry>> AuditChain::List(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                                             uint64_t from_seq, size_t limit, uint64_t* last_seq) {
  std::vector<v1::AuditEntry> out;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  it->SeekToLast();
  *last_seq = it->Valid() ? DecodeU64(it->key().ToStringView()) : 0;
  if (from_seq == 0) from_seq = *last_seq > limit ? *last_seq - limit + 1 : 1;
  for (it->Seek(EncodeU64(from_seq)); it->Valid() && out.size() < limit; it->Next()) {
    v1::AuditEntry e;
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return absl::DataLossError("audit entry does not parse");
    out.push_back(std::move(e));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read audit");
  return out;
}

AuditVerification AuditChain::Verify(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
  AuditVerification v;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  std::string prev;
  uint64_t expect = 1;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expect) {
    uint64_t key_seq = DecodeU64(it->key().ToStringView());
    v1::AuditEntry e;
    auto fail = [&](const std::string& why) {
      v.ok = false;
      v.first_bad_seq = key_seq;
      v.reason = why;
    };
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) fail("does not parse");
    else if (key_seq != expect) fail("missing entry: expected seq " + std::to_string(expect));
    else if (e.seq() != key_seq) fail("seq field " + std::to_string(e.seq()) + " differs from its key");
    else if (e.prev_hash() != prev) fail("prev_hash does not match the hash of entry " + std::to_string(key_seq - 1));
    else if (AuditHash(e) != e.hash()) fail("content does not match its hash (entry altered)");
    if (!v.ok) return v;
    prev = e.hash();
    ++v.entries;
  }
  v.head_hash = prev;
  return v;
}

}  // namespace fedreg::server
