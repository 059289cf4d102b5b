// A TCP proxy that behaves as a long link: every chunk read in one direction
// is delivered at its arrival time plus a fixed one-way delay, in order, and
// each direction runs on its own thread, so both can be in flight at once (a
// round trip costs two delays, as on a real link). Unlike FaultProxy's
// kDelay, which sleeps in one loop for both directions, it does not
// serialise the directions. The TCP connect itself is not delayed (the
// kernel completes it before the proxy sees it): only data is.
//
// Forwards 127.0.0.1:port() to 127.0.0.1:target_port. Threading: one accept
// thread, and per connection one thread per direction; the destructor joins
// them. connections() may be called from any thread.
#pragma once

#include <atomic>
#include <list>
#include <mutex>
#include <thread>

namespace fedreg::testing {

class LatencyProxy {
 public:
  LatencyProxy(int target_port, int one_way_delay_ms);
  ~LatencyProxy();
  LatencyProxy(const LatencyProxy&) = delete;
  LatencyProxy& operator=(const LatencyProxy&) = delete;

  int port() const { return port_; }
  // TCP connections accepted so far.
  int64_t connections() const { return connections_; }

 private:
  void AcceptLoop();
  // Carries one connection: a thread per direction, then closes both ends.
  void Carry(int client, int upstream);
  // Moves bytes from `from` to `to`, each chunk delay ms after it was read.
  void Lane(int from, int to);

  const int target_port_;
  const int delay_ms_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> connections_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::list<std::thread> carriers_;  // guarded by mu_
};

}  // namespace fedreg::testing
