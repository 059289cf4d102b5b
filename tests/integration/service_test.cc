// The daemons under a service manager (issue 13, items 1 and 2): with
// NOTIFY_SOCKET set they send READY=1 only once serving, WATCHDOG=1 while
// healthy when WATCHDOG_USEC asks for it, RELOADING=1 then READY=1 around a
// SIGHUP reload and STOPPING=1 on SIGTERM; a SIGHUP re-reads the --config
// file, applies the live keys (the log level takes effect at once), names the
// changed keys that need a restart, and a file that no longer parses is
// refused with the old settings kept and the process still serving.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
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

void Write(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  std::ofstream(tmp) << text;
  std::filesystem::rename(tmp, path);
}

std::string Bin(const std::string& name) {
  const char* dir = std::getenv("FEDREG_BIN_DIR");
  return std::string(dir != nullptr ? dir : FEDREG_BIN_DIR) + "/" + name;
}

// Waits until `path` holds `needle` after offset `from`; false after `timeout_ms`.
bool WaitForLog(const std::string& path, const std::string& needle, size_t from = 0, int timeout_ms = 10000) {
  for (int waited = 0; waited < timeout_ms; waited += 50) {
    std::string log = Slurp(path);
    if (log.size() > from && log.find(needle, from) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// The aggregator's required settings, in a TOML file as a packaged install has them.
std::string AggregatorToml(Cluster& c, int metrics_port, const std::string& extra) {
  return "listen = \"127.0.0.1:0\"\n"
         "data-dir = \"" + c.dir() + "/centre\"\n"
         "ca = \"" + c.pki() + "/ca.pem\"\n"
         "cert = \"" + c.pki() + "/aggregator.pem\"\n"
         "key = \"" + c.pki() + "/aggregator.key\"\n"
         "port-file = \"" + c.dir() + "/aggregator.port\"\n"
         "metrics-listen = \"127.0.0.1:" + std::to_string(metrics_port) + "\"\n" + extra;
}

bool WaitForFile(const std::string& path, Process& p, int timeout_ms = 10000) {
  for (int waited = 0; waited < timeout_ms; waited += 25) {
    if (std::filesystem::exists(path)) return true;
    if (!p.Running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

TEST(Service, SighupAppliesTheConfigFileAndRefusesABrokenOneKeepingTheOldSettings) {
  Cluster c;
  const std::string conf = c.dir() + "/aggregator.toml", log = c.dir() + "/aggregator.log";
  const int metrics_port = FreePort();
  Write(conf, AggregatorToml(c, metrics_port, "log-level = \"info\"\nsuppression-k = 10\nmax-streams = 2000\n"));
  Process p({Bin("fedreg-aggregator"), "--config", conf}, log);
  ASSERT_TRUE(WaitForFile(c.dir() + "/aggregator.port", p)) << Slurp(log);
  ASSERT_TRUE(WaitForLog(log, "metrics on")) << Slurp(log);
  EXPECT_EQ(Slurp(log).find(" debug "), std::string::npos) << "no debug lines at level info\n" << Slurp(log);

  // Live keys and one that needs a restart.
  Write(conf, AggregatorToml(c, metrics_port,
                             "log-level = \"debug\"\nsuppression-k = 5\nsite-events-per-s = 5000\nmax-streams = 100\n"));
  size_t mark = Slurp(log).size();
  ASSERT_EQ(kill(p.pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitForLog(log, "SIGHUP: reloaded " + conf, mark)) << Slurp(log);
  std::string after = Slurp(log).substr(mark);
  EXPECT_NE(after.find("log-level info->debug"), std::string::npos) << after;
  EXPECT_NE(after.find("suppression-k 10->5"), std::string::npos) << after;
  EXPECT_NE(after.find("site-events-per-s 100000->5000"), std::string::npos) << after;
  EXPECT_NE(after.find("only a restart applies them: max-streams 2000->100"), std::string::npos) << after;
  // The new level took effect: the reload's own debug line is there.
  EXPECT_TRUE(WaitForLog(log, " debug ", mark)) << after;

  // A file that no longer parses: refused, named, old settings kept, still serving.
  Write(conf, AggregatorToml(c, metrics_port, "log-level = \"warn\"\nsuppression-k = \"many\"\nno-such-key = 1\n"));
  mark = Slurp(log).size();
  ASSERT_EQ(kill(p.pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitForLog(log, "refused, the old settings stay", mark)) << Slurp(log);
  after = Slurp(log).substr(mark);
  EXPECT_NE(after.find(conf), std::string::npos) << after;
  EXPECT_EQ(after.find("SIGHUP: reloaded"), std::string::npos) << after;
  EXPECT_TRUE(p.Running());
  EXPECT_NE(HttpGet(metrics_port, "/metrics").find("fedreg_sync_batches_total"), std::string::npos);

  // Then a valid one again: compared with the settings in force (debug, k 5),
  // not with the refused file; warn hides the info lines of the shutdown.
  Write(conf, AggregatorToml(c, metrics_port, "log-level = \"warn\"\nsuppression-k = 5\nsite-events-per-s = 5000\n"));
  mark = Slurp(log).size();
  ASSERT_EQ(kill(p.pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitForLog(log, "SIGHUP: reloaded", mark)) << Slurp(log);
  after = Slurp(log).substr(mark);
  EXPECT_NE(after.find("log-level debug->warn"), std::string::npos) << after;
  EXPECT_EQ(after.find("suppression-k"), std::string::npos) << "k unchanged at 5\n" << after;
  mark = Slurp(log).size();
  EXPECT_EQ(p.Terminate(), 0);
  EXPECT_EQ(Slurp(log).find("aggregator stopped", mark), std::string::npos) << "info lines hidden at level warn";
}

TEST(Service, AgentSighupAppliesLogLevelAndReconcileIntervalAndNamesTheRest) {
  Cluster c;
  const std::string conf = c.dir() + "/agent.toml", log = c.dir() + "/agent.log";
  const std::string data = c.dir() + "/agent-data";
  // The centre is not needed for a reload: the agent keeps retrying it meanwhile.
  auto toml = [&](const std::string& extra) {
    return "site = \"ncch\"\ndata-dir = \"" + data + "\"\nserver = \"127.0.0.1:" + std::to_string(FreePort()) +
           "\"\nca = \"" + c.pki() + "/ca.pem\"\ncert = \"" + c.pki() + "/site-ncch.pem\"\nkey = \"" + c.pki() +
           "/site-ncch.key\"\nlinkage-key = \"" + c.pki() + "/linkage.key\"\n" + extra;
  };
  Write(conf, toml("log-level = \"info\"\nreconcile-interval-s = 600\nwindow = 8\n"));
  Process p({Bin("fedreg-agent"), "--config", conf}, log);
  ASSERT_TRUE(WaitForLog(log, "agent ncch started")) << Slurp(log);
  Write(conf, toml("log-level = \"debug\"\nreconcile-interval-s = 30\nwindow = 4\n"));
  const size_t mark = Slurp(log).size();
  ASSERT_EQ(kill(p.pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitForLog(log, "SIGHUP: reloaded " + conf, mark)) << Slurp(log);
  const std::string after = Slurp(log).substr(mark);
  EXPECT_NE(after.find("applied log-level info->debug, reconcile-interval-s 600->30"), std::string::npos) << after;
  EXPECT_NE(after.find("only a restart applies them: "), std::string::npos) << after;
  EXPECT_NE(after.find("window 8->4"), std::string::npos) << after;
  // server changed too (a new free port in the file): named, not applied.
  EXPECT_NE(after.find("server 127.0.0.1:"), std::string::npos) << after;
  EXPECT_TRUE(WaitForLog(log, " debug SIGHUP: in force now", mark)) << after;
  EXPECT_EQ(p.Terminate(), 0);
}

// A unix datagram socket standing in for systemd's notify socket.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    bound_ = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~NotifySocket() {
    if (fd_ >= 0) close(fd_);
  }
  bool bound() const { return bound_; }
  // The next message, or "" after `timeout_ms`.
  std::string Next(int timeout_ms) {
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, timeout_ms) <= 0) return "";
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }
  // Messages until one holds `needle` (returned), or "" after `timeout_ms`;
  // every message read is appended to *seen.
  std::string WaitFor(const std::string& needle, int timeout_ms, std::vector<std::string>* seen) {
    for (int waited = 0; waited < timeout_ms; waited += 50) {
      std::string m = Next(50);
      if (m.empty()) continue;
      seen->push_back(m);
      if (m.find(needle) != std::string::npos) return m;
    }
    return "";
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += "[" + s + "] ";
  return out;
}

TEST(Service, NotifiesReadyOnlyOnceListeningPingsTheWatchdogAndReportsReloadAndStop) {
  Cluster c;
  const std::string conf = c.dir() + "/aggregator.toml", log = c.dir() + "/aggregator.log";
  const std::string port_file = c.dir() + "/aggregator.port";
  Write(conf, AggregatorToml(c, FreePort(), "log-level = \"info\"\n"));
  NotifySocket notify(c.dir() + "/notify.sock");
  ASSERT_TRUE(notify.bound());
  setenv("NOTIFY_SOCKET", (c.dir() + "/notify.sock").c_str(), 1);
  setenv("WATCHDOG_USEC", "400000", 1);  // pings every 200 ms
  Process p({Bin("fedreg-aggregator"), "--config", conf}, log);
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");

  std::vector<std::string> seen;
  std::string ready = notify.WaitFor("READY=1", 15000, &seen);
  // Checked the moment READY=1 arrives: the listener is bound by then.
  const bool port_file_there = std::filesystem::exists(port_file);
  ASSERT_NE(ready, "") << Joined(seen) << Slurp(log);
  EXPECT_TRUE(port_file_there) << "READY=1 came before the port file";
  EXPECT_NE(ready.find("STATUS=serving on port"), std::string::npos) << ready;

  int pings = 0;
  for (int i = 0; i < 3; ++i) {
    std::vector<std::string> more;
    if (!notify.WaitFor("WATCHDOG=1", 2000, &more).empty()) ++pings;
  }
  EXPECT_EQ(pings, 3) << "WATCHDOG=1 every 200 ms";

  ASSERT_EQ(kill(p.pid(), SIGHUP), 0);
  seen.clear();
  std::string reloading = notify.WaitFor("RELOADING=1", 5000, &seen);
  ASSERT_NE(reloading, "") << Joined(seen);
  EXPECT_NE(reloading.find("MONOTONIC_USEC="), std::string::npos) << reloading;
  EXPECT_NE(notify.WaitFor("READY=1", 5000, &seen), "") << "READY=1 after the reload: " << Joined(seen);

  ASSERT_EQ(kill(p.pid(), SIGTERM), 0);
  EXPECT_NE(notify.WaitFor("STOPPING=1", 5000, &seen), "") << Joined(seen);
  EXPECT_EQ(p.Terminate(), 0);
}

TEST(Service, WithoutNotifySocketTheDaemonStartsAsBefore) {
  // No NOTIFY_SOCKET: every notification is a no-op and nothing is logged about it.
  Cluster c;
  c.StartAggregator();
  c.StopAggregator();
  const std::string log = Slurp(c.dir() + "/aggregator.log");
  EXPECT_EQ(log.find("sd_notify"), std::string::npos) << log;
  EXPECT_EQ(log.find("watchdog"), std::string::npos) << log;
}

}  // namespace
}  // namespace fedreg::testing
