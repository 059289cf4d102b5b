#include "agent/agent_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "agent/importer.h"
#include "common/batch_codec.h"
#include "tests/unit/temp_dir.h"
#include "tests/unit/test_case.h"

namespace fedreg::agent {
namespace {

std::unique_ptr<AgentStore> OpenStore(const std::string& path) {
  AgentStoreOptions o;
  o.path = path;
  auto s = AgentStore::Open(o);
  EXPECT_TRUE(s.ok()) << s.status();
  return std::move(*s);
}

Change Upsert(const std::string& suffix, uint64_t version = 1) {
  Change ch;
  ch.case_record = testing::ValidCase("ncch", suffix);
  ch.case_record.set_record_version(version);
  ch.new_case = version == 1;
  return ch;
}

// `n` new cases, suffixes 0000000010, 0000000011, ...
std::vector<Change> Upserts(int n) {
  std::vector<Change> many;
  for (int i = 0; i < n; ++i) many.push_back(Upsert("00000000" + std::to_string(10 + i)));
  return many;
}

TEST(AgentStore, AssignsDenseSeqsAndKeepsThemAcrossRestart) {
  testing::TempDir dir;
  std::string store_id;
  {
    auto store = OpenStore(dir / "s");
    store_id = store->store_id();
    EXPECT_EQ(store_id.size(), 32u);
    ASSERT_TRUE(store->Commit({Upsert("0000000001"), Upsert("0000000002")}, {}).ok());
    ASSERT_TRUE(store->Commit({Upsert("0000000003")}, {}).ok());
    EXPECT_EQ(store->highest_seq(), 3u);
  }
  auto store = OpenStore(dir / "s");
  EXPECT_EQ(store->store_id(), store_id);
  EXPECT_EQ(store->highest_seq(), 3u);
  EXPECT_EQ(store->case_count(), 3);
  v1::Batch batch;
  ASSERT_TRUE(store->ReadOutbox(1, 100, 1 << 20, &batch).ok());
  ASSERT_EQ(batch.events_size(), 3);
  EXPECT_EQ(batch.first_seq(), 1u);
  EXPECT_EQ(batch.last_seq(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(batch.events(i).seq(), static_cast<uint64_t>(i + 1));
}

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(AgentStore, EventsCarryTheTimeTheirOwnCommitCompleted) {
  testing::TempDir dir;
  auto store = OpenStore(dir / "s");
  const int64_t t0 = NowUs();
  ASSERT_TRUE(store->Commit({Upsert("0000000001"), Upsert("0000000002")}, {}).ok());
  const int64_t t1 = NowUs();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const int64_t t2 = NowUs();
  ASSERT_TRUE(store->Commit({Upsert("0000000003")}, {}).ok());
  const int64_t t3 = NowUs();
  v1::Batch live;
  ASSERT_TRUE(store->ReadOutbox(2, 100, 1 << 20, &live).ok());  // starts inside the first commit
  ASSERT_EQ(live.events_size(), 2);
  EXPECT_GE(live.events(0).committed_unix_us(), t0);
  EXPECT_LE(live.events(0).committed_unix_us(), t1) << "seq 2 belongs to the first commit";
  EXPECT_GE(live.events(1).committed_unix_us(), t2);
  EXPECT_LE(live.events(1).committed_unix_us(), t3);
  // After a restart only the stamp stored with the event is known: taken
  // within the same commit, never later than the completion time.
  store.reset();
  store = OpenStore(dir / "s");
  v1::Batch stored;
  ASSERT_TRUE(store->ReadOutbox(2, 100, 1 << 20, &stored).ok());
  ASSERT_EQ(stored.events_size(), 2);
  EXPECT_GE(stored.events(0).committed_unix_us(), t0);
  EXPECT_LE(stored.events(0).committed_unix_us(), live.events(0).committed_unix_us());
  EXPECT_GE(stored.events(1).committed_unix_us(), t2);
  EXPECT_LE(stored.events(1).committed_unix_us(), live.events(1).committed_unix_us());
}

TEST(AgentStore, OutboxBytesAreTheBatchReadOutboxGivesWithTheSameStampsAndLimits) {
  testing::TempDir dir;
  auto store = OpenStore(dir / "s");
  ASSERT_TRUE(store->Commit(Upserts(6), {}).ok());
  ASSERT_TRUE(store->Commit({Upsert("0000000099")}, {}).ok());
  auto same = [&](uint64_t from, size_t events, size_t bytes) {
    v1::Batch parsed, from_bytes;
    ASSERT_TRUE(store->ReadOutbox(from, events, bytes, &parsed).ok());
    AgentStore::OutboxBytes out;
    ASSERT_TRUE(store->ReadOutboxBytes(from, events, bytes, &out).ok());
    ASSERT_TRUE(from_bytes.ParseFromString(out.batch));
    EXPECT_EQ(out.events, static_cast<size_t>(parsed.events_size()));
    EXPECT_EQ(out.first_seq, parsed.first_seq());
    EXPECT_EQ(out.last_seq, parsed.last_seq());
    EXPECT_EQ(from_bytes.SerializeAsString(), parsed.SerializeAsString()) << "from " << from;
  };
  same(1, 100, 1 << 20);  // both commits, each event with its commit's completion time
  same(3, 2, 1 << 20);    // the event limit
  same(6, 100, 1);        // at least one event
  // After a restart: the stamps stored with the events.
  store.reset();
  store = OpenStore(dir / "s");
  same(1, 100, 1 << 20);
  AgentStore::OutboxBytes none;
  ASSERT_TRUE(store->ReadOutboxBytes(8, 100, 1 << 20, &none).ok());
  EXPECT_EQ(none.events, 0u);
  EXPECT_TRUE(none.batch.empty());
}

TEST(AgentStore, AReSentCaseTakesASeqButIsNotCountedTwice) {
  // Reconciliation re-queues stored cases at their own version: a new seq, the same count.
  testing::TempDir dir;
  auto store = OpenStore(dir / "s");
  ASSERT_TRUE(store->Commit({Upsert("0000000001")}, {}).ok());
  Change again = Upsert("0000000001");
  again.new_case = false;
  ASSERT_TRUE(store->Commit({again}, {}).ok());
  EXPECT_EQ(store->highest_seq(), 2u);
  EXPECT_EQ(store->case_count(), 1);
}

TEST(AgentStore, BatchesRespectEventAndByteLimits) {
  testing::TempDir dir;
  auto store = OpenStore(dir / "s");
  ASSERT_TRUE(store->Commit(Upserts(10), {}).ok());
  v1::Batch batch;
  ASSERT_TRUE(store->ReadOutbox(1, 4, 1 << 20, &batch).ok());
  EXPECT_EQ(batch.events_size(), 4);
  ASSERT_TRUE(store->ReadOutbox(5, 100, 1, &batch).ok());
  EXPECT_EQ(batch.events_size(), 1);  // at least one event, whatever the byte limit
  EXPECT_EQ(batch.first_seq(), 5u);
}

TEST(AgentStore, ABatchFilledToTheByteLimitIsWithinItOnceFramed) {
  // The centre's limit is on the serialized Batch, which frames each event:
  // a limit equal to the bare entries of n events holds fewer than n.
  testing::TempDir dir;
  auto store = OpenStore(dir / "s");
  ASSERT_TRUE(store->Commit(Upserts(10), {}).ok());
  v1::Batch all;
  ASSERT_TRUE(store->ReadOutbox(1, 100, 1 << 20, &all).ok());
  ASSERT_EQ(all.events_size(), 10);
  for (int n = 1; n <= 4; ++n) {
    size_t bare = 0;
    for (int i = 0; i < n; ++i) bare += all.events(i).ByteSizeLong();
    const size_t framed = bare + n * kBatchEventFramingBytes + kBatchRangeFramingBytes;
    for (size_t limit : {bare, framed}) {
      v1::Batch parsed;
      ASSERT_TRUE(store->ReadOutbox(1, 100, limit, &parsed).ok());
      AgentStore::OutboxBytes packed;
      ASSERT_TRUE(store->ReadOutboxBytes(1, 100, limit, &packed).ok());
      ASSERT_GE(parsed.events_size(), 1);  // at least one, whatever the limit
      ASSERT_EQ(packed.events, static_cast<size_t>(parsed.events_size()));
      if (parsed.events_size() > 1) {
        EXPECT_LE(parsed.ByteSizeLong(), limit) << n << " events, limit " << limit;
        EXPECT_LE(packed.batch.size(), limit) << n << " events, limit " << limit;
      }
      // The bare entries' sum does not fit their framing; the framed size does.
      if (limit == bare) {
        EXPECT_LT(parsed.events_size(), std::max(n, 2)) << n;
      } else {
        EXPECT_GE(parsed.events_size(), n) << n;
      }
    }
  }
}

TEST(AgentStore, AcknowledgeTrimsTheOutboxAndPersists) {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir / "s");
    ASSERT_TRUE(store->Commit({Upsert("0000000001"), Upsert("0000000002"), Upsert("0000000003")}, {}).ok());
    ASSERT_TRUE(store->Acknowledge(2, {}).ok());
    EXPECT_FALSE(store->Acknowledge(9, {}).ok());  // beyond what exists
  }
  auto store = OpenStore(dir / "s");
  EXPECT_EQ(store->acked_seq(), 2u);
  v1::Batch batch;
  ASSERT_TRUE(store->ReadOutbox(3, 100, 1 << 20, &batch).ok());
  EXPECT_EQ(batch.events_size(), 1);
  // Trimmed entries are gone: reading from 1 finds the gap.
  EXPECT_FALSE(store->ReadOutbox(1, 100, 1 << 20, &batch).ok());
}

v1::Notice MakeNotice(uint64_t seq, v1::NoticeKind kind, const std::string& case_id, const std::string& trial) {
  v1::Notice n;
  n.set_seq(seq);
  n.set_kind(kind);
  n.set_case_id(case_id);
  n.set_trial_id(trial);
  n.set_reason(kind == v1::NOTICE_KIND_NEW ? "" : "trial closed");
  n.add_arms()->set_arm_id("A");
  return n;
}

TEST(AgentStore, NoticesAreStoredOnceWithTheirCursorAndAGapIsRefused) {
  testing::TempDir dir;
  auto store = OpenStore(dir / "s");
  ASSERT_TRUE(store->Commit({Upsert("0000000001")}, {}).ok());
  const std::string id = "ncch-0000000001";
  ASSERT_TRUE(store->StoreNotices({MakeNotice(1, v1::NOTICE_KIND_NEW, id, "T1"),
                                   MakeNotice(2, v1::NOTICE_KIND_NEW, id, "T2")}).ok());
  // A replay after a reconnect changes nothing; a skipped seq is refused whole.
  ASSERT_TRUE(store->StoreNotices({MakeNotice(2, v1::NOTICE_KIND_NEW, id, "T2")}).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(store->StoreNotices({MakeNotice(4, v1::NOTICE_KIND_ENDED, id, "T1")})));
  EXPECT_EQ(store->notice_cursor(), 2u);
  ASSERT_TRUE(store->StoreNotices({MakeNotice(3, v1::NOTICE_KIND_ENDED, id, "T1")}).ok());
  auto all = store->ListNotices();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id(), 1u) << "the id is the notice that opened it";
  EXPECT_EQ((*all)[0].state(), v1::MATCH_STATE_ENDED);
  EXPECT_EQ((*all)[0].last_notice_seq(), 3u);

