// The freshness scenario's driver for bench/run.sh: imports small export
// files into the agents at a steady rate, from one process, so that the
// driver itself (process starts, shell loops) does not compete with the
// agents and the aggregator for this machine's two cores.
//
//   fedreg_trickle --run-dir RUN --rate 100 --rows-per-file 10 [--server HOST:PORT --pki DIR --queries-per-s 5] FILE...
//
// FILE names start with the site ("ncch-00012.csv"); the file goes to the
// agent socket RUN/agent-<site>/agent.sock. With --server, an operator
// (DIR/operator-admin.pem) asks the centre for the national view at the given
// rate meanwhile, over one mutually authenticated channel. Prints how many
// imports and queries were made and how far behind schedule the slowest
// import started.
#include <grpcpp/create_channel.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <atomic>
#include <map>
#include <thread>

#include "common/tls.h"
#include "fedreg/v1/admin.grpc.pb.h"
#include "fedreg/v1/agent.grpc.pb.h"

int main(int argc, char** argv) {
  std::string run_dir;
  double rate = 100;
  int rows_per_file = 10;
  std::vector<std::string> files;
  CLI::App app{"fedreg trickle driver"};
  app.add_option("--run-dir", run_dir, "directory holding agent-<site>/agent.sock")->required();
  app.add_option("--rate", rate, "cases per second across the sites")->capture_default_str();
  app.add_option("--rows-per-file", rows_per_file, "cases in each file")->capture_default_str();
  app.add_option("FILE", files, "export files, named <site>-...")->required();
  std::string server, pki;
  double queries_per_s = 5;
  app.add_option("--server", server, "the aggregator, to query the national view meanwhile");
  app.add_option("--pki", pki, "directory with ca.pem and operator-admin.pem/.key");
  app.add_option("--queries-per-s", queries_per_s, "national-view queries per second")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  std::atomic<bool> stop{false};
  std::atomic<int> queries{0}, query_failures{0};
  std::thread querier;
  if (!server.empty()) {
    fedreg::TlsFiles tls{pki + "/ca.pem", pki + "/operator-admin.pem", pki + "/operator-admin.key", ""};
    auto creds = fedreg::MakeChannelCredentials(tls);
    if (!creds.ok()) {
      std::fprintf(stderr, "trickle: %s\n", creds.status().ToString().c_str());
      return 2;
    }
    querier = std::thread([&, channel = grpc::CreateChannel(server, *creds)] {
      auto admin = fedreg::v1::Admin::NewStub(channel);
      const auto every = std::chrono::duration<double>(1.0 / queries_per_s);
      auto next = std::chrono::steady_clock::now();
      while (!stop) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        fedreg::v1::GetStatsResponse resp;
        if (admin->GetStats(&ctx, {}, &resp).ok()) ++queries;
        else ++query_failures;
        next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(every);
        std::this_thread::sleep_until(next);
      }
    });
  }

  std::map<std::string, std::unique_ptr<fedreg::v1::AgentAdmin::Stub>> stubs;
  const auto interval = std::chrono::duration<double>(rows_per_file / rate);
  const auto start = std::chrono::steady_clock::now();
  double worst_late_ms = 0;
  int failed = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto due = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval * i);
    std::this_thread::sleep_until(due);
    worst_late_ms = std::max(
        worst_late_ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - due).count());
    const std::string name = std::filesystem::path(files[i]).filename().string();
    const std::string site = name.substr(0, name.find('-'));
    auto& stub = stubs[site];
    if (!stub)
      stub = fedreg::v1::AgentAdmin::NewStub(grpc::CreateChannel(
          "unix:" + run_dir + "/agent-" + site + "/agent.sock", grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    fedreg::v1::ImportRequest req;
    req.set_path(std::filesystem::absolute(files[i]).string());
    fedreg::v1::ImportResponse resp;
    auto s = stub->Import(&ctx, req, &resp);
    if (!s.ok()) {
      ++failed;
      std::fprintf(stderr, "trickle: %s: %s\n", files[i].c_str(), s.error_message().c_str());
    }
  }
  stop = true;
  if (querier.joinable()) querier.join();
  std::printf("trickle: %zu imports at %.0f cases/s, %d failed, latest start %.1f ms behind schedule; "
              "%d national-view queries (%d failed)\n",
              files.size(), rate, failed, worst_late_ms, queries.load(), query_failures.load());
  return failed == 0 && query_failures == 0 ? 0 : 1;
}
