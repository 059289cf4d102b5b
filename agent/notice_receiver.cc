#include "agent/notice_receiver.h"

#include <grpcpp/client_context.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <random>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "agent/centre_answers.h"
#include "common/grpc_status.h"
#include "common/thread_name.h"
#include "fedreg/v1/sync.grpc.pb.h"

namespace fedreg::agent {
namespace {

constexpr size_t kLatencySamples = 4096;
constexpr size_t kMaxNoticesPerWrite = 1000;

}  // namespace

NoticeReceiver::NoticeReceiver(AgentStore& store, const Sender& sender, NoticeReceiverOptions options)
    : store_(store), sender_(sender), options_(std::move(options)) {}

NoticeReceiver::~NoticeReceiver() { Stop(); }

absl::Status NoticeReceiver::Start() {
  thread_ = std::thread([this] {
    NameThisThread("fedreg-notices");
    Run();
  });
  return absl::OkStatus();
}

void NoticeReceiver::Stop() {
  stop_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (active_ctx_ != nullptr) static_cast<grpc::ClientContext*>(active_ctx_)->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

NoticeReceiverStatus NoticeReceiver::Status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

void NoticeReceiver::Run() {
  std::mt19937_64 rng(std::random_device{}());
  int attempt = 0;
  while (!stop_) {
    const int64_t before = Status().received;
    absl::Status s = Session();
    if (stop_) break;
    {
      std::lock_guard<std::mutex> lock(mu_);
      status_.connected = false;
      status_.last_error = CentreText(s.ToString(), 1024);
    }
    // Between sync sessions there is nothing to stream over: wait for the next.
    const bool waiting = s.code() == absl::StatusCode::kFailedPrecondition || s.code() == absl::StatusCode::kAborted;
    if (!waiting) spdlog::warn("notice stream ended: {}", s.ToString());
    attempt = waiting || Status().received > before ? 0 : std::min(attempt + 1, 16);
    const int64_t ceiling = std::min<int64_t>(options_.backoff_max_ms, int64_t{200} << std::min(attempt, 10));
    const int64_t sleep_ms = static_cast<int64_t>(rng() % static_cast<uint64_t>(ceiling + 1));
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(sleep_ms);
    while (!stop_ && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

absl::Status NoticeReceiver::Session() {
  std::shared_ptr<grpc::Channel> channel = sender_.SessionChannel();
  if (channel == nullptr) return absl::FailedPreconditionError("waiting for the sync session");
  auto stub = v1::Sync::NewStub(channel);
  grpc::ClientContext ctx;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return absl::CancelledError("stopping");
    active_ctx_ = &ctx;
  }
  struct ClearCtx {
    NoticeReceiver* self;
    ~ClearCtx() {
      std::lock_guard<std::mutex> lock(self->mu_);
      self->active_ctx_ = nullptr;
    }
  } clear{this};
  v1::NoticesRequest req;
  req.set_site_id(options_.site_id);
  req.set_store_id(store_.store_id());
  req.set_after_seq(store_.notice_cursor());
  auto reader = stub->Notices(&ctx, req);

  // The reader thread queues what arrives; this thread stores everything
  // queued in one write, then acknowledges it.
  std::mutex qmu;
  std::condition_variable qcv;
  std::deque<v1::Notice> queue;
  bool ended = false;
  std::thread read_thread([&] {
    v1::Notice n;
    while (reader->Read(&n)) {
      std::lock_guard<std::mutex> lock(qmu);
      queue.push_back(std::move(n));
      qcv.notify_one();
    }
    std::lock_guard<std::mutex> lock(qmu);
    ended = true;
    qcv.notify_one();
  });
  // Best effort: the acknowledgement only feeds the centre's "stored"
  // count (reconcile, metrics); the cursor in the store is what resumes the
  // stream. One that fails (a reset link) is sent again when the stream is
  // idle, so the count catches up without a further notice.
  uint64_t acked = req.after_seq();
  auto acknowledge = [&] {
    const uint64_t cursor = store_.notice_cursor();
    if (cursor <= acked) return;
    v1::AckNoticesRequest ack;
    ack.set_site_id(options_.site_id);
    ack.set_store_id(store_.store_id());
    ack.set_seq(cursor);
    v1::AckNoticesResponse ack_resp;
    grpc::ClientContext actx;
    actx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (auto s = stub->AckNotices(&actx, ack, &ack_resp); s.ok()) acked = cursor;
    else spdlog::debug("AckNotices: {}", s.error_message());
  };
  absl::Status failure;
  bool moved = false;
  while (true) {
    std::vector<v1::Notice> batch;
    {
      std::unique_lock<std::mutex> lock(qmu);
      qcv.wait_for(lock, std::chrono::milliseconds(500), [&] { return ended || !queue.empty(); });
      if (!ended && queue.empty()) {
        lock.unlock();
        if (failure.ok()) acknowledge();
        lock.lock();
        // A new sync session (a new connection): follow it.
        if (!moved && (stop_ || sender_.SessionChannel() != channel)) {
          moved = true;
          ctx.TryCancel();
        }
        continue;
      }
      if (queue.empty()) break;  // ended and drained
      while (!queue.empty() && batch.size() < kMaxNoticesPerWrite) {
        batch.push_back(std::move(queue.front()));
        queue.pop_front();
      }
    }
    if (!failure.ok()) continue;  // drain what is left so the reader can finish
    if (auto s = store_.StoreNotices(batch); !s.ok()) {
      failure = s;
      ctx.TryCancel();
      continue;
    }
    const int64_t now_us = absl::ToUnixMicros(absl::Now());
    {
      std::lock_guard<std::mutex> lock(mu_);
      status_.connected = true;
      status_.last_error.clear();
      status_.received += static_cast<int64_t>(batch.size());
      for (const auto& n : batch) {
        status_.recent_latency_ms.push_back(static_cast<double>(now_us - n.at_unix_us()) / 1000.0);
        if (status_.recent_latency_ms.size() > kLatencySamples)
          status_.recent_latency_ms.erase(status_.recent_latency_ms.begin());
      }
    }
    acknowledge();
  }
  read_thread.join();
  grpc::Status fin = reader->Finish();
  if (!failure.ok()) return failure;
  if (moved) return absl::AbortedError("the sync session moved to a new connection");
  if (fin.ok()) return absl::UnavailableError("the centre closed the notice stream");
  return FromGrpc(fin, "Notices");
}

}  // namespace fedreg::agent
