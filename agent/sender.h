// Pushes the agent's outbox to the centre (DESIGN.md section 5): Hello, then
// a bidirectional Push stream with up to `window` batches in flight. The
// outbox is trimmed only when the centre acknowledges a seq as durable, so a
// crash on either side resumes from the last durable ack with nothing lost;
// the centre skips what it already applied, so nothing is duplicated.
//
// The centre is not trusted with the outbox: every answer is checked
// (agent/centre_answers.h) before anything is trimmed, and one that names
// seqs never sent ends the session with the reason in Status().last_error.
// The connection (keepalive, connect timeout, what is slow) is
// agent/centre_channel.h.
//
// Threading: Start() spawns one sending thread (which also owns a reader and
// an ack watchdog thread per stream); Stop() joins them. Status() and
// ReconcileNow() may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "agent/agent_store.h"
#include "agent/centre_answers.h"
#include "agent/centre_channel.h"
#include "common/batch_codec.h"
#include "common/tls.h"

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
  int call_deadline_ms = 10000;    // Default: 10 s for unary calls (Hello, ReportReconcile), once connected
  int ack_timeout_ms = 15000;      // Default: 15 s without an ack while batches are in flight ends the stream
  int connect_timeout_ms = 20000;  // Default: 20 s for TCP + TLS + HTTP/2 setup (CentreChannelOptions)
  int keepalive_time_ms = 4000;    // Default: 4 s between pings on a quiet connection
  int keepalive_timeout_ms = 6000; // Default: 6 s for a ping's answer; above the link's round trip
  int reconcile_interval_s = 600;  // Default: compare with the centre every 10 minutes when idle (0 = never)
  size_t snapshot_chunk_cases = 500;
  // How batches are compressed for the link (hospital links are WANs, where
  // bytes are scarce). Default kZstd: batches packed from the outbox's stored
  // bytes and compressed with Zstandard (common/batch_codec.h), to a centre
  // whose Hello offers it, else gRPC's gzip; the other calls use gzip.
  // kGzip: gRPC's gzip for every call. kNone: no compression (a LAN).
  enum class Compression { kZstd, kGzip, kNone };
  Compression compression = Compression::kZstd;
};

struct ReconcileResult {
  uint64_t as_of_seq = 0;
  int64_t cases = 0;
  uint64_t digest = 0;
  std::vector<std::string> differing_case_ids;  // first 100
  int64_t differing = 0;
  int64_t resent = 0;
  int64_t tombstoned = 0;
  // False when the report did not reach the centre (which then still shows
  // the previous one, or "stale"); `report_error` says why.
  bool reported = false;
  std::string report_error;
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
  // The channel of the live sync session (Hello answered), nullptr between
  // sessions. The notice receiver streams over it: one connection per site.
  std::shared_ptr<grpc::Channel> SessionChannel() const;

  // Runs a reconciliation at the next idle moment of a live session and
  // returns its result (see `reported`). UNAVAILABLE when no session is up
  // within `timeout_s`; the pass's own error when it failed (e.g. INTERNAL
  // when the centre's case list made no sense).
  absl::StatusOr<ReconcileResult> ReconcileNow(int timeout_s);

  // --reconcile-interval-s, changed by a SIGHUP reload (thread-safe); the
  // sending thread reads it at its next idle moment.
  void SetReconcileIntervalS(int seconds) { reconcile_interval_s_.store(seconds); }
  int reconcile_interval_s() const { return reconcile_interval_s_.load(); }

 private:
  void Run();
  // One session: connect, Hello, and a Push stream until it breaks. Returns
  // why it ended.
  absl::Status Session();
  // The Push stream of a session, with the limits agreed at Hello.
  absl::Status Push(void* stub, const PushLimits& limits);
  // Records why the last session ended (made valid UTF-8 and bounded: it may
  // quote the centre) and marks the sender disconnected.
  void SetError(const std::string& error);
  // Sends every current case between begin/end markers (Hello asked for it).
  absl::Status SendSnapshot(void* stub);
  // Compares with the centre, queues repairs, reports. FAILED_PRECONDITION
  // (retry later) when the centre is not at this store's seq.
  absl::StatusOr<ReconcileResult> Reconcile(void* stub);

  // Replaces a batch's only change by a CHANGE_KIND_PARKED stub, and records
  // it in the quarantine, when the change alone is above the centre's
  // message limit (it could never be sent). Errors only when the store
  // cannot record it.
  absl::Status ParkIfUnsendable(const PushLimits& limits, v1::Batch* batch);

  // Fills `req` with the outbox's next batch from seq `next` on: packed by
  // `packer` when the centre takes packed batches, else as a Batch (where a
  // lone change above the centre's limit is parked). Returns the batch's
  // last seq, 0 when nothing is pending. Errors are the store's.
  absl::StatusOr<uint64_t> NextBatch(const PushLimits& limits, uint64_t next, BatchPacker& packer,
                                     v1::PushRequest* req);

  AgentStore& store_;
  const SenderOptions options_;  // reconcile_interval_s: the start value; the current one is below
  AgentStore::OutboxBytes outbox_bytes_;  // the sending thread's buffer, reused batch to batch
  std::atomic<int> reconcile_interval_s_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::condition_variable reconciled_;
  SenderStatus status_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<grpc::Channel> session_channel_ ABSL_GUARDED_BY(mu_);
  // The Hello in progress, cancelled by Stop (its deadline is longer than SIGTERM's bound).
  grpc::ClientContext* hello_ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
  int reconcile_requests_ ABSL_GUARDED_BY(mu_) = 0;   // asked by ReconcileNow
  uint64_t reconcile_epoch_ ABSL_GUARDED_BY(mu_) = 0; // completed passes
  absl::StatusOr<ReconcileResult> last_reconcile_ ABSL_GUARDED_BY(mu_) = absl::UnavailableError("none yet");
  std::unique_ptr<CentreChannel> link_;  // used by the sending thread only
  // Highest seq this process has written to a Push stream. An ack above it
  // names seqs the centre never received from us (written by the sending
  // thread, read by the stream's reader). Not per stream: after a reconnect
  // the centre may rightly acknowledge what an earlier stream delivered.
  std::atomic<uint64_t> sent_watermark_{0};
};

}  // namespace fedreg::agent
