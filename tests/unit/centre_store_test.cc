#include "server/centre_store.h"

#include <gtest/gtest.h>

#include "server/views.h"
#include "tests/unit/temp_dir.h"
#include "tests/unit/test_case.h"

namespace fedreg::server {
namespace {

const std::string kStore(32, 'a');

class CentreStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CentreStoreOptions o;
    o.path = dir_ / "c";
    auto s = CentreStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->RegisterStore("ncch", kStore).ok());
  }
  static v1::Batch MakeBatch(uint64_t first, std::vector<v1::Case> cases) {
    v1::Batch b;
    b.set_first_seq(first);
    uint64_t seq = first;
    for (auto& c : cases) {
      auto* ev = b.add_events();
      ev->set_seq(seq++);
      ev->set_kind(v1::CHANGE_KIND_UPSERT);
      ev->set_case_id(c.case_id());
      ev->set_record_version(c.record_version());
      *ev->mutable_case_() = c;
    }
    b.set_last_seq(seq - 1);
    return b;
  }
  int64_t View(const std::string& dim, const std::string& value) {
    auto v = store_->ReadViews();
    auto it = v->find(dim + kViewSep + value);
    return it == v->end() ? 0 : it->second;
  }
  void ExpectViewsVerify() {
    auto stored = store_->ReadViews();
    auto recomputed = store_->RecomputeViews();
    ASSERT_TRUE(stored.ok() && recomputed.ok());
    EXPECT_EQ(*stored, *recomputed);
  }
  testing::TempDir dir_;
  std::unique_ptr<CentreStore> store_;
};

TEST_F(CentreStoreTest, ApplyingTheSameBatchTwiceCountsOnce) {
  auto batch = MakeBatch(1, {testing::ValidCase("ncch", "0000000001"), testing::ValidCase("ncch", "0000000002")});
  auto r1 = store_->ApplyBatch("ncch", kStore, batch);
  ASSERT_TRUE(r1.ok()) << r1.status();
  EXPECT_EQ(r1->applied_seq, 2u);
  auto r2 = store_->ApplyBatch("ncch", kStore, batch);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->applied_seq, 2u);
  EXPECT_EQ(View("cases", ""), 2);
  EXPECT_EQ(store_->GetSite("ncch")->cases(), 2);
  ExpectViewsVerify();
}

TEST_F(CentreStoreTest, GroupCommitMakesEveryAppliedBatchDurableAndAReplayWaitsForWhatCameBefore) {
  const uint64_t syncs_before = store_->WalSyncs();
  auto r1 = store_->ApplyBatch("ncch", kStore, MakeBatch(1, {testing::ValidCase("ncch", "0000000001")}));
  auto r2 = store_->ApplyBatch("ncch", kStore, MakeBatch(2, {testing::ValidCase("ncch", "0000000002")}));
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_LT(r1->generation, r2->generation) << "each applied write takes the next place in the commit order";
  // Visible at once, before any sync is awaited.
  EXPECT_EQ(View("cases", ""), 2);
  EXPECT_GE(store_->WaitProgress(UINT64_MAX, r2->generation, std::chrono::seconds(10)).durable, r2->generation);
  EXPECT_GT(store_->WalSyncs(), syncs_before);
  // A replay carries the newest generation: its ack as durable waits for
  // whatever was written before it.
  auto replay = store_->ApplyBatch("ncch", kStore, MakeBatch(1, {testing::ValidCase("ncch", "0000000001")}));
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->applied_seq, 2u);
  EXPECT_EQ(replay->generation, r2->generation);
}

TEST_F(CentreStoreTest, AnAppliedBatchSurvivesReopeningTheStore) {
  auto r = store_->ApplyBatch("ncch", kStore, MakeBatch(1, {testing::ValidCase("ncch", "0000000001")}));
  ASSERT_TRUE(r.ok());
  store_.reset();  // closing syncs what the group commit had not yet
  CentreStoreOptions o;
  o.path = dir_ / "c";
  auto reopened = CentreStore::Open(o);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  store_ = std::move(*reopened);
  EXPECT_EQ(store_->GetSite("ncch")->applied_seq(), 1u);
  EXPECT_EQ(View("cases", ""), 1);
}

