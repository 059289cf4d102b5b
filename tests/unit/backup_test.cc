// Backups (common/rocks_backup.h) of a real RocksDB store: create, list,
// verify, --keep, a corrupted file, restore (the old store moved aside), the
// in-use check; and the centre's side of a restore: a Hello carrying the
// agent's notice cursor moves a restored centre's notice counter up to it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/rocks_backup.h"
#include "common/trial_definition.h"
#include "server/centre_store.h"
#include "tests/unit/temp_dir.h"
#include "tests/unit/test_case.h"

namespace fedreg {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<rocksdb::DB> OpenDb(const std::string& path) {
  rocksdb::Options o;
  o.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  auto s = rocksdb::DB::Open(o, path, &db);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return std::unique_ptr<rocksdb::DB>(db);
}

std::string Get(rocksdb::DB* db, const std::string& key) {
  std::string v;
  return db->Get(rocksdb::ReadOptions(), key, &v).ok() ? v : "<none>";
}

TEST(RocksBackup, CreateListVerifyKeepAndRestoreMovesTheOldStoreAside) {
  testing::TempDir dir;
  const std::string db_path = dir / "store", backups = dir / "backups";
  {
    auto db = OpenDb(db_path);
    for (int i = 1; i <= 3; ++i) {
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "k", "v" + std::to_string(i)).ok());
      auto b = CreateRocksBackup(db.get(), backups, "{\"n\":" + std::to_string(i) + "}", 2);
      ASSERT_TRUE(b.ok()) << b.status();
      EXPECT_EQ(b->id, static_cast<uint32_t>(i));
      EXPECT_EQ(b->metadata, "{\"n\":" + std::to_string(i) + "}");
      EXPECT_GT(b->files, 0u);
    }
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "k", "after").ok());
  }
  EXPECT_EQ(fs::status(backups).permissions() & fs::perms::all, fs::perms::owner_all)
      << "a backup directory made by create is the owner's only";
  auto list = ListRocksBackups(backups);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 2u) << "--keep 2";
  EXPECT_EQ((*list)[0].id, 2u);
  EXPECT_EQ((*list)[1].id, 3u);
  EXPECT_TRUE(VerifyRocksBackup(backups, 0).ok());
  EXPECT_TRUE(absl::IsNotFound(VerifyRocksBackup(backups, 1).status())) << "purged";
  EXPECT_TRUE(absl::IsNotFound(ListRocksBackups(dir / "nowhere").status()));

  auto r = RestoreRocksBackup(backups, 2, db_path);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->backup.id, 2u);
  ASSERT_FALSE(r->moved_aside.empty());
  {
    auto restored = OpenDb(db_path);
    EXPECT_EQ(Get(restored.get(), "k"), "v2");
    auto aside = OpenDb(r->moved_aside);
    EXPECT_EQ(Get(aside.get(), "k"), "after") << "the store before the restore is kept, never deleted";
  }
  ASSERT_TRUE(WriteRestoreRecord(dir.path(), backups, *r).ok());
  auto record = TakeRestoreRecord(dir.path());
  ASSERT_TRUE(record.ok());
  EXPECT_NE(record->find("backup 2 taken"), std::string::npos) << *record;
  EXPECT_NE(record->find("previous store kept at " + r->moved_aside), std::string::npos) << *record;
  EXPECT_EQ(*TakeRestoreRecord(dir.path()), "") << "taken once";
}

TEST(RocksBackup, ACorruptedFileFailsVerifyNamingTheFileAndRestoreLeavesTheStore) {
  testing::TempDir dir;
  const std::string db_path = dir / "store", backups = dir / "backups";
  {
    auto db = OpenDb(db_path);
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "k" + std::to_string(i), "v").ok());
    ASSERT_TRUE(CreateRocksBackup(db.get(), backups, "", 0).ok());
  }
  std::string victim;
  for (const auto& e : fs::recursive_directory_iterator(backups))
    if (e.is_regular_file() && e.path().extension() == ".sst") victim = e.path().string();
  ASSERT_FALSE(victim.empty());
  {
    // Same size, one byte flipped: only the checksum can tell.
    std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(10);
    char c = 0;
    f.get(c);
    f.seekp(10);
    f.put(static_cast<char>(c ^ 0x5a));
  }
  auto v = VerifyRocksBackup(backups, 1);
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(absl::IsDataLoss(v.status())) << v.status();
  const std::string msg(v.status().message());
  EXPECT_NE(msg.find("backup 1 in " + backups), std::string::npos) << msg;
  EXPECT_NE(msg.find(fs::path(victim).filename().string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("Do not restore it"), std::string::npos) << msg;
  auto r = RestoreRocksBackup(backups, 1, db_path);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(fs::exists(db_path + "/CURRENT")) << "a bad backup never moves the store aside";
}

