// server/overlay_batch.h: a build reads back its own writes, and its
// operations reach the WriteBatch sorted by column family and key with one
// key's operations in the order they were made, so the batch written leaves
// the same state as the operations applied one by one.
#include "server/overlay_batch.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <utility>
#include <vector>

#include "tests/unit/temp_dir.h"

namespace fedreg::server {
namespace {

// A plain RocksDB with the centre's column families.
struct Db {
  explicit Db(const std::string& path) {
    rocksdb::DBOptions o;
    o.create_if_missing = true;
    o.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> descs;
    for (size_t i = 0; i < kCfCount; ++i) descs.emplace_back(kCfNames[i], rocksdb::ColumnFamilyOptions());
    rocksdb::DB* raw = nullptr;
    EXPECT_TRUE(rocksdb::DB::Open(o, path, descs, &cfs, &raw).ok());
    db.reset(raw);
  }
  ~Db() {
    for (auto* h : cfs) db->DestroyColumnFamilyHandle(h);
  }
  std::string Read(Cf cf, const std::string& key) {
    std::string v;
    auto s = db->Get(rocksdb::ReadOptions(), cfs[cf], key, &v);
    return s.IsNotFound() ? "<absent>" : v;
  }
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;
  std::unique_ptr<rocksdb::DB> db;
};

// The (column family, key, value or "<delete>") of each operation, in batch order.
struct Recorder : rocksdb::WriteBatch::Handler {
  std::vector<std::tuple<uint32_t, std::string, std::string>> ops;
  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& k, const rocksdb::Slice& v) override {
    ops.emplace_back(cf, k.ToString(), v.ToString());
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& k) override {
    ops.emplace_back(cf, k.ToString(), "<delete>");
    return rocksdb::Status::OK();
  }
};

TEST(OverlayBatch, OperationsReachTheBatchSortedWithEachKeysOrderKeptAndReadBackBeforeThat) {
  testing::TempDir dir;
  Db db(dir / "db");
  ASSERT_TRUE(db.db->Put(rocksdb::WriteOptions(), db.cfs[kCases], "m", "stored").ok());
  OverlayBatch wb(db.db.get(), db.cfs, nullptr);
  wb.Put(kCases, "z", "1");
  wb.Put(kPersons, "b", "p");
  wb.Put(kCases, "a", "1");
  wb.Delete(kCases, "z");
  wb.Put(kCases, "z", "2");  // z: put, delete, put -> "2"
  wb.Delete(kCases, "m");
  wb.Put(kCases, "a", "3");  // a: "1" then "3" -> "3"
  // Read back before the batch exists: the last operation on each key.
  std::string v;
  auto got = wb.Get(kCases, "z", &v);
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ(v, "2");
  got = wb.Get(kCases, "m", &v);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(*got) << "deleted in the batch, though stored in the DB";

  Recorder r;
  ASSERT_TRUE(wb.batch()->Iterate(&r).ok());
  const uint32_t cases = db.cfs[kCases]->GetID(), persons = db.cfs[kPersons]->GetID();
  std::vector<std::tuple<uint32_t, std::string, std::string>> want = {
      {cases, "a", "1"}, {cases, "a", "3"}, {cases, "m", "<delete>"},
      {cases, "z", "1"}, {cases, "z", "<delete>"}, {cases, "z", "2"}, {persons, "b", "p"}};
  EXPECT_EQ(r.ops, want);

  ASSERT_TRUE(db.db->Write(rocksdb::WriteOptions(), wb.batch()).ok());
  EXPECT_EQ(db.Read(kCases, "a"), "3");
  EXPECT_EQ(db.Read(kCases, "z"), "2");
  EXPECT_EQ(db.Read(kCases, "m"), "<absent>");
  EXPECT_EQ(db.Read(kPersons, "b"), "p");
}

}  // namespace
}  // namespace fedreg::server
