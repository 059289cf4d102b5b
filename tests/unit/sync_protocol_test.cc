// One test per row of the state table in docs/protocol.md: each Sync RPC in
// each state of a site at the centre, with the status code, the message and
// the audit entry the centre answers with. Real CentreStore and
// SyncServiceImpl, called in process (tests/unit/in_process_centre.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "common/grpc_status.h"
#include "common/utf8.h"
#include "server/site_protocol.h"
#include "common/batch_codec.h"
#include "tests/unit/in_process_centre.h"
#include "tests/unit/temp_dir.h"
#include "tests/unit/test_case.h"

namespace fedreg::server {
namespace {

using ::testing::HasSubstr;
using testing::InProcessCentre;

const std::string kStoreA(32, 'a');
const std::string kStoreB(32, 'b');

v1::HelloRequest HelloOf(const std::string& site, const std::string& store, uint64_t highest = 0,
                         uint64_t acked = 0) {
  v1::HelloRequest h;
  h.set_site_id(site);
  h.set_store_id(store);
  h.set_highest_seq(highest);
  h.set_acked_seq(acked);
  return h;
}

// A batch of `n` new cases from seq `first` (case suffixes from `first`).
v1::PushRequest BatchOf(const std::string& site, const std::string& store, uint64_t first, int n) {
  v1::PushRequest req;
  req.set_site_id(site);
  req.set_store_id(store);
  auto* b = req.mutable_batch();
  b->set_first_seq(first);
  b->set_last_seq(first + static_cast<uint64_t>(n) - 1);
  for (int i = 0; i < n; ++i) {
    char suffix[16];
    std::snprintf(suffix, sizeof(suffix), "%010llu", static_cast<unsigned long long>(first + i));
    auto* ev = b->add_events();
    ev->set_seq(first + static_cast<uint64_t>(i));
    ev->set_kind(v1::CHANGE_KIND_UPSERT);
    *ev->mutable_case_() = testing::ValidCase(site, suffix);
    ev->set_case_id(ev->case_().case_id());
  }
  return req;
}

v1::SnapshotChunk ChunkOf(const std::string& site, const std::string& store, uint64_t as_of, bool begin, bool end,
                          int cases = 1) {
  v1::SnapshotChunk c;
  c.set_site_id(site);
  c.set_store_id(store);
  c.set_as_of_seq(as_of);
  c.set_begin(begin);
  c.set_end(end);
  for (int i = 0; i < cases; ++i) *c.add_cases() = testing::ValidCase(site, "90000000" + std::to_string(10 + i));
  return c;
}

// One Push message that the centre must refuse with `code`.
struct RefusedPush {
  const char* what;
  v1::PushRequest req;
  grpc::StatusCode code;
};

class SyncProtocolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    centre_ = InProcessCentre::Open(dir_ / "centre");
    ASSERT_NE(centre_, nullptr);
    centre_->As(testing::Site("ncch"));
  }
  // The last audit entry (what the centre recorded about the last call).
  v1::AuditEntry LastAudit() {
    uint64_t last = 0;
    auto entries = centre_->store().ListAudit(0, 1, &last);
    EXPECT_TRUE(entries.ok());
    return entries.ok() && !entries->empty() ? entries->back() : v1::AuditEntry();
  }
  void ExpectAudited(const std::string& action, grpc::StatusCode code) {
    v1::AuditEntry e = LastAudit();
    EXPECT_EQ(e.who(), "site/ncch");
    EXPECT_EQ(e.action(), action);
    EXPECT_EQ(e.outcome(), StatusCodeName(code));
  }
  v1::SiteState Site() {
    auto st = centre_->store().GetSite("ncch");
    EXPECT_TRUE(st.ok()) << st.status();
    return st.ok() ? *st : v1::SiteState();
  }
  // Each message in a Push call of its own: refused with its code, audited.
  void ExpectEachRefused(const std::vector<RefusedPush>& rows) {
    for (const auto& row : rows) {
      grpc::Status s = centre_->Push({row.req});
      EXPECT_EQ(s.error_code(), row.code) << row.what << ": " << s.error_message();
      ExpectAudited("sync.Push", row.code);
    }
  }
  // Registered with store A, `n` cases applied.
  void Streamed(int n) {
    ASSERT_TRUE(centre_->Hello(HelloOf("ncch", kStoreA)).ok());
    if (n > 0) {
      std::vector<v1::PushAck> acks;
      ASSERT_TRUE(centre_->Push({BatchOf("ncch", kStoreA, 1, n)}, &acks).ok());
      ASSERT_FALSE(acks.empty());
    }
  }
  // The centre restarted with other limits (sessions gone).
  void ReopenWith(const SyncLimits& limits) {
    centre_.reset();
    centre_ = InProcessCentre::Open(dir_ / "centre", limits);
    ASSERT_NE(centre_, nullptr);
    centre_->As(testing::Site("ncch"));
  }
  // A fresh service over the same store: the centre restarted (sessions gone).
  void RestartCentre() {
    centre_.reset();
    centre_ = InProcessCentre::Open(dir_ / "centre");
    ASSERT_NE(centre_, nullptr);
    centre_->As(testing::Site("ncch"));
  }