  // The coordinator's status: the record and one REFERRAL change in the outbox, atomically.
  const uint64_t before = store->highest_seq();
  v1::AgentNotice updated;
  auto seq = store->SetNoticeStatus(2, v1::NOTICE_STATUS_CONTACTED, "called Dr Sato", &updated);
  ASSERT_TRUE(seq.ok()) << seq.status();
  EXPECT_EQ(*seq, before + 1);
  EXPECT_EQ(updated.note(), "called Dr Sato");
  v1::Batch b;
  ASSERT_TRUE(store->ReadOutbox(*seq, 10, 1 << 20, &b).ok());
  ASSERT_EQ(b.events_size(), 1);
  EXPECT_EQ(b.events(0).kind(), v1::CHANGE_KIND_REFERRAL);
  EXPECT_EQ(b.events(0).referral().trial_id(), "T2");
  EXPECT_EQ(b.events(0).referral().status(), v1::NOTICE_STATUS_CONTACTED);
  EXPECT_EQ(b.events(0).SerializeAsString().find("Dr Sato"), std::string::npos) << "the note stays here";
  EXPECT_TRUE(absl::IsNotFound(store->SetNoticeStatus(99, v1::NOTICE_STATUS_CONTACTED, "", &updated).status()));

  // Withdrawal cancels the case's notices in the tombstone's own write.
  Change tomb;
  tomb.kind = v1::CHANGE_KIND_TOMBSTONE;
  tomb.case_id = id;
  tomb.record_version = 1;
  tomb.reason = "CONSENT_WITHDRAWN";
  ASSERT_TRUE(store->Commit({tomb}, {}).ok());
  all = store->ListNotices();
  for (const auto& n : *all) EXPECT_EQ(n.state(), v1::MATCH_STATE_CANCELLED);
  EXPECT_TRUE(absl::IsFailedPrecondition(store->SetNoticeStatus(2, v1::NOTICE_STATUS_REFERRED, "", &updated).status()));
  store.reset();
  store = OpenStore(dir / "s");
  EXPECT_EQ(store->notice_cursor(), 3u);
}

TEST(AgentStore, RecordsTheCentreRejectedAreQuarantinedAndTheStreamMovesOn) {
  testing::TempDir dir;
  auto store = OpenStore(dir / "s");
  ASSERT_TRUE(store->Commit({Upsert("0000000001"), Upsert("0000000002")}, {}).ok());
  v1::QuarantineEntry rejected;
  rejected.set_source("centre");
  rejected.set_case_id("ncch-0000000002");
  rejected.set_reason("oncotree_code: unknown OncoTree code 'X'");
  ASSERT_TRUE(store->Acknowledge(2, {rejected}).ok());
  EXPECT_EQ(store->acked_seq(), 2u);  // acknowledged: the poison record does not wedge the outbox
  EXPECT_EQ(store->rejected_count(), 1);
  EXPECT_EQ(store->quarantined_count(), 1);
  auto q = store->Quarantine(10);
  ASSERT_EQ(q->size(), 1u);
  EXPECT_EQ((*q)[0].case_id(), "ncch-0000000002");
  EXPECT_EQ((*q)[0].source(), "centre");
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenStore(dir_ / "s");
    importer_ = std::make_unique<Importer>(*store_, "ncch", SiteKeys{std::string(32, 'L'), std::string(32, 'R')});
  }
  std::string WriteCsv(const std::string& name, const std::string& rows) {
    std::string path = dir_ / name;
    std::ofstream(path) << "record_number,family_name,given_name,birth_date,sex,registration_date,oncotree_code,"
                           "vital_status,ecog\n"
                        << rows;
    return path;
  }
  testing::TempDir dir_;
  std::unique_ptr<AgentStore> store_;
  std::unique_ptr<Importer> importer_;
};

