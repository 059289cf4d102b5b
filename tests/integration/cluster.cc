#include "tests/integration/cluster.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <grpcpp/create_channel.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "common/tls.h"

namespace fedreg::testing {
namespace {

// FEDREG_BIN_DIR in the environment runs other binaries (e.g. a copy for a soak run).
std::string Bin(const std::string& name) {
  const char* dir = std::getenv("FEDREG_BIN_DIR");
  return std::string(dir ? dir : FEDREG_BIN_DIR) + "/" + name;
}

// The PKI is made once per test binary: issuing ~30 certificates takes a few seconds.
const std::string& SharedPki() {
  static TempDir* dir = new TempDir();  // leaked on purpose: lives for the whole run
  static std::string path = [] {
    std::string out = *dir / "pki";
    std::string cmd = std::string(FEDREG_SOURCE_DIR) + "/deploy/pki/make-dev-pki.sh " + out + " >/dev/null";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("make-dev-pki.sh failed");
    return out;
  }();
  return path;
}

void SleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

}  // namespace

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string HttpGet(int port, const std::string& path) {
  httplib::Client cli("127.0.0.1", port);
  cli.set_connection_timeout(2);
  auto res = cli.Get(path.c_str());
  return res && res->status == 200 ? res->body : "";
}

Process::Process(std::vector<std::string> argv, const std::string& log_path) {
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
}

Process::~Process() { Kill9(); }

void Process::Kill9() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

int Process::Terminate() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 200; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    SleepMs(50);
  }
  Kill9();
  return -1;
}

bool Process::Running() { return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }

Cluster::Cluster() { SharedPki(); }

Cluster::~Cluster() {
  agents_.clear();
  aggregator_.reset();
}

const std::string& Cluster::pki() const { return SharedPki(); }

void Cluster::StartAggregator(const std::vector<std::string>& extra_args) {
  std::string port_file = dir_ / "aggregator.port";
  std::filesystem::remove(port_file);
  // Reuse the port after a restart so agents find the centre where it was.
  std::string listen = "127.0.0.1:" + std::to_string(port_);
  std::vector<std::string> argv{Bin("fedreg-aggregator"), "--listen", listen, "--data-dir", dir_ / "centre", "--ca",
                                pki() + "/ca.pem", "--cert", pki() + "/aggregator.pem", "--key",
                                pki() + "/aggregator.key", "--port-file", port_file};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  aggregator_ = std::make_unique<Process>(argv, dir_ / "aggregator.log");
  for (int i = 0; i < 400; ++i) {
    std::ifstream in(port_file);
    int p = 0;
    if (in >> p && p > 0) {
      port_ = p;
      return;
    }
    if (!aggregator_->Running()) break;
    SleepMs(25);
  }
  throw std::runtime_error("aggregator did not start; see " + (dir_ / "aggregator.log"));
}

void Cluster::KillAggregator() { aggregator_->Kill9(); }
void Cluster::StopAggregator() { aggregator_->Terminate(); }

void Cluster::StartAgent(const std::string& site, const std::string& instance,
                         const std::vector<std::string>& extra_args) {
  const std::string name = instance.empty() ? site : instance;
  std::vector<std::string> argv{Bin("fedreg-agent"), "--site", site, "--data-dir", AgentDataDir(name), "--server",
                               "127.0.0.1:" + std::to_string(agent_server_port_ ? agent_server_port_ : port_), "--ca", pki() + "/ca.pem", "--cert",
                               pki() + "/site-" + site + ".pem", "--key", pki() + "/site-" + site + ".key",
                               "--linkage-key", pki() + "/linkage.key", "--backoff-max-ms", "1000",
                               "--ack-timeout-ms", "3000"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  agents_[name] = std::make_unique<Process>(argv, dir_ / ("agent-" + name + ".log"));
  for (int i = 0; i < 400; ++i) {
    if (std::filesystem::exists(AgentSocket(name))) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
      v1::AgentStatusResponse resp;
      auto stub = v1::AgentAdmin::NewStub(
          grpc::CreateChannel("unix:" + AgentSocket(name), grpc::InsecureChannelCredentials()));
      if (stub->Status(&ctx, {}, &resp).ok()) return;
    }
    if (!agents_[name]->Running()) break;
    SleepMs(25);
  }
  throw std::runtime_error("agent " + name + " did not start; see its log in " + dir_.path());
}

