// The Sync service (sync.proto): authenticates each hospital by its
// certificate, admits each call in the site's protocol state
// (docs/protocol.md) and applies its batches through the CentreStore.
// Threading: gRPC's sync server runs each call on a pool thread; one Push
// stream or Snapshot per site is allowed at a time (guarded by mu_).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "common/peer_identity.h"
#include "common/rate_limiter.h"
#include "fedreg/v1/sync.grpc.pb.h"
#include "server/centre_store.h"
#include "server/site_protocol.h"

namespace fedreg::server {

// Counters of the sync service, for /metrics. Updated on gRPC threads.
struct SyncMetrics {
  static constexpr int kBuckets = 13;
  static constexpr double kBucketMs[kBuckets] = {0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000, 5000};
  std::atomic<int64_t> batches{0}, events{0}, bytes{0}, rejected{0}, refused_calls{0};
  // Batches that came packed (PushRequest.packed_batch) and their bytes as
  // received: with `bytes` (unpacked), what the codec saved on the links.
  std::atomic<int64_t> packed_batches{0}, packed_bytes{0};
  std::atomic<int64_t> apply_ms_bucket[kBuckets + 1] = {};  // last = +Inf
  std::atomic<int64_t> apply_us_sum{0};
  void ObserveApply(double ms);
  // Freshness: from the change committed at the site to visible at the centre.
  static constexpr int kFreshBuckets = 16;
  static constexpr double kFreshMs[kFreshBuckets] = {0.25, 0.5, 0.75, 1,   1.5,  2,    3,    5,
                                                     10,   25,  100,  250, 1000, 5000, 60000, 600000};
  std::atomic<int64_t> fresh_bucket[kFreshBuckets + 1] = {};
  std::atomic<int64_t> fresh_us_sum{0};
  // One batch's freshness samples (ms each): into the histogram and the ring below.
  void ObserveFreshness(const std::vector<double>& ms);
  // Arrival: from the change committed at the site to its batch received by
  // the centre (the agent's send and the link), in the freshness buckets.
  // Freshness minus arrival is the centre's own part: unpack, build, queue,
  // write. Observed with freshness, when a batch is written: both count the
  // same events.
  std::atomic<int64_t> arrive_bucket[kFreshBuckets + 1] = {};
  std::atomic<int64_t> arrive_us_sum{0};
  void ObserveArrival(const std::vector<double>& ms);
  // The last kRecentFresh samples exactly (µs, oldest first), for exact
  // percentiles where the histogram's buckets only bound them (`fedregctl sites`).
  static constexpr size_t kRecentFresh = 8192;
  std::vector<int64_t> RecentFreshnessUs() const;

 private:
  mutable std::mutex recent_mu_;
  std::vector<int64_t> recent_fresh_us_ ABSL_GUARDED_BY(recent_mu_);  // a ring of kRecentFresh once full
  size_t recent_next_ ABSL_GUARDED_BY(recent_mu_) = 0;
};

struct SyncLimits {
  uint32_t max_batch_bytes = 4 << 20;  // Default: 4 MiB
  uint32_t max_batch_events = 1000;    // Default: 1000
  uint32_t window = 8;                 // Default: 8 batches in flight
  uint32_t max_streams = 2000;         // Default: 2000 sites streaming at once; more get RESOURCE_EXHAUSTED
  double site_events_per_s = 100000;   // Default: each site applies at most this many events/s (slowed, not refused)
  // Default: Hello offers packed batches (zstd, common/batch_codec.h). False
  // answers as a centre before 0.4.0 did, and refuses packed batches.
  bool packed_batches = true;
};

// Who is calling, from the call's verified certificate. Injected so that the
// protocol fuzzer and unit tests can drive the service without a network.
using CallerFn = std::function<absl::StatusOr<PeerIdentity>(const grpc::ServerContext&)>;

// Every entry point: authenticate (certificate -> site), admit the call in
// the site's protocol state (server/site_protocol.h, docs/protocol.md), then
// act. Every refusal is audited and answered with a status and a message
// that says what to do; nothing a peer sends reaches an assert.
class SyncServiceImpl final : public v1::Sync::Service {
 public:
  using PushStream = grpc::ServerReaderWriterInterface<v1::PushAck, v1::PushRequest>;
  using SnapshotReader = grpc::ServerReaderInterface<v1::SnapshotChunk>;
  using VersionWriter = grpc::ServerWriterInterface<v1::CaseVersionList>;

  // `caller` defaults to the certificate's SPIFFE id in `trust_domain`.
  SyncServiceImpl(CentreStore& store, std::string trust_domain, SyncLimits limits, CallerFn caller = nullptr);
  // A SIGHUP reload's new --site-events-per-s: every site's bucket, open or
  // future, applies it from its next batch on. Thread-safe.
  void SetSiteEventsPerS(double rate);
  double site_events_per_s() const;

  // Batches still queued in the store call back into this service when written.
  ~SyncServiceImpl() override { store_.WaitQueueDrained(); }

