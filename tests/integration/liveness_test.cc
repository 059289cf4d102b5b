// Liveness of the agent's connection to the centre, through a FaultProxy:
// an idle connection stays up across many keepalive pings (the centre must
// not answer them with GOAWAY "too_many_pings"); once the link is
// blackholed, the idle Push stream is found dead within seconds, `agent
// status` says so and why, a reconnect attempt into the blackhole names the
// TLS handshake as what times out, and after the link passes again the agent
// reconnects and drains.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <string>

#include "tests/integration/agent_test_util.h"
#include "tests/integration/cluster.h"
#include "tests/integration/fault_proxy.h"

namespace fedreg::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Agent defaults (docs/operations.md): keepalive every 4 s, 6 s to answer,
// so a dead link shows within 10 s of its last answer; 2 s of slack.
constexpr auto kNoticeWithin = std::chrono::seconds(12);

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(Liveness, AgentNoticesABlackholedIdleStreamWithinSecondsAndRecovers) {
  Cluster c;
  c.StartAggregator();
  FaultProxy proxy(c.port());
  c.SetAgentServerPort(proxy.port());
  c.StartAgent("ncch", "", {"--connect-timeout-ms", "4000"});
  const std::string sock = c.AgentSocket("ncch");
  ASSERT_EQ(c.Import("ncch", WriteSimpleExport(c.dir() + "/a.csv", "ncch", 0, 10)).accepted(), 10);
  ASSERT_TRUE(c.WaitForDrain("ncch", 30));

  // Idle for 18 s: 4 pings at the default 4 s. A centre that polices pings
  // 5 s apart (as before) sends GOAWAY at the fourth; the agent would reconnect.
  const int64_t connections = proxy.connections();
  v1::AgentStatusResponse st;
  for (auto until = Clock::now() + std::chrono::seconds(18); Clock::now() < until;) {
    ASSERT_TRUE(ReadAgentStatus(sock, &st));
    ASSERT_TRUE(st.connected()) << "dropped while idle: " << st.last_error();
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_EQ(proxy.connections(), connections) << "the idle agent reconnected";

  proxy.SetMode(FaultProxy::Mode::kBlackhole);
  const auto cut = Clock::now();
  bool met = false;
  st = WaitForAgent(
      sock, [](const v1::AgentStatusResponse& s) { return !s.connected(); }, std::chrono::seconds(30), &met);
  const auto noticed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - cut).count();
  std::cout << "liveness: a blackholed idle stream was noticed after " << noticed_ms << " ms: " << st.last_error()
            << "\n";
  ASSERT_TRUE(met) << "still connected 30 s after the link went dark";
  EXPECT_LE(noticed_ms, std::chrono::duration_cast<std::chrono::milliseconds>(kNoticeWithin).count());
  EXPECT_TRUE(Contains(st.last_error(), "keepalive")) << st.last_error();

  // Reconnecting into the blackhole: TCP connects (the proxy accepts), TLS never finishes.
  st = WaitForAgent(
      sock, [](const v1::AgentStatusResponse& s) { return Contains(s.last_error(), "TLS handshake with"); },
      std::chrono::seconds(15), &met);
  EXPECT_TRUE(met) << st.last_error();
  EXPECT_TRUE(Contains(st.last_error(), "timed out after 4000 ms (TCP connected in")) << st.last_error();

  proxy.SetMode(FaultProxy::Mode::kPass);
  ASSERT_EQ(c.Import("ncch", WriteSimpleExport(c.dir() + "/b.csv", "ncch", 10, 20)).accepted(), 10);
  ASSERT_TRUE(c.WaitForDrain("ncch", 30)) << c.AgentStatus("ncch").last_error();
  st = c.AgentStatus("ncch");
  EXPECT_TRUE(st.connected());
  v1::GetStatsResponse stats;
  ASSERT_TRUE(c.GetStats(false, &stats).ok());
  EXPECT_EQ(stats.cases(), 20);
}

}  // namespace
}  // namespace fedreg::testing