void Cluster::KillAgent(const std::string& site) { agents_.at(site)->Kill9(); }
void Cluster::StopAgent(const std::string& site) { agents_.at(site)->Terminate(); }

v1::ImportResponse Cluster::Import(const std::string& site, const std::string& path, grpc::Status* status) {
  auto stub =
      v1::AgentAdmin::NewStub(grpc::CreateChannel("unix:" + AgentSocket(site), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  v1::ImportRequest req;
  req.set_path(path);
  v1::ImportResponse resp;
  auto s = stub->Import(&ctx, req, &resp);
  if (status != nullptr) *status = s;
  else EXPECT_TRUE(s.ok()) << s.error_message();
  return resp;
}

v1::AgentStatusResponse Cluster::AgentStatus(const std::string& site) {
  auto stub =
      v1::AgentAdmin::NewStub(grpc::CreateChannel("unix:" + AgentSocket(site), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::AgentStatusResponse resp;
  auto s = stub->Status(&ctx, {}, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return resp;
}

grpc::Status Cluster::Withdraw(const std::string& site, const std::string& record_number,
                               v1::WithdrawResponse* out) {
  auto stub =
      v1::AgentAdmin::NewStub(grpc::CreateChannel("unix:" + AgentSocket(site), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::WithdrawRequest req;
  req.set_record_number(record_number);
  return stub->Withdraw(&ctx, req, out);
}

grpc::Status Cluster::Rekey(const std::string& site, const std::string& old_number, const std::string& new_number,
                            v1::RekeyResponse* out) {
  auto stub =
      v1::AgentAdmin::NewStub(grpc::CreateChannel("unix:" + AgentSocket(site), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::RekeyRequest req;
  req.set_old_record_number(old_number);
  req.set_new_record_number(new_number);
  return stub->Rekey(&ctx, req, out);
}

bool Cluster::WaitForDrain(const std::string& site, int timeout_s) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < until) {
    auto st = AgentStatus(site);
    if (st.backlog() == 0 && st.acked_seq() == st.highest_seq()) return true;
    SleepMs(50);
  }
  return false;
}

bool Cluster::WaitForConvergence(const std::string& site, int timeout_s) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < until) {
    auto at_agent = AgentStatus(site);
    v1::ListSitesResponse list;
    if (ListSites(&list).ok() && at_agent.backlog() == 0) {
      for (const auto& s : list.sites())
        if (s.site_id() == site && s.applied_seq() == at_agent.highest_seq() && s.cases() == at_agent.cases())
          return true;
    }
    SleepMs(50);
  }
  return false;
}

namespace {
std::unique_ptr<v1::Admin::Stub> AdminStub(const std::string& pki, int port, const std::string& identity) {
  auto creds = MakeChannelCredentials({pki + "/ca.pem", pki + "/" + identity + ".pem", pki + "/" + identity + ".key"});
  if (!creds.ok()) throw std::runtime_error(std::string(creds.status().message()));
  return v1::Admin::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port), *creds));
}
}  // namespace

grpc::Status Cluster::ListSites(v1::ListSitesResponse* out, const std::string& identity) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return AdminStub(pki(), port_, identity)->ListSites(&ctx, {}, out);
}

grpc::Status Cluster::GetStats(bool verify, v1::GetStatsResponse* out, const std::string& identity) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::GetStatsRequest req;
  req.set_verify(verify);
  return AdminStub(pki(), port_, identity)->GetStats(&ctx, req, out);
}

grpc::Status Cluster::RebaseSite(const std::string& site, const std::string& identity) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::RebaseSiteRequest req;
  req.set_site_id(site);
  v1::RebaseSiteResponse resp;
  return AdminStub(pki(), port_, identity)->RebaseSite(&ctx, req, &resp);
}

grpc::Status Cluster::Reconcile(const std::string& site, v1::ReconcileResponse* out, const std::string& identity) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::ReconcileRequest req;
  req.set_site_id(site);
  return AdminStub(pki(), port_, identity)->Reconcile(&ctx, req, out);
}

grpc::Status Cluster::AgentReconcile(const std::string& name, v1::AgentReconcileResponse* out) {
  auto stub =
      v1::AgentAdmin::NewStub(grpc::CreateChannel("unix:" + AgentSocket(name), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(90));
  return stub->Reconcile(&ctx, {}, out);
}

}  // namespace fedreg::testing
