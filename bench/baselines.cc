// Baselines for bench/run.sh, on the same record size and batch size as
// fedreg's backfill:
//   rocksdb   (b): raw RocksDB WriteBatch writes, WAL synced per batch;
//   grpc      (a): a raw mutually authenticated gRPC bidirectional stream, no storage;
//   pipeline  (c): (a) where the sender writes each batch to its own RocksDB
//                  (WAL synced) before sending it and the receiver does the
//                  same before acknowledging it.
// Prints one line: "<name> <records> records in <s> s: <records/s> records/s, <MB/s> MB/s".
#include <grpcpp/create_channel.h>
#include <grpcpp/server_builder.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "bench.grpc.pb.h"
#include "common/tls.h"

namespace {

struct Params {
  int64_t records = 200000;
  int size = 1500;
  int batch = 500;
  int window = 8;
  std::string dir = "/tmp/fedreg-baseline";
  std::string pki;
};

std::vector<std::string> MakeRecords(const Params& p) {
  std::mt19937_64 rng(1);
  std::vector<std::string> recs(static_cast<size_t>(p.batch));
  for (auto& r : recs) {
    r.resize(static_cast<size_t>(p.size));
    for (auto& c : r) c = static_cast<char>('a' + rng() % 26);  // text-like, as the serialized cases are
  }
  return recs;
}

std::unique_ptr<rocksdb::DB> OpenDb(const std::string& path) {
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  rocksdb::Options o;
  o.create_if_missing = true;
  o.compression = rocksdb::kLZ4Compression;
  rocksdb::DB* db = nullptr;
  auto s = rocksdb::DB::Open(o, path, &db);
  if (!s.ok()) {
    std::fprintf(stderr, "open %s: %s\n", path.c_str(), s.ToString().c_str());
    std::exit(1);
  }
  return std::unique_ptr<rocksdb::DB>(db);
}

void WriteSynced(rocksdb::DB* db, uint64_t first_key, const std::vector<std::string>& recs) {
  rocksdb::WriteBatch b;
  char key[16];
  for (size_t i = 0; i < recs.size(); ++i) {
    uint64_t k = first_key + i;
    for (int j = 7; j >= 0; --j) {
      key[j] = static_cast<char>(k & 0xff);
      k >>= 8;
    }
    b.Put(rocksdb::Slice(key, 8), recs[i]);
  }
  rocksdb::WriteOptions w;
  w.sync = true;
  auto s = db->Write(w, &b);
  if (!s.ok()) std::exit(1);
}

void Report(const char* name, const Params& p, double secs) {
  double rps = p.records / secs;
  std::printf("%s %lld records in %.2f s: %.0f records/s, %.1f MB/s\n", name, static_cast<long long>(p.records),
              secs, rps, rps * p.size / 1e6);
}

class Receiver final : public fedreg::bench::BenchSync::Service {
 public:
  explicit Receiver(rocksdb::DB* db) : db_(db) {}
  grpc::Status Stream(grpc::ServerContext*,
                      grpc::ServerReaderWriter<fedreg::bench::BenchAck, fedreg::bench::BenchBatch>* s) override {
    fedreg::bench::BenchBatch b;
    std::vector<std::string> recs;
    while (s->Read(&b)) {
      if (db_) {
        recs.assign(b.records().begin(), b.records().end());
        WriteSynced(db_, b.seq() * 100000, recs);
      }
      fedreg::bench::BenchAck ack;
      ack.set_seq(b.seq());
      if (!s->Write(ack)) break;
    }
    return grpc::Status::OK;
  }

 private:
  rocksdb::DB* db_;
};

double RunStream(const Params& p, bool durable) {
  auto recs = MakeRecords(p);
  std::unique_ptr<rocksdb::DB> send_db, recv_db;
  if (durable) {
    send_db = OpenDb(p.dir + "/sender");
    recv_db = OpenDb(p.dir + "/receiver");
  }
  auto server_creds = fedreg::MakeServerCredentials({p.pki + "/ca.pem", p.pki + "/aggregator.pem", p.pki + "/aggregator.key"});
  auto client_creds = fedreg::MakeChannelCredentials({p.pki + "/ca.pem", p.pki + "/site-ncch.pem", p.pki + "/site-ncch.key"});
  if (!server_creds.ok() || !client_creds.ok()) {
    std::fprintf(stderr, "credentials: %s\n", std::string(server_creds.status().message()).c_str());
    std::exit(1);
  }
  Receiver service(recv_db.get());
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", *server_creds, &port);
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(64 << 20);
  auto server = builder.BuildAndStart();
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(64 << 20);
  auto stub = fedreg::bench::BenchSync::NewStub(
      grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port), *client_creds, args));
  const uint64_t batches = static_cast<uint64_t>((p.records + p.batch - 1) / p.batch);
  auto t0 = std::chrono::steady_clock::now();
  grpc::ClientContext ctx;
  auto stream = stub->Stream(&ctx);
  std::mutex m;
  std::condition_variable cv;
  uint64_t acked = 0;
  std::thread reader([&] {
    fedreg::bench::BenchAck ack;
    while (stream->Read(&ack)) {
      std::lock_guard<std::mutex> lock(m);
      acked = ack.seq();
      cv.notify_all();
    }
  });
  fedreg::bench::BenchBatch b;
  for (const auto& r : recs) b.add_records(r);
  for (uint64_t seq = 1; seq <= batches; ++seq) {
    {
      std::unique_lock<std::mutex> lock(m);
      cv.wait(lock, [&] { return seq - acked <= static_cast<uint64_t>(p.window); });
    }
    if (send_db) WriteSynced(send_db.get(), seq * 100000, recs);
    b.set_seq(seq);
    stream->Write(b);
  }
  {
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock, [&] { return acked == batches; });
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stream->WritesDone();
  reader.join();
  stream->Finish();
  server->Shutdown();
  return secs;
}

}  // namespace

int main(int argc, char** argv) {
  Params p;
  std::string mode;
  CLI::App app{"fedreg baselines"};
  app.add_option("MODE", mode, "rocksdb | grpc | pipeline")->required()->check(CLI::IsMember({"rocksdb", "grpc", "pipeline"}));
  app.add_option("--records", p.records)->capture_default_str();
  app.add_option("--size", p.size, "bytes per record")->capture_default_str();
  app.add_option("--batch", p.batch, "records per batch")->capture_default_str();
  app.add_option("--window", p.window, "batches in flight")->capture_default_str();
  app.add_option("--dir", p.dir, "scratch directory for RocksDB")->capture_default_str();
  app.add_option("--pki", p.pki, "dev PKI directory (deploy/pki/make-dev-pki.sh)");
  CLI11_PARSE(app, argc, argv);
  if (mode == "rocksdb") {
    auto db = OpenDb(p.dir + "/rocksdb");
    auto recs = MakeRecords(p);
    auto t0 = std::chrono::steady_clock::now();
    for (int64_t done = 0, key = 0; done < p.records; done += p.batch, key += p.batch) WriteSynced(db.get(), key, recs);
    Report("(b) raw RocksDB WriteBatch, WAL synced", p,
           std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  } else if (mode == "grpc") {
    Report("(a) raw mTLS gRPC bidi stream, no storage", p, RunStream(p, false));
  } else {
    Report("(c) raw durable pipeline (synced on both sides)", p, RunStream(p, true));
  }
  std::filesystem::remove_all(p.dir);
  return 0;
}
