// The sync protocol's state machine as pure functions (server/site_protocol.h,
// the table of docs/protocol.md): the phase of a site from what the centre
// knows, which store is refused, and the one answer of every RPC in every
// phase. The service-level rows (status, message, audit entry) are
// tests/unit/sync_protocol_test.cc.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "server/site_protocol.h"

namespace fedreg::server {
namespace {

const std::string kStoreA(32, 'a');
const std::string kStoreB(32, 'b');

TEST(SiteProtocol, PhasesFollowTheFacts) {
  SiteFacts f;
  EXPECT_EQ(PhaseOf(f), SitePhase::kUnknown);
  f.stored = v1::SiteState();
  EXPECT_EQ(PhaseOf(f), SitePhase::kRegistered);
  f.stored->set_rebase_allowed(true);
  EXPECT_EQ(PhaseOf(f), SitePhase::kRebaseAllowed);
  f.stored->set_snapshot_pending(true);
  EXPECT_EQ(PhaseOf(f), SitePhase::kSnapshotPending);
  f.open_call_store = kStoreA;
  f.open_call_is_snapshot = true;
  EXPECT_EQ(PhaseOf(f), SitePhase::kSnapshotInProgress);
  f.open_call_is_snapshot = false;
  EXPECT_EQ(PhaseOf(f), SitePhase::kStreaming);
}

TEST(SiteProtocol, ARefusedStoreIsAnotherStoreOfASiteWithDataAndNoRebase) {
  SiteFacts f;
  EXPECT_FALSE(IsRefusedStore(f, kStoreB));
  f.stored = v1::SiteState();
  f.stored->set_store_id(kStoreA);
  EXPECT_FALSE(IsRefusedStore(f, kStoreB)) << "no data yet: the new store is followed";
  f.stored->set_applied_seq(3);
  EXPECT_TRUE(IsRefusedStore(f, kStoreB));
  EXPECT_FALSE(IsRefusedStore(f, kStoreA));
  f.stored->set_rebase_allowed(true);
  EXPECT_FALSE(IsRefusedStore(f, kStoreB));
}

TEST(SiteProtocol, EveryRpcInEveryPhaseHasOneAnswer) {
  // The admission table of docs/protocol.md, row by row: (rpc, phase) -> code.
  auto facts = [](SitePhase p) {
    SiteFacts f;
    if (p == SitePhase::kUnknown) return f;
    f.stored = v1::SiteState();
    f.stored->set_store_id(kStoreA);
    f.stored->set_applied_seq(2);
    f.session_store = kStoreA;
    if (p == SitePhase::kSnapshotPending || p == SitePhase::kSnapshotInProgress) f.stored->set_snapshot_pending(true);
    if (p == SitePhase::kRebaseAllowed) f.stored->set_rebase_allowed(true);
    if (p == SitePhase::kStreaming || p == SitePhase::kSnapshotInProgress) {
      f.open_call_store = kStoreA;
      f.open_call_is_snapshot = p == SitePhase::kSnapshotInProgress;
    }
    return f;
  };
  using C = absl::StatusCode;
  const C ok = C::kOk, pre = C::kFailedPrecondition;
  const std::vector<SitePhase> phases = {SitePhase::kUnknown,         SitePhase::kRegistered,
                                         SitePhase::kStreaming,       SitePhase::kSnapshotPending,
                                         SitePhase::kSnapshotInProgress, SitePhase::kRebaseAllowed};
  // Same store as registered, in session.
  const std::map<SyncRpc, std::vector<C>> same_store = {
      {SyncRpc::kHello, {ok, ok, ok, ok, ok, ok}},
      {SyncRpc::kPush, {pre, ok, ok, pre, pre, ok}},
      {SyncRpc::kSnapshot, {pre, pre, pre, ok, ok, pre}},
      {SyncRpc::kCaseVersions, {pre, ok, ok, pre, pre, ok}},
      {SyncRpc::kReportReconcile, {pre, ok, ok, pre, pre, ok}},
      // Notices do not depend on the case set: they flow while a snapshot is due too.
      {SyncRpc::kNotices, {pre, ok, ok, ok, ok, ok}},
      {SyncRpc::kAckNotices, {pre, ok, ok, ok, ok, ok}},
  };
  for (const auto& [rpc, codes] : same_store) {
    for (size_t i = 0; i < phases.size(); ++i) {
      SiteFacts f = facts(phases[i]);
      ASSERT_EQ(PhaseOf(f), phases[i]);
      EXPECT_EQ(AdmitSiteCall(rpc, "ncch", kStoreA, f).code(), codes[i])
          << SyncRpcName(rpc) << " in " << SitePhaseName(phases[i]);
    }
  }
  // Another store: a call open for store A makes the site busy; otherwise
  // only Hello is admitted (it decides on the new store).
  const std::map<SyncRpc, std::vector<C>> other_store = {
      {SyncRpc::kHello, {ok, ok, C::kAlreadyExists, ok, C::kAlreadyExists, ok}},
      {SyncRpc::kPush, {pre, pre, C::kAlreadyExists, pre, C::kAlreadyExists, pre}},
      {SyncRpc::kSnapshot, {pre, pre, C::kAlreadyExists, pre, C::kAlreadyExists, pre}},
      {SyncRpc::kCaseVersions, {pre, pre, pre, pre, pre, pre}},
      {SyncRpc::kReportReconcile, {pre, pre, pre, pre, pre, pre}},
      {SyncRpc::kNotices, {pre, pre, pre, pre, pre, pre}},
      {SyncRpc::kAckNotices, {pre, pre, pre, pre, pre, pre}},
  };
  for (const auto& [rpc, codes] : other_store) {
    for (size_t i = 0; i < phases.size(); ++i) {
      EXPECT_EQ(AdmitSiteCall(rpc, "ncch", kStoreB, facts(phases[i])).code(), codes[i])
          << SyncRpcName(rpc) << " from another store in " << SitePhaseName(phases[i]);
    }
  }
  // No Hello since the centre started: only Hello is admitted.
  for (SyncRpc rpc : {SyncRpc::kPush, SyncRpc::kSnapshot, SyncRpc::kCaseVersions, SyncRpc::kReportReconcile,
                      SyncRpc::kNotices, SyncRpc::kAckNotices}) {
    SiteFacts f = facts(SitePhase::kRegistered);
    f.session_store.clear();
    EXPECT_EQ(AdmitSiteCall(rpc, "ncch", kStoreA, f).code(), pre) << SyncRpcName(rpc);
  }
  EXPECT_TRUE(AdmitSiteCall(SyncRpc::kHello, "ncch", kStoreA, SiteFacts()).ok());
}

}  // namespace
}  // namespace fedreg::server