TEST(RocksBackup, ARunningDaemonsStoreIsInUse) {
  testing::TempDir dir;
  const std::string db_path = dir / "store";
  { OpenDb(db_path); }
  EXPECT_TRUE(CheckStoreNotInUse(db_path).ok());
  EXPECT_TRUE(CheckStoreNotInUse(dir / "none").ok());
  // Another process holds the store (RocksDB's own lock, in a child).
  int ready[2], done[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(done), 0);
  pid_t child = fork();
  if (child == 0) {
    rocksdb::DB* db = nullptr;
    rocksdb::Options o;
    bool ok = rocksdb::DB::Open(o, db_path, &db).ok();
    char c = ok ? '1' : '0';
    (void)!write(ready[1], &c, 1);
    (void)!read(done[0], &c, 1);
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, '1');
  auto s = CheckStoreNotInUse(db_path);
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_NE(s.message().find("stop the daemon first"), std::string::npos) << s;
  EXPECT_TRUE(absl::IsFailedPrecondition(RestoreRocksBackup(dir / "b", 0, db_path).status()));
  (void)!write(done[1], "x", 1);
  waitpid(child, nullptr, 0);
  EXPECT_TRUE(CheckStoreNotInUse(db_path).ok());
}

const char kStore[] = "0123456789abcdef0123456789abcdef";

TEST(CentreBackup, AHelloWithANoticeCursorAboveTheRestoredCounterMovesItSoNewNoticesAreTaken) {
  testing::TempDir dir;
  server::CentreStoreOptions o;
  o.path = dir / "c";
  auto store = server::CentreStore::Open(o);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->RegisterStore("ncch", kStore).ok());
  auto trial = ParseTrialDefinition(
      "trial_id: BRAF\ntitle: t\nsponsor: novartis\nstatus: open\nmatch: {genomic: {gene: BRAF, codon: V600}}\n"
      "arms: [{arm_id: A, name: a}]\n",
      "t.yaml");
  ASSERT_TRUE(trial.ok()) << trial.status();
  ASSERT_TRUE((*store)->PutTrial(*trial, server::CentreStore::TrialWrite::kAdd, "operator/admin").ok());
  ASSERT_TRUE((*store)->RunRematchNow().ok());
  // The backup is taken here, before any notice; the agent later stored up to
  // notice 7 from the centre that was lost. Hello says so.
  auto d = (*store)->Hello("ncch", kStore, 0, 0, 7);
  ASSERT_TRUE(d.ok()) << d.status();
  v1::Batch b;
  b.set_first_seq(1);
  b.set_last_seq(1);
  auto* ev = b.add_events();
  ev->set_seq(1);
  ev->set_kind(v1::CHANGE_KIND_UPSERT);
  v1::Case c = testing::ValidCase();  // BRAF p.V600E: a match, so a notice
  ev->set_case_id(c.case_id());
  *ev->mutable_case_() = c;
  ASSERT_TRUE((*store)->ApplyBatch("ncch", kStore, b).ok());
  auto notices = (*store)->WaitNotices("ncch", 7, 10, std::chrono::milliseconds(2000));
  ASSERT_TRUE(notices.ok()) << notices.status();
  ASSERT_EQ(notices->size(), 1u);
  EXPECT_EQ((*notices)[0].seq(), 8u) << "the agent at cursor 7 takes it";
  // A Hello with a lower cursor never moves the counter back.
  ASSERT_TRUE((*store)->Hello("ncch", kStore, 1, 1, 3).ok());
  auto again = (*store)->WaitNotices("ncch", 7, 10, std::chrono::milliseconds(200));
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].seq(), 8u);
}

}  // namespace
}  // namespace fedreg