  testing::TempDir dir_;
  std::unique_ptr<InProcessCentre> centre_;
};

// --- the reproduction of issue 9 -------------------------------------------

TEST_F(SyncProtocolTest, PushBeforeHelloIsRefusedWithFailedPreconditionAndAudited) {
  std::vector<v1::PushAck> acks;
  grpc::Status s = centre_->Push({BatchOf("ncch", kStoreA, 1, 2)}, &acks);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("call Hello first"));
  EXPECT_TRUE(acks.empty());
  ExpectAudited("sync.Push", grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::IsNotFound(centre_->store().GetSite("ncch").status())) << "nothing was registered";
}

// --- Hello -----------------------------------------------------------------

TEST_F(SyncProtocolTest, HelloFromAnUnknownSiteRegistersItsStore) {
  v1::HelloResponse r;
  ASSERT_TRUE(centre_->Hello(HelloOf("ncch", kStoreA), &r).ok());
  EXPECT_EQ(r.applied_seq(), 0u);
  EXPECT_FALSE(r.snapshot_required());
  EXPECT_EQ(Site().store_id(), kStoreA);
}

TEST_F(SyncProtocolTest, HelloOfAnAcknowledgedAgentAtACentreThatNeverHeardOfTheSiteAsksForASnapshot) {
  // A centre restored from a backup taken before the site's first Hello: the
  // agent's outbox is trimmed up to 4, only a snapshot can bring its cases.
  v1::HelloResponse r;
  ASSERT_TRUE(centre_->Hello(HelloOf("ncch", kStoreA, 4, 4), &r).ok());
  EXPECT_EQ(r.applied_seq(), 0u);
  EXPECT_TRUE(r.snapshot_required());
  EXPECT_TRUE(Site().snapshot_pending());
}

TEST_F(SyncProtocolTest, HelloOfTheRegisteredStoreAnswersItsAppliedSeq) {
  Streamed(3);
  v1::HelloResponse r;
  ASSERT_TRUE(centre_->Hello(HelloOf("ncch", kStoreA, 3, 3), &r).ok());
  EXPECT_EQ(r.applied_seq(), 3u);
  EXPECT_FALSE(r.snapshot_required());
}

TEST_F(SyncProtocolTest, HelloOfAStoreThatLostDataIsRefusedUntilRebase) {
  Streamed(3);
  grpc::Status s = centre_->Hello(HelloOf("ncch", kStoreA, 1, 1));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("fedregctl sites rebase ncch"));
  ExpectAudited("sync.Hello", grpc::StatusCode::FAILED_PRECONDITION);
  // The refused Hello ended the session: the store may not push on the old one.
  EXPECT_EQ(centre_->Push({BatchOf("ncch", kStoreA, 4, 1)}).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(SyncProtocolTest, HelloOfANewStoreForASiteWithDataIsARefusedStore) {
  Streamed(2);
  grpc::Status s = centre_->Hello(HelloOf("ncch", kStoreB));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("fedregctl sites rebase ncch"));
  ExpectAudited("sync.Hello", grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Site().store_id(), kStoreA) << "the refused store is not registered";
  EXPECT_EQ(Site().identity_refusals(), 1);
}

