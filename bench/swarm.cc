// The footprint scenario's hospital swarm for bench/run.sh: one process
// simulates many hospitals, each with its own certificate, its own TLS
// connection and its own Push stream, all streaming to the aggregator at once.
//
//   fedreg_swarm --server HOST:PORT --pki DIR --sites 1000 --batches 5 --cases-per-batch 20 --hold 5
//
// Site i is "sim<i>" (4 digits) and uses DIR/site-sim<i>.pem and .key
// (deploy/pki/make-dev-pki.sh DIR issue site sim<i>). The cases are real
// pseudonymized cases: a synthetic export is imported into a scratch agent
// store once and its cases are relabelled for each simulated site. Every
// site sends its batches, waits for each to be acknowledged as durable, and
// keeps its stream open until all sites have finished and --hold seconds have
// passed, so that the aggregator holds every stream at the same time.
#include <grpcpp/create_channel.h>
#include <grpcpp/support/channel_arguments.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include <spdlog/spdlog.h>

#include "bench/case_pool.h"
#include "common/crypto.h"
#include "common/tls.h"
#include "fedreg/v1/sync.grpc.pb.h"

namespace {

struct Options {
  std::string server;
  std::string pki;
  int sites = 1000;
  int batches = 5;
  int cases_per_batch = 20;
  double hold_s = 5;
};

std::string SiteName(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "sim%04d", i);
  return buf;
}

struct Shared {
  std::mutex mu;
  std::condition_variable cv;
  int finished = 0;  // sites whose batches are all acknowledged as durable (or that failed)
  int streaming = 0;
  int failed = 0;
  int max_streaming = 0;
  std::atomic<int64_t> cases_sent{0};
};

void RunSite(const Options& o, int index, const std::vector<fedreg::v1::Case>& pool, Shared* shared,
             std::chrono::steady_clock::time_point* release) {
  const std::string site = SiteName(index);
  auto fail = [&](const std::string& what) {
    std::fprintf(stderr, "swarm: %s: %s\n", site.c_str(), what.c_str());
    std::lock_guard<std::mutex> lock(shared->mu);
    ++shared->failed;
    ++shared->finished;
    shared->cv.notify_all();
  };
  fedreg::TlsFiles files;
  files.ca = o.pki + "/ca.pem";
  files.cert = o.pki + "/site-" + site + ".pem";
  files.key = o.pki + "/site-" + site + ".key";
  auto creds = fedreg::MakeChannelCredentials(files);
  if (!creds.ok()) return fail(creds.status().ToString());
  grpc::ChannelArguments args;
  args.SetInt("fedreg.swarm_site", index);  // one connection per simulated hospital
  auto stub = fedreg::v1::Sync::NewStub(grpc::CreateCustomChannel(o.server, *creds, args));

  fedreg::v1::HelloRequest hello;
  hello.set_site_id(site);
  auto store_id = fedreg::crypto::RandomBytes(16);
  if (!store_id.ok()) return fail(store_id.status().ToString());
  hello.set_store_id(fedreg::crypto::ToHex(*store_id));
  hello.set_schema_version(1);
  fedreg::v1::HelloResponse welcome;
  {
    grpc::ClientContext ctx;
    ctx.set_wait_for_ready(true);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    auto s = stub->Hello(&ctx, hello, &welcome);
    if (!s.ok()) return fail("Hello: " + s.error_message());
  }
  grpc::ClientContext ctx;
  auto stream = stub->Push(&ctx);
  {
    std::lock_guard<std::mutex> lock(shared->mu);
    shared->max_streaming = std::max(shared->max_streaming, ++shared->streaming);
  }
  uint64_t seq = welcome.applied_seq();
  size_t next_case = static_cast<size_t>(index) * 7919 % pool.size();
  for (int b = 0; b < o.batches; ++b) {
    fedreg::v1::PushRequest req;
    req.set_site_id(site);
    req.set_store_id(hello.store_id());
    auto* batch = req.mutable_batch();
    batch->set_first_seq(seq + 1);
    for (int k = 0; k < o.cases_per_batch; ++k) {
      fedreg::v1::Case c = pool[next_case++ % pool.size()];
      const std::string suffix = c.case_id().substr(c.case_id().size() - 10);
      c.set_site_id(site);
      c.set_case_id(site + "-" + suffix);
      auto* ev = batch->add_events();
      ev->set_seq(++seq);
      ev->set_kind(fedreg::v1::CHANGE_KIND_UPSERT);
      ev->set_case_id(c.case_id());
      ev->set_record_version(c.record_version());
      *ev->mutable_case_() = std::move(c);
    }
    batch->set_last_seq(seq);
    if (!stream->Write(req)) return fail("stream closed while writing");
    fedreg::v1::PushAck ack;
    do {
      if (!stream->Read(&ack)) return fail("stream closed before the ack: " + stream->Finish().error_message());
    } while (ack.durable_seq() < seq);
    shared->cases_sent += o.cases_per_batch;
  }
  {
    std::unique_lock<std::mutex> lock(shared->mu);
    ++shared->finished;
    shared->cv.notify_all();
    // Hold the stream open until every site is done and the hold time passed.
    shared->cv.wait(lock, [&] { return *release != std::chrono::steady_clock::time_point{}; });
  }
  std::this_thread::sleep_until(*release);
  stream->WritesDone();
  fedreg::v1::PushAck ack;
  while (stream->Read(&ack)) {
  }
  stream->Finish();
  std::lock_guard<std::mutex> lock(shared->mu);
  --shared->streaming;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"fedreg hospital swarm"};
  app.add_option("--server", o.server, "aggregator host:port")->required();
  app.add_option("--pki", o.pki, "directory with ca.pem and site-sim<i>.pem/.key")->required();
  app.add_option("--sites", o.sites, "simulated hospitals")->capture_default_str();
  app.add_option("--batches", o.batches, "batches each hospital sends")->capture_default_str();
  app.add_option("--cases-per-batch", o.cases_per_batch)->capture_default_str();
  app.add_option("--hold", o.hold_s, "seconds every stream stays open once all are done")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  spdlog::set_level(spdlog::level::warn);  // the scratch import logs per file
  const auto pool = fedreg::bench::CasePool(std::max(200, o.cases_per_batch * o.batches));
  Shared shared;
  std::chrono::steady_clock::time_point release{};
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(o.sites));
  for (int i = 1; i <= o.sites; ++i) threads.emplace_back(RunSite, std::cref(o), i, std::cref(pool), &shared, &release);
  {
    std::unique_lock<std::mutex> lock(shared.mu);
    shared.cv.wait(lock, [&] { return shared.finished == o.sites; });
    const double all_done = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("swarm: %d sites streaming at once (%d failed), %lld cases acknowledged as durable in %.1f s; "
                "holding %.0f s\n",
                shared.max_streaming, shared.failed, static_cast<long long>(shared.cases_sent.load()), all_done,
                o.hold_s);
    std::fflush(stdout);
    release = std::chrono::steady_clock::now() +
              std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(o.hold_s));
    shared.cv.notify_all();
  }
  for (auto& t : threads) t.join();
  return shared.failed == 0 ? 0 : 1;
}
