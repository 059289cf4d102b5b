// The /metrics exposition of both daemons passes Prometheus' own linter
// (`promtool check metrics`, issue 13 item 9): HELP and TYPE for every
// family, counters ending in _total, names as Prometheus wants them. The
// alert rules in deploy/monitoring/ are written against these names.
// promtool comes from the prometheus package (deploy/install-deps.sh); without
// it the test fails rather than skipping.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/cluster.h"

namespace fedreg::testing {
namespace {

// Runs `promtool check metrics` on `text`; returns its exit status and output.
int PromtoolCheck(const std::string& dir, const std::string& text, std::string* output) {
  const std::string in = dir + "/metrics.txt", out = dir + "/promtool.out";
  std::ofstream(in) << text;
  const int rc = std::system(("promtool check metrics < " + in + " > " + out + " 2>&1").c_str());
  std::ifstream f(out);
  std::stringstream s;
  s << f.rdbuf();
  *output = s.str();
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(MetricsLint, BothDaemonsExpositionPassesPromtool) {
  ASSERT_EQ(std::system("command -v promtool >/dev/null"), 0)
      << "promtool not found: deploy/install-deps.sh installs the prometheus package";
  Cluster c;
  const int centre_port = FreePort(), agent_port = FreePort();
  c.StartAggregator({"--metrics-listen", "127.0.0.1:" + std::to_string(centre_port)});
  c.StartAgent("ncch", "", {"--metrics-listen", "127.0.0.1:" + std::to_string(agent_port)});
  // A synced site gives the per-site families samples too.
  ASSERT_TRUE(c.WaitForDrain("ncch", 30));
  for (int i = 0; i < 100 && HttpGet(centre_port, "/metrics").find("fedreg_site_connected{") == std::string::npos;
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  for (auto [name, port] : {std::pair<const char*, int>{"aggregator", centre_port}, {"agent", agent_port}}) {
    const std::string text = HttpGet(port, "/metrics");
    ASSERT_NE(text, "") << name;
    EXPECT_NE(text.find("# TYPE "), std::string::npos) << name << "\n" << text;
    std::string out;
    EXPECT_EQ(PromtoolCheck(c.dir(), text, &out), 0) << name << ": promtool check metrics says:\n" << out;
  }
}

}  // namespace
}  // namespace fedreg::testing
