// Receives this site's trial-match notices from the centre (docs/trials.md,
// "Notices"): a Sync.Notices stream from the agent store's notice cursor
// over the site's own mutually authenticated connection (outbound, like the
// sender's). Notices that arrive together are stored in one synced write
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
#include "agent/centre_channel.h"
#include "common/tls.h"

namespace fedreg::agent {

struct NoticeReceiverOptions {
  std::string site_id;
  std::string server;              // host:port of the aggregator
  TlsFiles tls;
  int connect_timeout_ms = 20000;  // Default: as the sender's
  int keepalive_time_ms = 4000;
  int keepalive_timeout_ms = 6000;
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
  NoticeReceiver(AgentStore& store, NoticeReceiverOptions options);
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
  const NoticeReceiverOptions options_;
  std::unique_ptr<CentreChannel> link_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  NoticeReceiverStatus status_;    // guarded by mu_
  void* active_ctx_ = nullptr;     // guarded by mu_: the open stream's grpc::ClientContext
};

}  // namespace fedreg::agent
