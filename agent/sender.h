// Pushes the agent's outbox to the centre (DESIGN.md section 5): Hello, then
// a bidirectional Push stream with up to `window` batches in flight. The
// outbox is trimmed only when the centre acknowledges a seq as durable, so a
// crash on either side resumes from the last durable ack with nothing lost;
// the centre skips what it already applied, so nothing is duplicated.
//
// Threading: Start() spawns one sending thread (which also owns a reader
// thread per stream); Stop() joins them. Status() may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "agent/agent_store.h"
#include "common/tls.h"
#include <grpcpp/channel.h>
#include <grpcpp/security/credentials.h>

namespace fedreg::agent {

struct SenderOptions {
  std::string site_id;
  std::string server;              // host:port of the aggregator
  TlsFiles tls;
  size_t max_batch_events = 500;   // Default: 500 events per batch (x window = memory in flight)
  size_t max_batch_bytes = 2 << 20;// Default: 2 MiB per batch (the centre may lower it)
  int window = 8;                  // Default: 8 batches in flight (the centre may lower it)
  int backoff_initial_ms = 100;    // Default: 100 ms, doubling, full jitter
  int backoff_max_ms = 10000;      // Default: 10 s
  int call_deadline_ms = 10000;    // Default: 10 s for unary calls
  int ack_timeout_ms = 15000;      // Default: 15 s without an ack while batches are in flight ends the stream
  int reconcile_interval_s = 600;  // Default: compare with the centre every 10 minutes when idle (0 = never)
  size_t snapshot_chunk_cases = 500;
  bool gzip = true;                // Default: compress batches (hospital links); off saves CPU on fast links
};

struct ReconcileResult {
  uint64_t as_of_seq = 0;
  int64_t cases = 0;
  uint64_t digest = 0;
  std::vector<std::string> differing_case_ids;  // first 100
  int64_t differing = 0;
  int64_t resent = 0;
  int64_t tombstoned = 0;
};

struct SenderStatus {
  bool connected = false;
  std::string last_error;
  uint64_t centre_applied_seq = 0;
};

class Sender {
 public:
  // `store` must outlive the sender.
  Sender(AgentStore& store, SenderOptions options);
  ~Sender();
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  absl::Status Start();
  // Stops after the in-flight batches are answered or the stream breaks.
  void Stop();
  SenderStatus Status() const;

  // Runs a reconciliation at the next idle moment of a live session and
  // returns its result. UNAVAILABLE when no session is up within `timeout_s`.
  absl::StatusOr<ReconcileResult> ReconcileNow(int timeout_s);

 private:
  void Run();
  // One session: Hello and a Push stream until it breaks. Returns why it ended.
  absl::Status Session();
  void SetError(const std::string& error);
  // Sends every current case between begin/end markers (Hello asked for it).
  absl::Status SendSnapshot(void* stub);
  // Compares with the centre, queues repairs, reports. FAILED_PRECONDITION
  // (retry later) when the centre is not at this store's seq.
  absl::StatusOr<ReconcileResult> Reconcile(void* stub);
  // A new channel (new connection): after a failed session the old one may be
  // half-open, and gRPC would keep using it until keepalive notices.
  void NewChannel();

  AgentStore& store_;
  const SenderOptions options_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::condition_variable reconciled_;
  SenderStatus status_ ABSL_GUARDED_BY(mu_);
  int reconcile_requests_ ABSL_GUARDED_BY(mu_) = 0;   // asked by ReconcileNow
  uint64_t reconcile_epoch_ ABSL_GUARDED_BY(mu_) = 0; // completed passes
  absl::StatusOr<ReconcileResult> last_reconcile_ ABSL_GUARDED_BY(mu_) = absl::UnavailableError("none yet");
  std::shared_ptr<grpc::ChannelCredentials> creds_;
  std::shared_ptr<grpc::Channel> channel_;  // used by the sending thread only
};

}  // namespace fedreg::agent
