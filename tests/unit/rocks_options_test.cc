// common/rocks_util.h: the column family options both stores open with, as
// RocksDB applies them to the files it writes.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/table_properties.h>

#include <map>
#include <memory>
#include <string>

#include "common/rocks_util.h"
#include "tests/unit/temp_dir.h"

namespace fedreg {
namespace {

// Compression of each live table file, by the level it sits at.
std::multimap<int, std::string> CompressionByLevel(rocksdb::DB* db) {
  rocksdb::TablePropertiesCollection props;
  EXPECT_TRUE(db->GetPropertiesOfAllTables(&props).ok());
  std::vector<rocksdb::LiveFileMetaData> files;
  db->GetLiveFilesMetaData(&files);
  std::multimap<int, std::string> out;
  for (const auto& f : files) {
    for (const auto& [path, p] : props)
      if (path.size() >= f.name.size() && path.compare(path.size() - f.name.size(), f.name.size(), f.name) == 0)
        out.emplace(f.level, p->compression_name);
  }
  return out;
}

TEST(RocksOptions, FlushesWriteLevelZeroUncompressedAndCompactionsCompress) {
  testing::TempDir dir;
  rocksdb::Options options(rocksdb::DBOptions(), PointLookupCfOptions(rocksdb::NewLRUCache(1 << 20), 1 << 20));
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, dir.path(), &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  const std::string value(400, 'v');  // compressible, the size of a serialized case
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "c/" + std::to_string(i), value).ok());
  ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
  auto flushed = CompressionByLevel(db.get());
  ASSERT_EQ(flushed.size(), 1U);
  EXPECT_EQ(flushed.begin()->first, 0);
  EXPECT_EQ(flushed.begin()->second, "NoCompression");

  rocksdb::CompactRangeOptions cro;
  cro.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  ASSERT_TRUE(db->CompactRange(cro, nullptr, nullptr).ok());
  auto compacted = CompressionByLevel(db.get());
  ASSERT_FALSE(compacted.empty());
  for (const auto& [level, name] : compacted) {
    EXPECT_GE(level, 1);
    EXPECT_EQ(name, "LZ4");
  }
  std::string back;
  ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), "c/1999", &back).ok());
  EXPECT_EQ(back, value);
}

}  // namespace
}  // namespace fedreg
