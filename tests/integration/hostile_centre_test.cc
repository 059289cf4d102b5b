// A real fedreg-agent against a scripted centre (scripted_centre.h) that
// acknowledges seqs it was never sent, acknowledges out of order, refuses
// with unexpected codes and non-UTF-8 messages, acknowledges a snapshot at
// the wrong seq, or answers Hello with nonsense. The agent must stay up, say
// what happened in `agent status`, trim nothing it has not delivered, and
// drain everything once it talks to a well-behaved centre.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/integration/agent_test_util.h"
#include "tests/integration/cluster.h"
#include "tests/integration/scripted_centre.h"

namespace fedreg::testing {
namespace {

using Mode = ScriptedCentre::Mode;
constexpr auto kWait = std::chrono::seconds(20);

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Waits until the agent's last_error contains `part`; fails the test (with
// the last status seen) otherwise. The agent must answer throughout.
v1::AgentStatusResponse ExpectError(const std::string& socket, const std::string& part) {
  bool met = false;
  auto st = WaitForAgent(
      socket, [&](const v1::AgentStatusResponse& s) { return Contains(s.last_error(), part); }, kWait, &met);
  EXPECT_TRUE(met) << "no last_error containing '" << part << "'; last seen: '" << st.last_error() << "'";
  std::string why;
  v1::AgentStatusResponse alive;
  EXPECT_TRUE(ReadAgentStatus(socket, &alive, &why)) << "the agent no longer answers: " << why;
  return st;
}

// The centre is replaced by the real aggregator: the agent (restarted to dial
// it) must deliver every case it holds.
void ExpectRealCentreGetsEverything(Cluster& c, int64_t imported) {
  c.StopAgent("ncch");
  c.StartAggregator();
  c.SetAgentServerPort(0);
  c.StartAgent("ncch");
  ASSERT_TRUE(c.WaitForDrain("ncch", 60)) << "did not drain to the real centre";
  v1::GetStatsResponse stats;
  ASSERT_TRUE(c.GetStats(true, &stats).ok());
  EXPECT_EQ(stats.cases(), imported);
  EXPECT_TRUE(stats.verified());
}

TEST(HostileCentre, AgentTrimsNothingWhenTheCentreAcknowledgesSeqsItWasNeverSent) {
  Cluster c;
  ScriptedCentre centre(c.pki());
  centre.SetLimits(/*window=*/1, 4 << 20, /*max_batch_events=*/5);  // 20 cases = 4 batches, one in flight
  centre.SetMode(Mode::kAckUnsentDurable);
  c.SetAgentServerPort(centre.port());
  c.StartAgent("ncch");
  const std::string sock = c.AgentSocket("ncch");
  auto imported = c.Import("ncch", WriteSimpleExport(c.dir() + "/a.csv", "ncch", 0, 20));
  ASSERT_EQ(imported.accepted(), 20);

  // Durable 20 after a first batch of 1..5 (or, once the first session has
  // sent a second batch unanswered, 1..10): the bug trimmed seqs never delivered.
  auto st = ExpectError(sock, "acknowledged seq 20 (applied 5, durable 20) but only ");
  EXPECT_TRUE(Contains(st.last_error(), "only 5 was sent") || Contains(st.last_error(), "only 10 was sent"))
      << st.last_error();
  EXPECT_EQ(st.highest_seq(), 20u);
  EXPECT_EQ(st.acked_seq(), 0u);

  centre.SetMode(Mode::kAckUnsentApplied);
  st = ExpectError(sock, "(applied 20, durable 0) but only ");
  EXPECT_EQ(st.acked_seq(), 0u);

  centre.SetMode(Mode::kDurableAboveApplied);
  st = ExpectError(sock, "acknowledged seq 5 as durable but only 0 as applied");
  EXPECT_EQ(st.acked_seq(), 0u);

  centre.SetMode(Mode::kRejectUnsent);
  st = ExpectError(sock, "rejected seq 20, outside the seqs in flight");
  EXPECT_EQ(st.acked_seq(), 0u);
  EXPECT_EQ(st.quarantined(), 0) << "a rejection of a seq never sent went to the quarantine";
  EXPECT_GE(centre.pushes(), 4);

  EXPECT_EQ(st.highest_seq(), 20u);
  ExpectRealCentreGetsEverything(c, imported.accepted());
}

TEST(HostileCentre, AgentKeepsTheHighestWhenAcknowledgementsGoBackwards) {
  Cluster c;
  ScriptedCentre centre(c.pki());
  centre.SetLimits(/*window=*/3, 4 << 20, /*max_batch_events=*/4);
  centre.SetMode(Mode::kAckBackwards);
  c.SetAgentServerPort(centre.port());
  c.StartAgent("ncch");
  auto imported = c.Import("ncch", WriteSimpleExport(c.dir() + "/a.csv", "ncch", 0, 30));
  ASSERT_EQ(imported.accepted(), 30);
  ASSERT_TRUE(c.WaitForDrain("ncch", 30));
  v1::AgentStatusResponse st;
  ASSERT_TRUE(ReadAgentStatus(c.AgentSocket("ncch"), &st));
  EXPECT_EQ(st.acked_seq(), 30u);
  EXPECT_TRUE(st.connected());
  EXPECT_EQ(st.last_error(), "") << "acks going back (sync.proto: take the max) are not an error";
  EXPECT_GE(centre.backwards_acks(), 7);
  EXPECT_EQ(centre.cases(), 30);
  EXPECT_EQ(centre.pushes(), 1) << "the stream was ended and opened again";
}

TEST(HostileCentre, AgentSurvivesPushRefusalsWithUnexpectedCodesAndSaysSo) {
  Cluster c;
  ScriptedCentre centre(c.pki());
  centre.SetMode(Mode::kRefusePush);
  c.SetAgentServerPort(centre.port());
  c.StartAgent("ncch");
  const std::string sock = c.AgentSocket("ncch");
  auto imported = c.Import("ncch", WriteSimpleExport(c.dir() + "/a.csv", "ncch", 0, 12));
  ASSERT_EQ(imported.accepted(), 12);

  centre.SetRefusal(grpc::StatusCode::UNIMPLEMENTED, "Push is not served here");
  ExpectError(sock, "UNIMPLEMENTED: Push: Push is not served here");
  centre.SetRefusal(grpc::StatusCode::DATA_LOSS, "the centre lost its disk");
  ExpectError(sock, "DATA_LOSS: Push: the centre lost its disk");
  centre.SetRefusal(grpc::StatusCode::RESOURCE_EXHAUSTED, "too many sites");
  ExpectError(sock, "RESOURCE_EXHAUSTED: Push: too many sites");
  // Not UTF-8: the status reply must still parse (proto3 strings must be UTF-8).
  centre.SetRefusal(grpc::StatusCode::INTERNAL, "broken \xff\xfe centre \xc3");
  auto st = ExpectError(sock, "INTERNAL: Push: broken \xEF\xBF\xBD\xEF\xBF\xBD centre \xEF\xBF\xBD");
  EXPECT_EQ(st.highest_seq(), 12u);
  EXPECT_EQ(st.acked_seq(), 0u);
  EXPECT_FALSE(st.connected());
  ExpectRealCentreGetsEverything(c, imported.accepted());
}

TEST(HostileCentre, AgentEndsAStreamTheCentreNeverAnswers) {
  Cluster c;
  ScriptedCentre centre(c.pki());
  centre.SetMode(Mode::kSilent);
  c.SetAgentServerPort(centre.port());
  c.StartAgent("ncch");  // --ack-timeout-ms 3000
  ASSERT_EQ(c.Import("ncch", WriteSimpleExport(c.dir() + "/a.csv", "ncch", 0, 8)).accepted(), 8);
  auto st = ExpectError(c.AgentSocket("ncch"), "no acknowledgement from the centre for 3000 ms");
  EXPECT_EQ(st.acked_seq(), 0u);
  centre.SetMode(Mode::kGood);
  ASSERT_TRUE(c.WaitForDrain("ncch", 30));
  EXPECT_EQ(centre.cases(), 8);
}

TEST(HostileCentre, AgentAcknowledgesOnlyTheSnapshotsOwnSeq) {
  Cluster c;
  ScriptedCentre centre(c.pki());
  centre.SetLimits(8, 4 << 20, 100);
  centre.SetMode(Mode::kRefusePush);  // nothing delivered until the snapshot is asked for
  c.SetAgentServerPort(centre.port());
  c.StartAgent("ncch");
  ASSERT_EQ(c.Import("ncch", WriteSimpleExport(c.dir() + "/a.csv", "ncch", 0, 10)).accepted(), 10);
  centre.SetMode(Mode::kSnapshotAckOther);
  uint64_t as_of = 0;
  ASSERT_TRUE(centre.WaitForSnapshot(20, &as_of));
  ASSERT_EQ(as_of, 10u);
  // While the centre sits on the snapshot, ten more cases come in (seqs 11..20),
  // and the centre then "acknowledges" the snapshot at 20: trimming that far
  // would drop changes the snapshot never carried.
  ASSERT_EQ(c.Import("ncch", WriteSimpleExport(c.dir() + "/b.csv", "ncch", 10, 20)).accepted(), 10);
  centre.ReleaseSnapshot(20);
  auto st = ExpectError(c.AgentSocket("ncch"),
                        "acknowledged the snapshot at seq 20 but it holds the cases as of seq 10");
  EXPECT_EQ(st.acked_seq(), 0u);
  EXPECT_EQ(st.highest_seq(), 20u);
  centre.SetMode(Mode::kGood);
  ASSERT_TRUE(c.WaitForDrain("ncch", 30));
  EXPECT_EQ(centre.cases(), 20);
}

TEST(HostileCentre, AgentTrimsNothingOnAHelloThatMakesNoSense) {
  Cluster c;
  ScriptedCentre centre(c.pki());
  centre.SetMode(Mode::kHelloOtherStore);
  c.SetAgentServerPort(centre.port());
  c.StartAgent("ncch");
  const std::string sock = c.AgentSocket("ncch");
  ASSERT_EQ(c.Import("ncch", WriteSimpleExport(c.dir() + "/a.csv", "ncch", 0, 10)).accepted(), 10);
  // An answer for another store claiming everything: trimming on it loses 1..10.
  auto st = ExpectError(sock, "the centre answered Hello for store");
  EXPECT_EQ(st.acked_seq(), 0u);
  centre.SetMode(Mode::kHelloAboveHighest);
  st = ExpectError(sock, "the centre holds seq 15 for this store but it has only 10");
  EXPECT_EQ(st.acked_seq(), 0u);
  // A sensible centre again, announcing limits of 0 (unset) and 1 byte: the
  // agent bounds them (1 batch, 500 events, 64 KiB) and delivers everything.
  centre.SetLimits(/*window=*/0, /*max_batch_bytes=*/1, /*max_batch_events=*/0);
  centre.SetMode(Mode::kGood);
  ASSERT_TRUE(c.WaitForDrain("ncch", 30));
  EXPECT_EQ(centre.cases(), 10);
}

// Runs fedregctl and returns its exit code; its output goes to `out_path`.
int RunFedregctl(const std::vector<std::string>& args, const std::string& out_path) {
  const char* bin_dir = std::getenv("FEDREG_BIN_DIR");
  std::string cmd = std::string(bin_dir ? bin_dir : FEDREG_BIN_DIR) + "/fedregctl";
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " >'" + out_path + "' 2>&1";
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(HostileCentre, AgentReconcileFailsWhenItsReportDoesNotReachTheCentre) {
  Cluster c;
  ScriptedCentre centre(c.pki());
  centre.SetLimits(8, 4 << 20, 100);
  centre.SetMode(Mode::kGood);
  c.SetAgentServerPort(centre.port());
  c.StartAgent("ncch");
  ASSERT_EQ(c.Import("ncch", WriteSimpleExport(c.dir() + "/a.csv", "ncch", 0, 10)).accepted(), 10);
  ASSERT_TRUE(c.WaitForDrain("ncch", 30));
  const std::string out = c.dir() + "/fedregctl.out";
  const std::vector<std::string> reconcile = {"--agent-socket", c.AgentSocket("ncch"), "agent", "reconcile"};

  // Control: the report reaches the centre, and the command succeeds.
  ASSERT_EQ(RunFedregctl(reconcile, out), 0) << ReadFile(out);
  EXPECT_EQ(centre.reports(), 1);

  centre.SetRefusal(grpc::StatusCode::UNAVAILABLE, "the report store is offline");
  centre.SetMode(Mode::kRefuseReport);
  v1::AgentReconcileResponse r;
  auto s = c.AgentReconcile("ncch", &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_TRUE(Contains(s.error_message(), "reconciled at seq 10 (10 cases here; 0 differed")) << s.error_message();
  EXPECT_TRUE(Contains(s.error_message(), "did not reach the centre")) << s.error_message();
  EXPECT_TRUE(Contains(s.error_message(), "the report store is offline")) << s.error_message();

  EXPECT_EQ(RunFedregctl(reconcile, out), 1) << ReadFile(out);
  EXPECT_TRUE(Contains(ReadFile(out), "did not reach the centre")) << ReadFile(out);
  EXPECT_EQ(centre.reports(), 1);
}

}  // namespace
}  // namespace fedreg::testing
