// Receives this site's trial-match notices from the centre (docs/trials.md,
// "Notices"): a Sync.Notices stream from the agent store's notice cursor
// over the sender's connection (the site's own mutually authenticated
// channel, once Hello has been answered: one connection per site; a new
// sync session moves the stream to the new connection). Notices that arrive together are stored in one synced write
// with the new cursor, then acknowledged (AckNotices), so each is stored
// exactly once across restarts and faults of either side: a replay after a
// reconnect starts after the cursor, and the store skips what it holds.
//
// Threading: Start() spawns the receiving thread (which owns a reader thread
// per stream); Stop() cancels the stream and joins them.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "agent/agent_store.h"
#include "agent/sender.h"

namespace fedreg::agent {

struct NoticeReceiverOptions {
  std::string site_id;
  int backoff_max_ms = 10000;      // Default: 10 s between attempts at most
};

struct NoticeReceiverStatus {
  bool connected = false;
  std::string last_error;
  int64_t received = 0;            // notices stored since start
  // Milliseconds from the centre making a notice to this agent storing it
  // (centre and site clocks), for the most recent notices (at most 4096).
  std::vector<double> recent_latency_ms;
};

class NoticeReceiver {
 public:
  // `store` and `sender` must outlive the receiver.
  NoticeReceiver(AgentStore& store, const Sender& sender, NoticeReceiverOptions options);
  ~NoticeReceiver();
  NoticeReceiver(const NoticeReceiver&) = delete;
  NoticeReceiver& operator=(const NoticeReceiver&) = delete;

  absl::Status Start();
  void Stop();
  NoticeReceiverStatus Status() const;

 private:
  void Run();
  // One stream until it breaks; why it ended.
  absl::Status Session();

  AgentStore& store_;
  const Sender& sender_;
  const NoticeReceiverOptions options_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  NoticeReceiverStatus status_;    // guarded by mu_
  void* active_ctx_ = nullptr;     // guarded by mu_: the open stream's grpc::ClientContext
};

}  // namespace fedreg::agent