TEST_F(CentreStoreTest, TheViewDocumentSumsManyBatchesAndSurvivesReopening) {
  // More batches than max_successive_merges, so operands are also folded on the write path.
  uint64_t seq = 1;
  for (int i = 0; i < 150; ++i) {
    v1::Case c = testing::ValidCase("ncch", "00000" + std::to_string(10000 + i % 100));
    c.set_record_version(1 + i / 100);  // the last 50 are updates of the first 50
    c.set_oncotree_code(i % 2 ? "LMS" : "GIST");
    auto r = store_->ApplyBatch("ncch", kStore, MakeBatch(seq++, {c}));
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(r->rejections.empty()) << r->rejections[0].reason();
  }
  EXPECT_EQ(View("cases", ""), 100);
  EXPECT_EQ(View("oncotree", "GIST") + View("oncotree", "LMS"), 100);
  ExpectViewsVerify();
  store_.reset();
  CentreStoreOptions o;
  o.path = dir_ / "c";
  auto reopened = CentreStore::Open(o);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  store_ = std::move(*reopened);
  EXPECT_EQ(View("cases", ""), 100);
  ExpectViewsVerify();
}

TEST_F(CentreStoreTest, BatchesQueuedBeforeEarlierOnesAreWrittenSeeThem) {
  // Queued without waiting, so later builds read earlier batches from the
  // writer's queue: every case is updated by the next batch, and all share a person.
  uint64_t seq = 1, last_gen = 0;
  for (int i = 0; i < 200; ++i) {
    v1::Case c = testing::ValidCase("ncch", "00000" + std::to_string(10000 + i / 2));
    c.set_record_version(1 + i % 2);
    c.set_oncotree_code(i % 2 ? "LMS" : "GIST");
    auto r = store_->QueueBatch("ncch", kStore, MakeBatch(seq++, {c}));
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(r->rejections.empty()) << r->rejections[0].reason();
    last_gen = r->generation;
  }
  auto p = store_->WaitProgress(last_gen, UINT64_MAX, std::chrono::seconds(30));
  ASSERT_GE(p.written, last_gen);
  EXPECT_EQ(store_->GetSite("ncch")->applied_seq(), 200u);
  EXPECT_EQ(View("cases", ""), 100);
  EXPECT_EQ(View("oncotree", "LMS"), 100) << "each case's second version replaced its first";
  EXPECT_EQ(View("oncotree", "GIST"), 0);
  EXPECT_EQ(View("persons", ""), 1);
  ExpectViewsVerify();
}

TEST_F(CentreStoreTest, RefusesAGap) {
  auto batch = MakeBatch(5, {testing::ValidCase("ncch", "0000000001")});
  EXPECT_TRUE(absl::IsOutOfRange(store_->ApplyBatch("ncch", kStore, batch).status()));
}

TEST_F(CentreStoreTest, UpdateMovesViewContributions) {
  ASSERT_TRUE(store_->ApplyBatch("ncch", kStore, MakeBatch(1, {testing::ValidCase("ncch", "0000000001")})).ok());
  EXPECT_EQ(View("oncotree", "LMS"), 1);
  EXPECT_EQ(View("gene", "BRAF"), 1);
  auto updated = testing::ValidCase("ncch", "0000000001");
  updated.set_record_version(2);
  updated.set_oncotree_code("AML");
  updated.set_tissue("Myeloid");
  updated.set_cancer_class(v1::CANCER_CLASS_HEMATOLOGIC);
  updated.mutable_tests(0)->clear_alterations();
  ASSERT_TRUE(store_->ApplyBatch("ncch", kStore, MakeBatch(2, {updated})).ok());
  EXPECT_EQ(View("oncotree", "LMS"), 0);
  EXPECT_EQ(View("oncotree", "AML"), 1);
  EXPECT_EQ(View("class", "hematologic"), 1);
  EXPECT_EQ(View("class", "solid"), 0);
  EXPECT_EQ(View("gene", "BRAF"), 0);
  EXPECT_EQ(View("cases", ""), 1);
  ExpectViewsVerify();
}

TEST_F(CentreStoreTest, AnOlderVersionNeverReplacesANewerOne) {
  auto v2 = testing::ValidCase("ncch", "0000000001");
  v2.set_record_version(2);
  v2.set_ecog(3);
  auto v1c = testing::ValidCase("ncch", "0000000001");
  ASSERT_TRUE(store_->ApplyBatch("ncch", kStore, MakeBatch(1, {v2, v1c})).ok());
  auto cases = store_->Cases("ncch");
  ASSERT_EQ(cases->size(), 1u);
  EXPECT_EQ((*cases)[0].record_version(), 2u);
}