  grpc::Status Hello(grpc::ServerContext* ctx, const v1::HelloRequest* req, v1::HelloResponse* resp) override;
  grpc::Status Push(grpc::ServerContext* ctx,
                    grpc::ServerReaderWriter<v1::PushAck, v1::PushRequest>* stream) override {
    return HandlePush(ctx, stream);
  }
  grpc::Status Snapshot(grpc::ServerContext* ctx, grpc::ServerReader<v1::SnapshotChunk>* reader,
                        v1::SnapshotAck* ack) override {
    return HandleSnapshot(ctx, reader, ack);
  }
  grpc::Status CaseVersions(grpc::ServerContext* ctx, const v1::CaseVersionsRequest* req,
                            grpc::ServerWriter<v1::CaseVersionList>* writer) override {
    return HandleCaseVersions(ctx, req, writer);
  }
  grpc::Status ReportReconcile(grpc::ServerContext* ctx, const v1::ReconcileReport* req,
                               v1::ReconcileReportAck* ack) override;
  // Notices (server/sync_notices.cc): the site's notice log from its cursor,
  // then new notices as they become durable, until the call ends or the
  // centre stops.
  grpc::Status Notices(grpc::ServerContext* ctx, const v1::NoticesRequest* req,
                       grpc::ServerWriter<v1::Notice>* writer) override {
    return HandleNotices(ctx, req, writer);
  }
  grpc::Status AckNotices(grpc::ServerContext* ctx, const v1::AckNoticesRequest* req,
                          v1::AckNoticesResponse* resp) override;
  using NoticeWriter = grpc::ServerWriterInterface<v1::Notice>;
  grpc::Status HandleNotices(grpc::ServerContext* ctx, const v1::NoticesRequest* req, NoticeWriter* writer);

  // The streaming handlers over gRPC's stream interfaces (tests and the
  // protocol fuzzer pass their own streams).
  grpc::Status HandlePush(grpc::ServerContext* ctx, PushStream* stream);
  grpc::Status HandleSnapshot(grpc::ServerContext* ctx, SnapshotReader* reader, v1::SnapshotAck* ack);
  grpc::Status HandleCaseVersions(grpc::ServerContext* ctx, const v1::CaseVersionsRequest* req,
                                  VersionWriter* writer);

  // For SIGTERM: ends every open stream after the batch it is applying (the
  // agents resume from their last acknowledged seq elsewhere or later).
  void CancelStreams();

  const SyncMetrics& metrics() const { return metrics_; }
  // Notices written to sites' streams since start.
  int64_t notices_sent() const { return notices_sent_.load(); }

  // True while the site has a Push stream open.
  bool IsStreaming(const std::string& site_id) const;

 private:
  // The calling site, checked against `claimed` when not empty. Refusals are audited.
  grpc::Status Authenticate(const grpc::ServerContext& ctx, const std::string& claimed, const char* rpc,
                            std::string* site);
  // Records a refused call in the audit log and returns `status`.
  grpc::Status Refuse(const std::string& who, const char* rpc, const std::string& target, grpc::Status status);
  // What the centre knows of the site now (stored state, session, open call).
  absl::StatusOr<SiteFacts> Facts(const std::string& site) const;
  // The one admission check of every entry point (site_protocol.h); a
  // refusal is audited and returned.
  grpc::Status Admit(SyncRpc rpc, const std::string& site, const std::string& store_id);

  // Claims the site's single call slot (Push stream or Snapshot) for
  // `store_id`. A call of the same store is the same agent reconnecting over
  // a connection the centre has not yet seen die (half-open): it is
  // cancelled and replaced. Another store is refused with ALREADY_EXISTS.
  grpc::Status Claim(const std::string& site, const std::string& store_id, bool snapshot, grpc::ServerContext* ctx);
  void Release(const std::string& site, grpc::ServerContext* ctx);
  // Releases a claimed slot when the call ends.
  class StreamSlot {
   public:
    StreamSlot(SyncServiceImpl* self, std::string site, grpc::ServerContext* ctx)
        : self_(self), site_(std::move(site)), ctx_(ctx) {}
    ~StreamSlot() { self_->Release(site_, ctx_); }
    StreamSlot(const StreamSlot&) = delete;
    StreamSlot& operator=(const StreamSlot&) = delete;

   private:
    SyncServiceImpl* self_;
    std::string site_;
    grpc::ServerContext* ctx_;
  };

  // Sends a Push stream's acknowledgements from its own thread: "applied"
  // once the store's writer has written a queued batch, "durable" once the
  // group commit has synced it. Destroyed (joined) before the call ends.
  class DurableAcker {
   public:
    DurableAcker(CentreStore& store, PushStream* stream);
    ~DurableAcker();
    DurableAcker(const DurableAcker&) = delete;
    DurableAcker& operator=(const DurableAcker&) = delete;
    // A batch was queued (with its rejections). False when the stream or
    // the store failed: stop reading.
    bool Queued(uint64_t seq, uint64_t generation, std::vector<v1::Rejection> rejections);

   private:
    struct Entry {
      uint64_t seq;
      uint64_t generation;
      std::vector<v1::Rejection> rejections;
    };
    void Run();

    CentreStore& store_;
    PushStream* stream_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Entry> queued_ ABSL_GUARDED_BY(mu_);  // queued, not yet written
    bool done_ ABSL_GUARDED_BY(mu_) = false;
    bool broken_ ABSL_GUARDED_BY(mu_) = false;
    std::thread thread_;  // last: starts once the members above exist
  };

  struct ActiveStream {
    std::string store_id;
    grpc::ServerContext* ctx;
    bool snapshot = false;
  };
  // Per-site apply rate buckets; each is used only by the site's single stream.
  TokenBucket& BucketFor(const std::string& site);

  CentreStore& store_;
  const std::string trust_domain_;
  const SyncLimits limits_;  // site_events_per_s: the start value; the current one is site_rate_
  double site_rate_ ABSL_GUARDED_BY(mu_);
  const CallerFn caller_;
  SyncMetrics metrics_;
  std::atomic<bool> stopping_{false};       // CancelStreams was called: notice streams end
  std::atomic<int64_t> notices_sent_{0};
  mutable std::mutex mu_;
  std::condition_variable released_;
  std::map<std::string, ActiveStream> streaming_ ABSL_GUARDED_BY(mu_);
  // Site -> store whose last Hello (since this process started) was answered OK.
  std::map<std::string, std::string> sessions_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<TokenBucket>> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fedreg::server
