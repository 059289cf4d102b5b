// The aggregator's real store and services in one process, called directly
// (no network) with the caller's identity chosen per call: for the protocol
// state tests (tests/unit/sync_protocol_test.cc) and the stateful protocol
// fuzzer (tests/fuzz/protocol_fuzzer.cc). The services are the production
// classes; only the certificate lookup (CallerFn) and the gRPC streams are
// replaced, by an identity set before each call and by scripted streams.
// Threading: drive it from one thread; a Push's acker thread writes acks
// into its stream concurrently (guarded).
#pragma once

#include <grpcpp/server_context.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/peer_identity.h"
#include "server/admin_service.h"
#include "server/centre_store.h"
#include "server/sync_service.h"

namespace fedreg::testing {

// A gRPC server stream fed from a script: Read returns the scripted
// messages, then (once Close()d, or at once when built closed) false; Write
// records what the service sent.
template <class W, class R>
class ScriptedStream final : public grpc::ServerReaderWriterInterface<W, R>,
                             public grpc::ServerReaderInterface<R>,
                             public grpc::ServerWriterInterface<W> {
 public:
  explicit ScriptedStream(std::vector<R> script = {}, bool closed = true) : closed_(closed) {
    for (auto& m : script) in_.push_back(std::move(m));
  }
  void Add(R msg) {
    std::lock_guard<std::mutex> lock(mu_);
    in_.push_back(std::move(msg));
    cv_.notify_all();
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  std::vector<W> written() const {
    std::lock_guard<std::mutex> lock(mu_);
    return out_;
  }
  // Waits until `n` messages were written (false after `timeout`).
  bool WaitWritten(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return out_.size() >= n; });
  }

  void SendInitialMetadata() override {}
  bool NextMessageSize(uint32_t* sz) override {
    *sz = 1 << 20;
    return true;
  }
  bool Read(R* msg) override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !in_.empty() || closed_; });
    if (in_.empty()) return false;
    *msg = std::move(in_.front());
    in_.pop_front();
    return true;
  }
  bool Write(const W& msg, grpc::WriteOptions) override {
    std::lock_guard<std::mutex> lock(mu_);
    out_.push_back(msg);
    cv_.notify_all();
    return true;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<R> in_;
  std::vector<W> out_;
  bool closed_;
};

inline PeerIdentity Site(const std::string& name) { return {Role::kSite, name, "spiffe://fedreg.test/site/" + name}; }
inline PeerIdentity Operator(const std::string& name = "admin") {
  return {Role::kOperator, name, "spiffe://fedreg.test/operator/" + name};
}
inline PeerIdentity Sponsor(const std::string& name = "chugai") {
  return {Role::kSponsor, name, "spiffe://fedreg.test/sponsor/" + name};
}
inline PeerIdentity Auditor(const std::string& name = "audit") {
  return {Role::kAuditor, name, "spiffe://fedreg.test/auditor/" + name};
}

class InProcessCentre {
 public:
  using PushStream = ScriptedStream<v1::PushAck, v1::PushRequest>;

  // The store at `path` (made when missing). Aborts the test binary only
  // when the store cannot open: that is the harness failing, not the code.
  static std::unique_ptr<InProcessCentre> Open(const std::string& path, server::SyncLimits limits = {}) {
    server::CentreStoreOptions o;
    o.path = path;
    o.min_free_bytes = 0;
    auto store = server::CentreStore::Open(o);
    if (!store.ok()) return nullptr;
    auto centre = std::unique_ptr<InProcessCentre>(new InProcessCentre(**store, limits));
    centre->owned_ = std::move(*store);
    return centre;
  }
  // Services over a store the caller keeps open (a service restart: the
  // sessions and open calls are gone, the stored state stays).
  static std::unique_ptr<InProcessCentre> Over(server::CentreStore& store, server::SyncLimits limits = {}) {
    return std::unique_ptr<InProcessCentre>(new InProcessCentre(store, limits));
  }
  ~InProcessCentre() {
    admin_.reset();
    sync_.reset();  // drains the store's queue
  }

  server::CentreStore& store() { return store_; }
  server::SyncServiceImpl& sync() { return *sync_; }
  server::AdminServiceImpl& admin() { return *admin_; }

  // The identity the next calls present (what the certificate would say).
  void As(const PeerIdentity& who) {
    std::lock_guard<std::mutex> lock(mu_);
    caller_ = who;
  }
  // The next calls present no verified certificate.
  void Unauthenticated() {
    std::lock_guard<std::mutex> lock(mu_);
    caller_ = absl::UnauthenticatedError("no client certificate");
  }

  grpc::Status Hello(const v1::HelloRequest& req, v1::HelloResponse* resp = nullptr) {
    grpc::ServerContext ctx;
    v1::HelloResponse ignored;
    return sync_->Hello(&ctx, &req, resp ? resp : &ignored);
  }
  // One Push call over the scripted messages; the acks it sent go to `acks`.
  grpc::Status Push(std::vector<v1::PushRequest> script, std::vector<v1::PushAck>* acks = nullptr) {
    grpc::ServerContext ctx;
    PushStream stream(std::move(script));
    grpc::Status s = sync_->HandlePush(&ctx, &stream);
    if (acks) *acks = stream.written();
    return s;
  }
  grpc::Status Snapshot(std::vector<v1::SnapshotChunk> chunks, v1::SnapshotAck* ack = nullptr) {
    grpc::ServerContext ctx;
    ScriptedStream<v1::SnapshotAck, v1::SnapshotChunk> reader(std::move(chunks));
    v1::SnapshotAck ignored;
    return sync_->HandleSnapshot(&ctx, &reader, ack ? ack : &ignored);
  }
  grpc::Status CaseVersions(const v1::CaseVersionsRequest& req, std::vector<v1::CaseVersionList>* pages = nullptr) {
    grpc::ServerContext ctx;
    ScriptedStream<v1::CaseVersionList, v1::CaseVersionsRequest> writer;
    grpc::Status s = sync_->HandleCaseVersions(&ctx, &req, &writer);
    if (pages) *pages = writer.written();
    return s;
  }
  grpc::Status ReportReconcile(const v1::ReconcileReport& req) {
    grpc::ServerContext ctx;
    v1::ReconcileReportAck ack;
    return sync_->ReportReconcile(&ctx, &req, &ack);
  }

  // Admin calls (the role comes from As()).
  template <class Req, class Resp>
  grpc::Status Admin(grpc::Status (server::AdminServiceImpl::*rpc)(grpc::ServerContext*, const Req*, Resp*),
                     const Req& req, Resp* resp) {
    grpc::ServerContext ctx;
    return ((*admin_).*rpc)(&ctx, &req, resp);
  }

 private:
  InProcessCentre(server::CentreStore& store, server::SyncLimits limits)
      : store_(store), caller_(absl::UnauthenticatedError("no identity set")) {
    server::CallerFn caller = [this](const grpc::ServerContext&) {
      std::lock_guard<std::mutex> lock(mu_);
      return caller_;
    };
    sync_ = std::make_unique<server::SyncServiceImpl>(store_, "fedreg.test", limits, caller);
    admin_ = std::make_unique<server::AdminServiceImpl>(store_, *sync_, "fedreg.test", 10, caller);
  }

  std::unique_ptr<server::CentreStore> owned_;  // set by Open(); destroyed last
  server::CentreStore& store_;
  std::unique_ptr<server::SyncServiceImpl> sync_;
  std::unique_ptr<server::AdminServiceImpl> admin_;
  std::mutex mu_;
  absl::StatusOr<PeerIdentity> caller_;  // guarded by mu_
};

}  // namespace fedreg::testing