TEST_F(ImportTest, ReimportingUnchangedRowsWritesNothing) {
  auto path = WriteCsv("a.csv",
                       "N-1,山田,太郎,1961-04-02,M,2023-02-14,LMS,alive,1\n"
                       "N-2,佐藤,花子,1970-01-01,F,2023-03-01,GIST,alive,0\n");
  auto first = importer_->ImportFile(path);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->accepted, 2);
  EXPECT_EQ(store_->highest_seq(), 2u);
  auto again = importer_->ImportFile(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->unchanged, 2);
  EXPECT_EQ(again->accepted, 0);
  EXPECT_EQ(store_->highest_seq(), 2u);
}

TEST_F(ImportTest, AChangedRowBecomesAnUpdateWithTheSameCaseId) {
  ASSERT_TRUE(importer_->ImportFile(WriteCsv("a.csv", "N-1,山田,太郎,1961-04-02,M,2023-02-14,LMS,alive,1\n")).ok());
  auto before = store_->AllCases();
  ASSERT_EQ(before->size(), 1u);
  auto sum = importer_->ImportFile(WriteCsv("b.csv", "N-1,山田,太郎,1961-04-02,M,2023-02-14,LMS,alive,2\n"));
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->updated, 1);
  auto after = store_->AllCases();
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].case_id(), (*before)[0].case_id());
  EXPECT_EQ((*after)[0].record_version(), 2u);
  EXPECT_EQ((*after)[0].ecog(), 2);
  EXPECT_EQ(store_->highest_seq(), 2u);
  EXPECT_EQ(store_->case_count(), 1);
}