TEST_F(CentreStoreTest, InvalidRecordIsRejectedAloneAndTheBatchApplies) {
  auto bad = testing::ValidCase("ncch", "0000000002");
  bad.set_oncotree_code("NOPE");
  auto other_site = testing::ValidCase("kyoto", "0000000003");
  auto r = store_->ApplyBatch("ncch", kStore,
                              MakeBatch(1, {testing::ValidCase("ncch", "0000000001"), bad, other_site}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->applied_seq, 3u);
  ASSERT_EQ(r->rejections.size(), 2u);
  EXPECT_EQ(r->rejections[0].seq(), 2u);
  EXPECT_EQ(r->rejections[1].seq(), 3u);
  EXPECT_EQ(View("cases", ""), 1);
}

TEST_F(CentreStoreTest, CountsOnePersonRegisteredAtTwoHospitals) {
  const std::string kyoto_store(32, 'b');
  ASSERT_TRUE(store_->RegisterStore("kyoto", kyoto_store).ok());
  ASSERT_TRUE(store_->ApplyBatch("ncch", kStore, MakeBatch(1, {testing::ValidCase("ncch", "0000000001")})).ok());
  ASSERT_TRUE(
      store_->ApplyBatch("kyoto", kyoto_store, MakeBatch(1, {testing::ValidCase("kyoto", "0000000009")})).ok());
  EXPECT_EQ(View("cases", ""), 2);
  EXPECT_EQ(View("persons", ""), 1);
  ExpectViewsVerify();
}

TEST_F(CentreStoreTest, TombstonePurgesAndBlocksResurrection) {
  ASSERT_TRUE(store_->ApplyBatch("ncch", kStore, MakeBatch(1, {testing::ValidCase("ncch", "0000000001")})).ok());
  v1::Batch tomb;
  tomb.set_first_seq(2);
  tomb.set_last_seq(2);
  auto* ev = tomb.add_events();
  ev->set_seq(2);
  ev->set_kind(v1::CHANGE_KIND_TOMBSTONE);
  ev->set_case_id("ncch-0000000001");
  ev->set_record_version(1);
  ev->set_reason("CONSENT_WITHDRAWN");
  ASSERT_TRUE(store_->ApplyBatch("ncch", kStore, tomb).ok());
  EXPECT_EQ(View("cases", ""), 0);
  EXPECT_EQ(View("persons", ""), 0);
  // A late upsert of a newer version does not bring it back.
  auto late = testing::ValidCase("ncch", "0000000001");
  late.set_record_version(5);
  ASSERT_TRUE(store_->ApplyBatch("ncch", kStore, MakeBatch(3, {late})).ok());
  EXPECT_TRUE(store_->Cases("ncch")->empty());
  EXPECT_TRUE(*store_->IsTombstoned("ncch", "ncch-0000000001"));
  ExpectViewsVerify();
}

TEST_F(CentreStoreTest, AnEventWhoseCaseIdDiffersFromItsCaseIsRejectedNamingBoth) {
  auto batch = MakeBatch(1, {testing::ValidCase("ncch", "0000000001")});
  batch.mutable_events(0)->set_case_id("ncch-0000000002");
  auto r = store_->ApplyBatch("ncch", kStore, batch);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->rejections.size(), 1u);
  EXPECT_NE(r->rejections[0].reason().find("differs from the case's own"), std::string::npos) << r->rejections[0].reason();
}

TEST(CentreStoreOpen, ATinyWriteBudgetDoesNotStallTheFirstWrite) {
  // Regression (batch-apply fuzzer): a 4 MiB budget over 8 column families hung the first Put.
  testing::TempDir dir;
  CentreStoreOptions o;
  o.path = dir / "c";
  o.write_buffer_budget_bytes = 4 << 20;
  auto s = CentreStore::Open(o);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE((*s)->RegisterStore("ncch", kStore).ok());
}

TEST_F(CentreStoreTest, ANewStoreIdForAKnownSiteIsRefused) {
  ASSERT_TRUE(store_->ApplyBatch("ncch", kStore, MakeBatch(1, {testing::ValidCase("ncch", "0000000001")})).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(store_->RegisterStore("ncch", std::string(32, 'c')).status()));
}

}  // namespace
}  // namespace fedreg::server
