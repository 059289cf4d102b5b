// Helpers shared by the agent-side integration tests (hostile centre, slow
// links, liveness): an export whose rows the test controls, the agent's
// status read without failing the test, and an agent started with options
// that Cluster::StartAgent fixes (CLI11 refuses an option given twice).
#pragma once

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/create_channel.h>

#include "fedreg/v1/agent.grpc.pb.h"
#include "tests/integration/cluster.h"

namespace fedreg::testing {

// A CSV export of cases `from`..`to`-1 for `site` (record numbers
// "<site>-R<i>", one case each, all valid); returns `path`.
inline std::string WriteSimpleExport(const std::string& path, const std::string& site, int from, int to) {
  static const char* kCodes[] = {"LMS", "DDLS", "GIST", "SYNS", "OS", "ES", "PANET", "GB", "ACYC", "IHCH"};
  static const char* kFamily[] = {"山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤"};
  static const char* kGiven[] = {"太郎", "花子", "一郎", "美穂", "直樹", "裕子", "健", "恵", "翔", "陽菜"};
  std::ofstream out(path);
  out << "record_number,family_name,given_name,birth_date,sex,registration_date,oncotree_code,vital_status,ecog,"
         "assay,specimen,report_date,alterations,msi\n";
  for (int i = from; i < to; ++i) {
    out << site << "-R" << i << "," << kFamily[i % 10] << "," << kGiven[(i / 10) % 10] << "," << 1940 + i % 60
        << "-0" << 1 + i % 9 << "-1" << i % 9 << "," << (i % 2 ? "F" : "M") << ",20" << 18 + i % 8 << "-0"
        << 1 + i % 9 << "-2" << i % 8 << "," << kCodes[i % 10] << ",alive,1,NCC-ONCOPANEL,primary,2026-10-01,"
        << (i % 7 == 0 ? "BRAF|SNV|p.V600E|0.2" : "") << ",MSS\n";
  }
  return path;
}

// The agent's status over its admin socket; false (and `why`) when the agent
// does not answer, e.g. because it died.
inline bool ReadAgentStatus(const std::string& socket, v1::AgentStatusResponse* out, std::string* why = nullptr) {
  auto stub = v1::AgentAdmin::NewStub(grpc::CreateChannel("unix:" + socket, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto s = stub->Status(&ctx, {}, out);
  if (!s.ok() && why != nullptr) *why = std::to_string(s.error_code()) + ": " + s.error_message();
  return s.ok();
}

// Polls the agent's status every 20 ms until `done` holds or `timeout` passes;
// returns the last status read and sets *met.
inline v1::AgentStatusResponse WaitForAgent(const std::string& socket,
                                            const std::function<bool(const v1::AgentStatusResponse&)>& done,
                                            std::chrono::milliseconds timeout, bool* met) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  v1::AgentStatusResponse st;
  *met = false;
  while (std::chrono::steady_clock::now() < until) {
    v1::AgentStatusResponse now;
    if (ReadAgentStatus(socket, &now)) {
      st = now;
      if (done(st)) {
        *met = true;
        return st;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return st;
}

// Starts fedreg-agent for `site` in `c`'s directories (so Cluster's Import,
// AgentStatus and WaitForDrain work with `site`), dialling 127.0.0.1:`port`,
// with `args` as the only tuning options. Returns once its admin socket answers.
inline std::unique_ptr<Process> StartAgentWith(Cluster& c, const std::string& site, int port,
                                               const std::vector<std::string>& args) {
  const char* bin_dir = std::getenv("FEDREG_BIN_DIR");
  std::vector<std::string> argv{std::string(bin_dir ? bin_dir : FEDREG_BIN_DIR) + "/fedreg-agent",
                                "--site", site, "--data-dir", c.AgentDataDir(site), "--server",
                                "127.0.0.1:" + std::to_string(port), "--ca", c.pki() + "/ca.pem", "--cert",
                                c.pki() + "/site-" + site + ".pem", "--key", c.pki() + "/site-" + site + ".key",
                                "--linkage-key", c.pki() + "/linkage.key"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto p = std::make_unique<Process>(argv, c.dir() + "/agent-" + site + ".log");
  for (int i = 0; i < 400; ++i) {
    v1::AgentStatusResponse st;
    if (ReadAgentStatus(c.AgentSocket(site), &st)) return p;
    if (!p->Running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  throw std::runtime_error("agent " + site + " did not start; see " + c.dir() + "/agent-" + site + ".log");
}

}  // namespace fedreg::testing