TEST_F(ImportTest, BadRowsAreQuarantinedWithFileLineAndField) {
  auto path = WriteCsv("a.csv",
                       "N-1,山田,太郎,1961-04-02,M,2023-02-14,LMS,alive,1\n"
                       "N-2,佐藤,花子,1970-01-01,F,2023-03-01,NOPE,alive,0\n"
                       "N-3,佐藤,花子,1970-01-01,F,2023-03-01,GIST,alive,seven\n");
  auto sum = importer_->ImportFile(path);
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->accepted, 1);
  EXPECT_EQ(sum->quarantined, 2);
  ASSERT_EQ(sum->errors.size(), 2u);
  EXPECT_EQ(sum->errors[0], path + ":3: oncotree_code: unknown OncoTree code 'NOPE' (oncotree_2025_10_03)");
  EXPECT_EQ(sum->errors[1], path + ":4: ecog: 'seven': must be an integer 0..4");
  auto q = store_->Quarantine(10);
  ASSERT_EQ(q->size(), 2u);
  EXPECT_EQ((*q)[0].line(), 3);
  EXPECT_EQ((*q)[0].raw().find("佐藤"), std::string::npos);  // the raw row is kept encrypted
  EXPECT_EQ(store_->quarantined_count(), 2);
}

TEST_F(ImportTest, WithdrawRemovesTheCaseQueuesATombstoneAndBlocksReimport) {
  auto path = WriteCsv("a.csv",
                       "N-1,山田,太郎,1961-04-02,M,2023-02-14,LMS,alive,1\n"
                       "N-2,佐藤,花子,1970-01-01,F,2023-03-01,GIST,alive,0\n");
  ASSERT_TRUE(importer_->ImportFile(path).ok());
  auto w = importer_->Withdraw("N-1", "CONSENT_WITHDRAWN");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->seq, 3u);
  EXPECT_EQ(store_->case_count(), 1);
  EXPECT_FALSE(store_->GetCase(w->case_id)->has_value());
  v1::Batch batch;
  ASSERT_TRUE(store_->ReadOutbox(3, 10, 1 << 20, &batch).ok());
  ASSERT_EQ(batch.events_size(), 1);
  EXPECT_EQ(batch.events(0).kind(), v1::CHANGE_KIND_TOMBSTONE);
  EXPECT_EQ(batch.events(0).case_id(), w->case_id);
  EXPECT_EQ(batch.events(0).record_version(), 1u);
  EXPECT_EQ(batch.events(0).reason(), "CONSENT_WITHDRAWN");
  auto again = importer_->ImportFile(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->skipped_withdrawn, 1);
  EXPECT_EQ(again->unchanged, 1);
  EXPECT_EQ(store_->highest_seq(), 3u);
  EXPECT_TRUE(absl::IsFailedPrecondition(importer_->Withdraw("N-1", "CONSENT_WITHDRAWN").status()));
  EXPECT_TRUE(absl::IsNotFound(importer_->Withdraw("N-404", "CONSENT_WITHDRAWN").status()));
}

TEST_F(ImportTest, UnreadableFileFailsTheImport) {
  EXPECT_FALSE(importer_->ImportFile(dir_ / "missing.csv").ok());
}

}  // namespace
}  // namespace fedreg::agent
