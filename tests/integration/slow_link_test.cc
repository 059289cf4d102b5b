// A real agent reaches the real aggregator through a LatencyProxy that delays
// each direction by 0, 200, 1000 and 2000 ms: it must connect within a few
// round trips (one connection, no failed handshakes), drain, and keep a
// healthy slow connection open while it is idle (keepalive must not cut it).
// Prints the measured times (docs/operations.md quotes them).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "tests/integration/agent_test_util.h"
#include "tests/integration/cluster.h"
#include "tests/integration/latency_proxy.h"

namespace fedreg::testing {
namespace {

using Clock = std::chrono::steady_clock;

int64_t MsSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

// The agent's own measure of its connect phase, from its log ("connected to
// H:P in N ms"); -1 when absent.
int64_t LoggedConnectMs(const std::string& log_path) {
  std::ifstream in(log_path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  size_t at = text.find("connected to ");
  if (at == std::string::npos) return -1;
  at = text.find(" in ", at);
  return at == std::string::npos ? -1 : std::atoll(text.c_str() + at + 4);
}

class SlowLink : public ::testing::TestWithParam<int> {};

TEST_P(SlowLink, AgentConnectsAndDrainsWithinAFewRoundTrips) {
  const int one_way_ms = GetParam();
  const int64_t rtt_ms = 2 * one_way_ms;
  Cluster c;
  c.StartAggregator();
  LatencyProxy link(c.port(), one_way_ms);
  const auto start = Clock::now();
  auto agent = StartAgentWith(c, "ncch", link.port(), {"--backoff-max-ms", "1000"});
  const std::string sock = c.AgentSocket("ncch");
  auto imported = c.Import("ncch", WriteSimpleExport(c.dir() + "/a.csv", "ncch", 0, 20));
  ASSERT_EQ(imported.accepted(), 20);

  bool met = false;
  const int64_t connect_budget_ms = 12 * rtt_ms + 5000;
  auto st = WaitForAgent(
      sock, [](const v1::AgentStatusResponse& s) { return s.connected(); },
      std::chrono::milliseconds(connect_budget_ms + 2000), &met);
  const int64_t connected_ms = MsSince(start);
  ASSERT_TRUE(met) << "not connected after " << connected_ms << " ms; last error: " << st.last_error();
  const auto connected_at = Clock::now();
  st = WaitForAgent(
      sock, [](const v1::AgentStatusResponse& s) { return s.highest_seq() == 20 && s.acked_seq() == 20; },
      std::chrono::milliseconds(4 * rtt_ms + 5000 + 2000), &met);
  const int64_t drained_ms = MsSince(connected_at);
  ASSERT_TRUE(met) << "not drained " << drained_ms << " ms after connecting; last error: " << st.last_error();
  const int64_t logged_ms = LoggedConnectMs(c.dir() + "/agent-ncch.log");
  std::cout << "slow link " << one_way_ms << " ms one way: connected " << connected_ms
            << " ms after the agent started (connect phase " << logged_ms << " ms), drained " << drained_ms
            << " ms later, " << link.connections() << " TCP connection(s)\n";
  EXPECT_LE(connected_ms, connect_budget_ms);
  EXPECT_LE(drained_ms, 4 * rtt_ms + 5000);
  // One gRPC connection, plus the agent's TCP probe when connecting took over
  // a second: no failed handshakes retried on new connections.
  EXPECT_LE(link.connections(), 2);

  v1::GetStatsResponse stats;
  ASSERT_TRUE(c.GetStats(false, &stats).ok());
  EXPECT_EQ(stats.cases(), 20);

  if (one_way_ms >= 2000) {
    // Idle over a 4 s round trip for several keepalive periods (4 s pings, 6 s
    // timeout): the connection must stay up.
    const int64_t connections = link.connections();
    const auto until = Clock::now() + std::chrono::seconds(15);
    while (Clock::now() < until) {
      ASSERT_TRUE(ReadAgentStatus(sock, &st));
      ASSERT_TRUE(st.connected()) << "dropped while idle: " << st.last_error();
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    EXPECT_EQ(link.connections(), connections) << "the agent reconnected while idle";
  }
}

INSTANTIATE_TEST_SUITE_P(Delays, SlowLink, ::testing::Values(0, 200, 1000, 2000),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return "OneWay" + std::to_string(info.param) + "ms";
                         });

}  // namespace
}  // namespace fedreg::testing
