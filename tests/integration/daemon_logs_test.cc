// What hospital IT and a log shipper see of the daemons (issue 13, item 8):
// with --log-format json every line the aggregator writes is JSON, gRPC's
// own diagnostics included (a client that does not speak TLS makes gRPC
// log a failed handshake); --check-config refuses an address without a
// port instead of letting the agent time out on every Hello.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/integration/cluster.h"

namespace fedreg::testing {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(DaemonLogs, AJsonLogIsJsonOnEveryLineGrpcsOwnDiagnosticsIncluded) {
  Cluster c;
  c.StartAggregator({"--log-format", "json"});
  // Plain text where a TLS ClientHello belongs: gRPC logs the failed handshake.
  for (int i = 0; i < 3; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(c.port()));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    const char junk[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_GT(write(fd, junk, sizeof junk - 1), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    close(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  c.StopAggregator();
  const std::string log = Slurp(c.dir() + "/aggregator.log");
  std::istringstream lines(log);
  std::string line;
  int n = 0, grpc_lines = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    ++n;
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "not JSON: " << line;
    if (j.value("msg", "").rfind("grpc ", 0) == 0) ++grpc_lines;
  }
  EXPECT_GT(n, 2);
  EXPECT_GT(grpc_lines, 0) << "gRPC's handshake diagnostics reached the log as JSON\n" << log;
}

TEST(DaemonLogs, CheckConfigRefusesAServerAddressWithoutAPort) {
  Cluster c;
  const std::string dir = c.dir() + "/agent-check";
  const std::string cmd = std::string(FEDREG_BIN_DIR) + "/fedreg-agent --site ncch --server 127.0.0.1: --data-dir " +
                          dir + " --ca " + c.pki() + "/ca.pem --cert " + c.pki() + "/site-ncch.pem --key " + c.pki() +
                          "/site-ncch.key --linkage-key " + c.pki() + "/linkage.key --check-config >" + c.dir() +
                          "/check.out 2>&1";
  const int rc = std::system(cmd.c_str());
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) != 0);
  const std::string out = Slurp(c.dir() + "/check.out");
  EXPECT_NE(out.find("--server '127.0.0.1:': no port after the colon"), std::string::npos) << out;
  // The same with a port passes: the check is not refusing everything.
  const std::string ok = std::string(FEDREG_BIN_DIR) + "/fedreg-agent --site ncch --server 127.0.0.1:7443 --data-dir " +
                         dir + " --ca " + c.pki() + "/ca.pem --cert " + c.pki() + "/site-ncch.pem --key " + c.pki() +
                         "/site-ncch.key --linkage-key " + c.pki() + "/linkage.key --check-config >" + c.dir() +
                         "/check-ok.out 2>&1";
  EXPECT_EQ(std::system(ok.c_str()), 0) << Slurp(c.dir() + "/check-ok.out");
}

}  // namespace
}  // namespace fedreg::testing