TEST_F(SyncProtocolTest, HelloOfANewStoreForASiteWithoutDataFollowsTheNewStore) {
  Streamed(0);
  ASSERT_TRUE(centre_->Hello(HelloOf("ncch", kStoreB)).ok());
  EXPECT_EQ(Site().store_id(), kStoreB);
}

TEST_F(SyncProtocolTest, HelloOfANewStoreAfterRebaseAsksForASnapshot) {
  Streamed(2);
  ASSERT_TRUE(centre_->store().AllowRebase("ncch").ok());
  v1::HelloResponse r;
  ASSERT_TRUE(centre_->Hello(HelloOf("ncch", kStoreB), &r).ok());
  EXPECT_TRUE(r.snapshot_required());
  EXPECT_TRUE(Site().snapshot_pending());
  EXPECT_FALSE(Site().rebase_allowed());
}

TEST_F(SyncProtocolTest, HelloWhileASnapshotIsPendingAsksForItAgain) {
  Streamed(2);
  ASSERT_TRUE(centre_->store().AllowRebase("ncch").ok());
  ASSERT_TRUE(centre_->Hello(HelloOf("ncch", kStoreB)).ok());
  v1::HelloResponse r;
  ASSERT_TRUE(centre_->Hello(HelloOf("ncch", kStoreB), &r).ok());
  EXPECT_TRUE(r.snapshot_required());
}

TEST_F(SyncProtocolTest, HelloFromAnAgentAcknowledgedBeyondTheCentreAsksForASnapshot) {
  Streamed(2);  // a centre restored from an older backup holds 2; the agent was acknowledged 5
  v1::HelloResponse r;
  ASSERT_TRUE(centre_->Hello(HelloOf("ncch", kStoreA, 5, 5), &r).ok());
  EXPECT_TRUE(r.snapshot_required());
}

TEST_F(SyncProtocolTest, HelloWithAMalformedStoreIdIsInvalidArgument) {
  for (const std::string& bad : {std::string(), std::string(31, 'a'), std::string(32, 'A'), std::string(32, 'g'),
                                 std::string("\xff\xfe") + std::string(30, 'a')}) {
    grpc::Status s = centre_->Hello(HelloOf("ncch", bad));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_TRUE(IsValidUtf8(s.error_message())) << "the message quoting the value stays valid UTF-8";
    ExpectAudited("sync.Hello", grpc::StatusCode::INVALID_ARGUMENT);
  }
}

