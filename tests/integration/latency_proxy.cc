#include "tests/integration/latency_proxy.h"

#include "tests/integration/loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <stdexcept>
#include <string>

namespace fedreg::testing {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

LatencyProxy::LatencyProxy(int target_port, int one_way_delay_ms)
    : target_port_(target_port), delay_ms_(one_way_delay_ms) {
  listen_fd_ = ListenLoopback(&port_, "latency proxy");
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

LatencyProxy::~LatencyProxy() {
  stop_ = true;
  shutdown(listen_fd_, SHUT_RDWR);
  close(listen_fd_);
  acceptor_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& t : carriers_) t.join();
}

void LatencyProxy::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int client = accept(listen_fd_, nullptr, nullptr);
    if (client < 0) continue;
    ++connections_;
    int upstream = ConnectLoopback(target_port_);
    if (upstream < 0) {
      close(client);
      continue;
    }
    NoDelay(client);
    std::lock_guard<std::mutex> lock(mu_);
    carriers_.emplace_back([this, client, upstream] { Carry(client, upstream); });
  }
}

void LatencyProxy::Carry(int client, int upstream) {
  std::thread back([this, client, upstream] { Lane(upstream, client); });
  Lane(client, upstream);
  back.join();
  close(client);
  close(upstream);
}

void LatencyProxy::Lane(int from, int to) {
  struct Chunk {
    Clock::time_point due;
    std::string bytes;
  };
  std::deque<Chunk> line;  // in arrival order, so due times are in order too
  bool eof = false;
  char buf[64 * 1024];
  while (!stop_) {
    const auto now = Clock::now();
    while (!line.empty() && line.front().due <= now) {
      if (!SendAll(to, line.front().bytes.data(), line.front().bytes.size())) {
        shutdown(from, SHUT_RDWR);  // the other side is gone: end both directions
        shutdown(to, SHUT_RDWR);
        return;
      }
      line.pop_front();
    }
    if (eof && line.empty()) {
      shutdown(to, SHUT_WR);  // pass the FIN on, after the data before it
      return;
    }
    int wait_ms = 20;
    if (!line.empty())
      wait_ms = static_cast<int>(std::clamp<int64_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(line.front().due - now).count(), 0, 20));
    if (eof) {
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
      continue;
    }
    pollfd p{from, POLLIN, 0};
    if (poll(&p, 1, wait_ms) <= 0) continue;
    ssize_t r = recv(from, buf, sizeof(buf), 0);
    if (r == 0) {
      eof = true;
      continue;
    }
    if (r < 0) {  // reset: end both directions
      shutdown(from, SHUT_RDWR);
      shutdown(to, SHUT_RDWR);
      return;
    }
    line.push_back({Clock::now() + std::chrono::milliseconds(delay_ms_), std::string(buf, static_cast<size_t>(r))});
  }
}

}  // namespace fedreg::testing
