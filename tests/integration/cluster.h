// A real fedreg federation on loopback for integration tests: the dev PKI
// made by deploy/pki/make-dev-pki.sh, one fedreg-aggregator process and any
// number of fedreg-agent processes, each with its own data directory and
// certificate. Talks to them with the same gRPC stubs fedregctl uses.
// Not thread-safe: drive it from the test's thread.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>

#include "fedreg/v1/admin.grpc.pb.h"
#include "fedreg/v1/agent.grpc.pb.h"
#include "tests/unit/temp_dir.h"

namespace fedreg::testing {

// A child process, killed (SIGKILL) when the handle goes away.
class Process {
 public:
  Process(std::vector<std::string> argv, const std::string& log_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  pid_t pid() const { return pid_; }
  void Kill9();
  // SIGTERM and wait; returns the exit status (or -1).
  int Terminate();
  bool Running();

 private:
  pid_t pid_ = -1;
};

// A loopback port that was free a moment ago.
int FreePort();
// GET http://127.0.0.1:port/path; "" on failure.
std::string HttpGet(int port, const std::string& path);

class Cluster {
 public:
  // Makes the PKI under a fresh temp dir (once per process; reused by every Cluster).
  Cluster();
  ~Cluster();

  const std::string& dir() const { return dir_.path(); }
  const std::string& pki() const;

  void StartAggregator(const std::vector<std::string>& extra_args = {});
  void KillAggregator();  // kill -9
  void StopAggregator();  // SIGTERM
  int port() const { return port_; }

  // Agents dial this port instead of the aggregator's (e.g. a FaultProxy); 0 = the aggregator.
  void SetAgentServerPort(int port) { agent_server_port_ = port; }
  // Agents are named by site; `instance` names a second agent presenting the
  // same site certificate (its own data dir), e.g. a reinstalled copy.
  void StartAgent(const std::string& site, const std::string& instance = "",
                  const std::vector<std::string>& extra_args = {});
  void KillAgent(const std::string& name);  // kill -9
  void StopAgent(const std::string& name);  // SIGTERM
  std::string AgentDataDir(const std::string& name) const { return dir_ / ("agent-" + name); }
  std::string AgentSocket(const std::string& name) const { return AgentDataDir(name) + "/agent.sock"; }

  // Imports through the agent's admin socket; `status` (optional) receives the
  // RPC status, otherwise a failure fails the test.
  v1::ImportResponse Import(const std::string& site, const std::string& path, grpc::Status* status = nullptr);
  v1::AgentStatusResponse AgentStatus(const std::string& site);
  grpc::Status Withdraw(const std::string& site, const std::string& record_number, v1::WithdrawResponse* out);
  grpc::Status Rekey(const std::string& site, const std::string& old_number, const std::string& new_number,
                     v1::RekeyResponse* out);
  // Waits until the agent's backlog is 0 and its acked seq equals its highest; false on timeout.
  bool WaitForDrain(const std::string& site, int timeout_s = 60);
  // Waits until the centre holds exactly what the agent holds (applied seq,
  // case count), nothing pending; false on timeout.
  bool WaitForConvergence(const std::string& site, int timeout_s = 60);

  // Admin calls with the operator certificate (or `identity`, e.g. "sponsor-chugai").
  grpc::Status ListSites(v1::ListSitesResponse* out, const std::string& identity = "operator-admin");
  grpc::Status GetStats(bool verify, v1::GetStatsResponse* out, const std::string& identity = "operator-admin");
  grpc::Status RebaseSite(const std::string& site, const std::string& identity = "operator-admin");
  grpc::Status Reconcile(const std::string& site, v1::ReconcileResponse* out,
                         const std::string& identity = "operator-admin");
  grpc::Status AgentReconcile(const std::string& name, v1::AgentReconcileResponse* out);

 private:
  TempDir dir_;
  int port_ = 0;
  int agent_server_port_ = 0;
  std::unique_ptr<Process> aggregator_;
  std::map<std::string, std::unique_ptr<Process>> agents_;
};

}  // namespace fedreg::testing
