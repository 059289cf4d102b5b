// A Sync service (sync.proto) whose answers the test scripts, served in
// process over real mutual TLS with the dev PKI's aggregator certificate (the
// name agents dial): either a small well-behaved centre that keeps what is
// pushed to it, or a hostile one that lies, refuses or answers out of order
// in one chosen way. For testing the agent against a centre it must not
// trust with its outbox.
//
// It serves one agent store at a time. Threading: gRPC's pool runs the
// handlers; every public method may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <grpcpp/server.h>

#include "absl/base/thread_annotations.h"
#include "fedreg/v1/sync.grpc.pb.h"

namespace fedreg::testing {

class ScriptedCentre final : public v1::Sync::Service {
 public:
  enum class Mode {
    kGood,                 // applies batches in seq order, acks applied = durable = its applied seq
    kAckUnsentDurable,     // first batch of a stream: durable = the agent's highest seq (never sent)
    kAckUnsentApplied,     // first batch of a stream: applied = the agent's highest seq (never sent)
    kDurableAboveApplied,  // first batch of a stream: durable = its last seq, applied = its first seq - 1
    kRejectUnsent,         // first batch of a stream: a rejection naming the agent's highest seq
    kAckBackwards,         // as kGood, and after each ack an older one: applied back to 0, durable kept
    kSilent,               // Push reads nothing and answers nothing until the agent gives up
    kRefusePush,           // Push ends at once with the refusal given to SetRefusal
    kRefuseReport,         // as kGood, but ReportReconcile ends with the refusal
    kSnapshotAckOther,     // Hello asks for a snapshot; it is acked with the seq given to ReleaseSnapshot
    kHelloAboveHighest,    // Hello answers applied = the agent's highest seq + 5
    kHelloOtherStore,      // Hello answers for another store, applied = the agent's highest seq
  };

  // Listens on 127.0.0.1 (a free port) with `pki_dir`'s aggregator.pem/.key,
  // verifying clients against its ca.pem. Throws when it cannot.
  explicit ScriptedCentre(const std::string& pki_dir);
  ~ScriptedCentre() override;

  int port() const { return port_; }
  void SetMode(Mode mode);
  // Limits Hello announces. Default: window 1, 4 MiB, 5 events (so that a
  // few cases make several batches).
  void SetLimits(uint32_t window, uint32_t max_batch_bytes, uint32_t max_batch_events);
  // Whether Hello offers packed batches (zstd), as a 0.4.0 centre does.
  // Default: no, as a centre before 0.4.0; packed batches are then refused.
  void OfferPackedBatches(bool offer);
  // The status kRefusePush and kRefuseReport end calls with.
  void SetRefusal(grpc::StatusCode code, const std::string& message);

  // kSnapshotAckOther: blocks until a snapshot's end marker has arrived (its
  // as_of seq in *as_of); false after `timeout_s`.
  bool WaitForSnapshot(int timeout_s, uint64_t* as_of);
  // Lets the waiting snapshot be acknowledged with `applied_seq` (once).
  void ReleaseSnapshot(uint64_t applied_seq);

  // What the well-behaved part holds.
  int64_t cases() const;
  uint64_t applied_seq() const;
  int64_t pushes() const { return pushes_; }          // Push calls
  int64_t reports() const { return reports_; }        // ReportReconcile calls answered OK
  int64_t backwards_acks() const { return backwards_acks_; }
  int64_t packed_batches() const { return packed_batches_; }  // batches that came packed

  grpc::Status Hello(grpc::ServerContext* ctx, const v1::HelloRequest* req, v1::HelloResponse* resp) override;
  grpc::Status Push(grpc::ServerContext* ctx,
                    grpc::ServerReaderWriter<v1::PushAck, v1::PushRequest>* stream) override;
  grpc::Status Snapshot(grpc::ServerContext* ctx, grpc::ServerReader<v1::SnapshotChunk>* reader,
                        v1::SnapshotAck* ack) override;
  grpc::Status CaseVersions(grpc::ServerContext* ctx, const v1::CaseVersionsRequest* req,
                            grpc::ServerWriter<v1::CaseVersionList>* writer) override;
  grpc::Status ReportReconcile(grpc::ServerContext* ctx, const v1::ReconcileReport* req,
                               v1::ReconcileReportAck* ack) override;

 private:
  // Applies a batch's new events; false (and *error) on a gap.
  bool Apply(const v1::Batch& batch, grpc::Status* error) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::atomic<int64_t> pushes_{0}, reports_{0}, backwards_acks_{0}, packed_batches_{0};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  Mode mode_ ABSL_GUARDED_BY(mu_) = Mode::kGood;
  bool offer_packed_ ABSL_GUARDED_BY(mu_) = false;
  uint32_t window_ ABSL_GUARDED_BY(mu_) = 1, max_bytes_ ABSL_GUARDED_BY(mu_) = 4 << 20,
                max_events_ ABSL_GUARDED_BY(mu_) = 5;
  grpc::Status refusal_ ABSL_GUARDED_BY(mu_) = grpc::Status(grpc::StatusCode::UNAVAILABLE, "refused");
  uint64_t agent_highest_ ABSL_GUARDED_BY(mu_) = 0;  // from the last Hello
  uint64_t applied_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, uint64_t> cases_ ABSL_GUARDED_BY(mu_);  // case id -> version
  bool snapshot_in_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t snapshot_as_of_ ABSL_GUARDED_BY(mu_) = 0;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t release_seq_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace fedreg::testing
