// A TCP proxy for fault injection between agents and the aggregator. It
// forwards 127.0.0.1:port() to 127.0.0.1:target and can reset every open
// connection, delay traffic, stall it (stop reading: TCP backpressure) or
// blackhole it (read and discard). Threading: one accept thread plus one
// thread per connection; every method may be called from any thread.
#pragma once

#include <atomic>
#include <list>
#include <mutex>
#include <thread>

namespace fedreg::testing {

class FaultProxy {
 public:
  enum class Mode { kPass, kDelay, kStall, kBlackhole };

  explicit FaultProxy(int target_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return port_; }
  void SetMode(Mode mode, int delay_ms = 0);
  // Sends RST on every open connection (both sides).
  void ResetAll();
  int64_t connections() const { return connections_; }

 private:
  void AcceptLoop();
  void Pump(int client, int upstream);

  int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> mode_{0};
  std::atomic<int> delay_ms_{0};
  std::atomic<uint64_t> reset_epoch_{0};
  std::atomic<int64_t> connections_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::list<std::thread> pumps_;  // guarded by mu_
};

}  // namespace fedreg::testing