TEST_F(SyncProtocolTest, HelloNamingAnotherSiteIsPermissionDenied) {
  EXPECT_EQ(centre_->Hello(HelloOf("kyoto", kStoreA)).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ExpectAudited("sync.Hello", grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(SyncProtocolTest, EverySyncRpcFromANonSiteRoleIsPermissionDenied) {
  for (const auto& who : {testing::Operator(), testing::Sponsor(), testing::Auditor()}) {
    centre_->As(who);
    EXPECT_EQ(centre_->Hello(HelloOf("ncch", kStoreA)).error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(centre_->Push({BatchOf("ncch", kStoreA, 1, 1)}).error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(centre_->Snapshot({ChunkOf("ncch", kStoreA, 1, true, true)}).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  centre_->Unauthenticated();
  EXPECT_EQ(centre_->Hello(HelloOf("ncch", kStoreA)).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(absl::IsNotFound(centre_->store().GetSite("ncch").status()));
}

// --- Push ------------------------------------------------------------------

TEST_F(SyncProtocolTest, PushAfterHelloAppliesAndAcknowledges) {
  Streamed(0);
  std::vector<v1::PushAck> acks;
  ASSERT_TRUE(centre_->Push({BatchOf("ncch", kStoreA, 1, 3), BatchOf("ncch", kStoreA, 4, 2)}, &acks).ok());
  ASSERT_FALSE(acks.empty());
  uint64_t applied = 0, durable = 0;
  for (const auto& a : acks) {
    applied = std::max(applied, a.applied_seq());
    durable = std::max(durable, a.durable_seq());
  }
  EXPECT_EQ(applied, 5u);
  EXPECT_EQ(durable, 5u);
  EXPECT_EQ(Site().cases(), 5);
}

TEST_F(SyncProtocolTest, PushOfARegisteredStoreAfterACentreRestartNeedsAHelloFirst) {
  Streamed(2);
  RestartCentre();
  grpc::Status s = centre_->Push({BatchOf("ncch", kStoreA, 3, 1)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("has not said Hello since the centre started"));
  ExpectAudited("sync.Push", grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(centre_->Hello(HelloOf("ncch", kStoreA, 2, 2)).ok());
  EXPECT_TRUE(centre_->Push({BatchOf("ncch", kStoreA, 3, 1)}).ok());
  EXPECT_EQ(Site().applied_seq(), 3u);
}

TEST_F(SyncProtocolTest, PushFromARefusedStoreIsFailedPrecondition) {
  Streamed(2);
  ASSERT_FALSE(centre_->Hello(HelloOf("ncch", kStoreB)).ok());
  grpc::Status s = centre_->Push({BatchOf("ncch", kStoreB, 1, 1)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("not the store registered"));
  EXPECT_THAT(s.error_message(), HasSubstr("sites rebase ncch"));
  ExpectAudited("sync.Push", grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Site().applied_seq(), 2u);
}

TEST_F(SyncProtocolTest, PushWhileASnapshotIsPendingIsFailedPrecondition) {
  Streamed(2);
  ASSERT_TRUE(centre_->store().AllowRebase("ncch").ok());
  ASSERT_TRUE(centre_->Hello(HelloOf("ncch", kStoreB)).ok());
  grpc::Status s = centre_->Push({BatchOf("ncch", kStoreB, 1, 1)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("must send the snapshot"));
  ExpectAudited("sync.Push", grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(SyncProtocolTest, PushWhileAnotherStoreStreamsIsAlreadyExistsAndTheStreamGoesOn) {
  Streamed(0);
  // Store A's stream stays open (its script is not closed).
  grpc::ServerContext ctx;
  InProcessCentre::PushStream open({}, /*closed=*/false);
  std::thread a([&] { EXPECT_TRUE(centre_->sync().HandlePush(&ctx, &open).ok()); });
  open.Add(BatchOf("ncch", kStoreA, 1, 1));
  ASSERT_TRUE(open.WaitWritten(1, std::chrono::seconds(10)));
  // Store B (a second agent with the same certificate) is refused at Hello and Push.
  EXPECT_EQ(centre_->Hello(HelloOf("ncch", kStoreB)).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  ExpectAudited("sync.Hello", grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(centre_->Push({BatchOf("ncch", kStoreB, 1, 1)}).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  ExpectAudited("sync.Push", grpc::StatusCode::ALREADY_EXISTS);
  // Store A's stream goes on.
  open.Add(BatchOf("ncch", kStoreA, 2, 1));
  open.Close();
  a.join();
  EXPECT_EQ(Site().applied_seq(), 2u);
  EXPECT_EQ(Site().store_id(), kStoreA);
}

TEST_F(SyncProtocolTest, PushWithAGapIsOutOfRangeAndEarlierBatchesStand) {
  Streamed(0);
  grpc::Status s = centre_->Push({BatchOf("ncch", kStoreA, 1, 2), BatchOf("ncch", kStoreA, 5, 1)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  ExpectAudited("sync.Push", grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(Site().applied_seq(), 2u);
}

TEST_F(SyncProtocolTest, PushOfAReplayIsAcknowledgedWithoutApplyingTwice) {
  Streamed(3);
  // Stamped events, as an agent sends them: a replay is never written, so
  // neither freshness nor arrival counts it; a new batch counts in both.
  auto stamped = [](v1::PushRequest r) {
    const int64_t now_us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    for (auto& ev : *r.mutable_batch()->mutable_events()) ev.set_committed_unix_us(now_us - 1000);
    return r;
  };
  const SyncMetrics& m = centre_->sync().metrics();
  auto counted = [](const std::atomic<int64_t>* buckets) {
    int64_t n = 0;
    for (int i = 0; i <= SyncMetrics::kFreshBuckets; ++i) n += buckets[i].load();
    return n;
  };
  std::vector<v1::PushAck> acks;
  ASSERT_TRUE(centre_->Push({stamped(BatchOf("ncch", kStoreA, 1, 3))}, &acks).ok());
  ASSERT_FALSE(acks.empty());
  EXPECT_EQ(acks.back().applied_seq(), 3u);
  EXPECT_EQ(Site().cases(), 3);
  EXPECT_EQ(counted(m.arrive_bucket), 0);
  EXPECT_EQ(counted(m.fresh_bucket), 0);
  ASSERT_TRUE(centre_->Push({stamped(BatchOf("ncch", kStoreA, 4, 2))}, &acks).ok());
  centre_->store().WaitQueueDrained();
  EXPECT_EQ(counted(m.arrive_bucket), 2);
  EXPECT_EQ(counted(m.fresh_bucket), 2);
  EXPECT_LE(m.arrive_us_sum.load(), m.fresh_us_sum.load());
  EXPECT_GE(m.arrive_us_sum.load(), 2 * 1000);  // each received at least 1 ms after its stamp
}

TEST_F(SyncProtocolTest, PushMessagesThatAreMalformedAreRefusedEach) {
  Streamed(0);
  std::vector<RefusedPush> rows;
  rows.push_back({"no batch", [] {
                    v1::PushRequest r;
                    r.set_site_id("ncch");
                    r.set_store_id(kStoreA);
                    return r;
                  }(),
                  grpc::StatusCode::INVALID_ARGUMENT});
  rows.push_back({"range disagrees with events", [] {
                    auto r = BatchOf("ncch", kStoreA, 1, 2);
                    r.mutable_batch()->set_last_seq(7);
                    return r;
                  }(),
                  grpc::StatusCode::INVALID_ARGUMENT});
  rows.push_back({"event seqs not dense", [] {
                    auto r = BatchOf("ncch", kStoreA, 1, 2);
                    r.mutable_batch()->mutable_events(1)->set_seq(9);
                    return r;
                  }(),
                  grpc::StatusCode::INVALID_ARGUMENT});
  rows.push_back({"last before first", [] {
                    auto r = BatchOf("ncch", kStoreA, 1, 1);
                    r.mutable_batch()->set_first_seq(5);
                    r.mutable_batch()->set_last_seq(4);
                    return r;
                  }(),
                  grpc::StatusCode::INVALID_ARGUMENT});
  rows.push_back({"names another site", BatchOf("kyoto", kStoreA, 1, 1), grpc::StatusCode::PERMISSION_DENIED});
  rows.push_back({"empty store id", BatchOf("ncch", "", 1, 1), grpc::StatusCode::INVALID_ARGUMENT});
  ExpectEachRefused(rows);
  EXPECT_EQ(Site().applied_seq(), 0u);
  EXPECT_EQ(Site().cases(), 0);
}

TEST_F(SyncProtocolTest, PushChangingStoreMidStreamIsRefusedAfterTheFirstBatchStands) {
  Streamed(0);
  grpc::Status s = centre_->Push({BatchOf("ncch", kStoreA, 1, 1), BatchOf("ncch", kStoreB, 2, 1)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("carries one store"));
  EXPECT_EQ(Site().applied_seq(), 1u);
}

TEST_F(SyncProtocolTest, PushAboveTheLimitsGivenAtHelloIsResourceExhausted) {
  Streamed(0);
  SyncLimits small;
  small.max_batch_events = 2;
  ASSERT_NO_FATAL_FAILURE(ReopenWith(small));
  ASSERT_TRUE(centre_->Hello(HelloOf("ncch", kStoreA)).ok());
  EXPECT_EQ(centre_->Push({BatchOf("ncch", kStoreA, 1, 3)}).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  ExpectAudited("sync.Push", grpc::StatusCode::RESOURCE_EXHAUSTED);
}

// --- Packed batches (PushRequest.packed_batch, common/batch_codec.h) ----------

// `req`'s batch moved into packed_batch, as a 0.4.0 agent sends it.
v1::PushRequest Packed(v1::PushRequest req) {
  BatchPacker packer;
  EXPECT_TRUE(packer.Pack(req.batch().SerializeAsString(), req.mutable_packed_batch()).ok());
  req.set_codec(v1::BATCH_CODEC_ZSTD);
  req.clear_batch();
  return req;
}

TEST_F(SyncProtocolTest, HelloOffersZstdAndPackedBatchesApplyAsTheirBatches) {
  v1::HelloResponse r;
  ASSERT_TRUE(centre_->Hello(HelloOf("ncch", kStoreA), &r).ok());
  ASSERT_EQ(r.batch_codecs_size(), 1);
  EXPECT_EQ(r.batch_codecs(0), v1::BATCH_CODEC_ZSTD);
  std::vector<v1::PushAck> acks;
  // Packed and unpacked batches may follow each other on one stream.
  ASSERT_TRUE(centre_->Push({Packed(BatchOf("ncch", kStoreA, 1, 3)), BatchOf("ncch", kStoreA, 4, 1),
                             Packed(BatchOf("ncch", kStoreA, 5, 2))},
                            &acks)
                  .ok());
  ASSERT_FALSE(acks.empty());
  EXPECT_EQ(acks.back().durable_seq(), 6u);
  EXPECT_EQ(Site().cases(), 6);
  auto stored = centre_->store().Cases("ncch");
  ASSERT_TRUE(stored.ok()) << stored.status();
  const v1::Case sent = BatchOf("ncch", kStoreA, 5, 1).batch().events(0).case_();
  auto it = std::find_if(stored->begin(), stored->end(),
                         [&](const v1::Case& c) { return c.case_id() == sent.case_id(); });
  ASSERT_NE(it, stored->end());
  EXPECT_EQ(it->SerializeAsString(), sent.SerializeAsString()) << "the case as the packed batch carried it";
  EXPECT_EQ(centre_->sync().metrics().packed_batches.load(), 2);
  EXPECT_EQ(centre_->sync().metrics().batches.load(), 3);
}

TEST_F(SyncProtocolTest, PackedBatchesThatAreMalformedOrTooLargeAreRefusedEach) {
  Streamed(0);
  std::vector<RefusedPush> rows;
  rows.push_back({"not zstd", [] {
                    auto r = Packed(BatchOf("ncch", kStoreA, 1, 2));
                    r.set_packed_batch("plain bytes");
                    return r;
                  }(),
                  grpc::StatusCode::INVALID_ARGUMENT});
  rows.push_back({"unknown codec", [] {
                    auto r = Packed(BatchOf("ncch", kStoreA, 1, 2));
                    r.set_codec(static_cast<v1::BatchCodec>(9));
                    return r;
                  }(),
                  grpc::StatusCode::INVALID_ARGUMENT});
  rows.push_back({"events not dense, once unpacked", [] {
                    auto r = BatchOf("ncch", kStoreA, 1, 2);
                    r.mutable_batch()->mutable_events(1)->set_seq(9);
                    return Packed(r);
                  }(),
                  grpc::StatusCode::INVALID_ARGUMENT});
  ExpectEachRefused(rows);
  // Above the byte limit once unpacked, however small on the wire.
  SyncLimits small;
  small.max_batch_bytes = 512;
  ASSERT_NO_FATAL_FAILURE(ReopenWith(small));
  ASSERT_TRUE(centre_->Hello(HelloOf("ncch", kStoreA)).ok());
  auto big = Packed(BatchOf("ncch", kStoreA, 1, 3));
  ASSERT_LT(big.packed_batch().size(), 512u + 64);
  grpc::Status s = centre_->Push({big});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("above the limit"));
  EXPECT_EQ(Site().applied_seq(), 0u);
  EXPECT_EQ(Site().cases(), 0);
}

TEST_F(SyncProtocolTest, ACentreNotOfferingPackedBatchesOffersNoCodecAndRefusesThem) {
  SyncLimits old;
  old.packed_batches = false;  // answers as a centre before 0.4.0
  ASSERT_NO_FATAL_FAILURE(ReopenWith(old));
  v1::HelloResponse r;
  ASSERT_TRUE(centre_->Hello(HelloOf("ncch", kStoreA), &r).ok());
  EXPECT_EQ(r.batch_codecs_size(), 0);
  grpc::Status s = centre_->Push({Packed(BatchOf("ncch", kStoreA, 1, 2))});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("did not offer packed batches"));
  EXPECT_EQ(Site().cases(), 0);
}

// --- Snapshot --------------------------------------------------------------

// Streamed, then a new store allowed by an operator: a snapshot is pending.
class SnapshotStateTest : public SyncProtocolTest {
 protected:
  void SetUp() override {
    SyncProtocolTest::SetUp();
    Streamed(2);
    ASSERT_TRUE(centre_->store().AllowRebase("ncch").ok());
    v1::HelloResponse r;
    ASSERT_TRUE(centre_->Hello(HelloOf("ncch", kStoreB), &r).ok());
    ASSERT_TRUE(r.snapshot_required());
  }
};

TEST_F(SyncProtocolTest, SnapshotFromAnUnknownSiteNeedsAHelloFirst) {
  grpc::Status s = centre_->Snapshot({ChunkOf("ncch", kStoreA, 1, true, true)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("call Hello first"));
  ExpectAudited("sync.Snapshot", grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(SyncProtocolTest, SnapshotThatWasNotAskedForIsFailedPrecondition) {
  Streamed(2);
  grpc::Status s = centre_->Snapshot({ChunkOf("ncch", kStoreA, 2, true, true)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("no snapshot was asked"));
  ExpectAudited("sync.Snapshot", grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Site().cases(), 2);
}

TEST_F(SnapshotStateTest, SnapshotFromAnotherStoreThanHelloRegisteredIsFailedPrecondition) {
  EXPECT_EQ(centre_->Snapshot({ChunkOf("ncch", kStoreA, 1, true, true)}).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(Site().snapshot_pending());
}

TEST_F(SnapshotStateTest, SnapshotWithoutBeginIsInvalidArgument) {
  EXPECT_EQ(centre_->Snapshot({ChunkOf("ncch", kStoreB, 1, false, true)}).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  ExpectAudited("sync.Snapshot", grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Site().cases(), 2);
}

TEST_F(SnapshotStateTest, EmptySnapshotCallIsInvalidArgument) {
  EXPECT_EQ(centre_->Snapshot({}).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ExpectAudited("sync.Snapshot", grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(SnapshotStateTest, SnapshotBeginWithoutEndIsAbortedAndReplacesNothing) {
  grpc::Status s = centre_->Snapshot({ChunkOf("ncch", kStoreB, 1, true, false, 3)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_THAT(s.error_message(), HasSubstr("nothing was replaced"));
  ExpectAudited("sync.Snapshot", grpc::StatusCode::ABORTED);
  EXPECT_EQ(Site().cases(), 2);
  EXPECT_TRUE(Site().snapshot_pending()) << "the agent sends it again";
}

TEST_F(SnapshotStateTest, SnapshotWithASecondBeginIsInvalidArgument) {
  EXPECT_EQ(centre_->Snapshot({ChunkOf("ncch", kStoreB, 1, true, false), ChunkOf("ncch", kStoreB, 1, true, true)})
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Site().cases(), 2);
}

TEST_F(SnapshotStateTest, SnapshotChunkForAnotherSiteIsRefused) {
  EXPECT_EQ(centre_->Snapshot({ChunkOf("kyoto", kStoreB, 1, true, true)}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ExpectAudited("sync.Snapshot", grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(centre_->Snapshot({ChunkOf("ncch", kStoreB, 1, true, false), ChunkOf("kyoto", kStoreB, 1, false, true)})
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Site().cases(), 2);
}

TEST_F(SnapshotStateTest, SnapshotBeginToEndSwapsTheCasesAndPushFollows) {
  v1::SnapshotAck ack;
  ASSERT_TRUE(centre_->Snapshot({ChunkOf("ncch", kStoreB, 7, true, false, 2), ChunkOf("ncch", kStoreB, 7, false, true, 0)},
                                &ack)
                  .ok());
  EXPECT_EQ(ack.applied_seq(), 7u);
  EXPECT_EQ(ack.cases(), 2);
  EXPECT_EQ(ack.removed(), 2);
  EXPECT_FALSE(Site().snapshot_pending());
  EXPECT_TRUE(centre_->Push({BatchOf("ncch", kStoreB, 8, 1)}).ok());
  EXPECT_EQ(Site().applied_seq(), 8u);
  auto stored = centre_->store().ReadViews();
  auto recomputed = centre_->store().RecomputeViews();
  ASSERT_TRUE(stored.ok() && recomputed.ok());
  EXPECT_EQ(*stored, *recomputed);
}

// --- CaseVersions and ReportReconcile --------------------------------------

v1::CaseVersionsRequest VersionsOf(const std::string& site, const std::string& store) {
  v1::CaseVersionsRequest r;
  r.set_site_id(site);
  r.set_store_id(store);
  return r;
}

v1::ReconcileReport ReportOf(const std::string& site, const std::string& store, int ids = 0) {
  v1::ReconcileReport r;
  r.set_site_id(site);
  r.set_store_id(store);
  r.set_as_of_seq(2);
  r.set_agent_cases(2);
  for (int i = 0; i < ids; ++i) r.add_differing_case_ids("ncch-" + std::to_string(1000000000 + i));
  return r;
}

TEST_F(SyncProtocolTest, ReconciliationCallsFromAnUnknownSiteNeedAHelloFirst) {
  EXPECT_EQ(centre_->CaseVersions(VersionsOf("ncch", kStoreA)).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  ExpectAudited("sync.CaseVersions", grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(centre_->ReportReconcile(ReportOf("ncch", kStoreA)).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  ExpectAudited("sync.ReportReconcile", grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(SyncProtocolTest, ReconciliationCallsFromAnotherStoreAreFailedPrecondition) {
  Streamed(2);
  EXPECT_EQ(centre_->CaseVersions(VersionsOf("ncch", kStoreB)).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(centre_->ReportReconcile(ReportOf("ncch", kStoreB)).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(centre_->CaseVersions(VersionsOf("ncch", "")).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_FALSE(Site().has_last_reconcile());
}

TEST_F(SnapshotStateTest, ReconciliationCallsWhileASnapshotIsPendingAreFailedPrecondition) {
  EXPECT_EQ(centre_->CaseVersions(VersionsOf("ncch", kStoreB)).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(centre_->ReportReconcile(ReportOf("ncch", kStoreB)).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(SyncProtocolTest, ReconciliationOfTheRegisteredStoreListsItsCasesAndKeepsABoundedReport) {
  Streamed(2);
  std::vector<v1::CaseVersionList> pages;
  ASSERT_TRUE(centre_->CaseVersions(VersionsOf("ncch", kStoreA), &pages).ok());
  ASSERT_FALSE(pages.empty());
  EXPECT_EQ(pages[0].applied_seq(), 2u);
  EXPECT_EQ(pages[0].cases_size(), 2);
  ASSERT_TRUE(centre_->ReportReconcile(ReportOf("ncch", kStoreA, 5000)).ok());
  EXPECT_EQ(Site().last_reconcile().differing_case_ids_size(), 100) << "a peer cannot bloat the site state";
}

}  // namespace
}  // namespace fedreg::server
