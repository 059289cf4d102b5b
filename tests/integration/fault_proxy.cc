#include "tests/integration/fault_proxy.h"

#include "tests/integration/loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

namespace fedreg::testing {
namespace {

void Rst(int fd) {
  linger l{1, 0};  // close with RST instead of FIN
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  close(fd);
}

}  // namespace

FaultProxy::FaultProxy(int target_port) : target_port_(target_port) {
  listen_fd_ = ListenLoopback(&port_, "fault proxy");
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

FaultProxy::~FaultProxy() {
  stop_ = true;
  shutdown(listen_fd_, SHUT_RDWR);
  close(listen_fd_);
  acceptor_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& t : pumps_) t.join();
}

void FaultProxy::SetMode(Mode mode, int delay_ms) {
  delay_ms_ = delay_ms;
  mode_ = static_cast<int>(mode);
}

void FaultProxy::ResetAll() { ++reset_epoch_; }

void FaultProxy::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int client = accept(listen_fd_, nullptr, nullptr);
    if (client < 0) continue;
    ++connections_;
    int upstream = ConnectLoopback(target_port_);
    if (upstream < 0) {
      Rst(client);
      continue;
    }
    NoDelay(client);
    std::lock_guard<std::mutex> lock(mu_);
    pumps_.emplace_back([this, client, upstream] { Pump(client, upstream); });
  }
}

void FaultProxy::Pump(int client, int upstream) {
  const uint64_t epoch = reset_epoch_;
  char buf[64 * 1024];
  while (!stop_) {
    if (reset_epoch_ != epoch) break;
    Mode mode = static_cast<Mode>(mode_.load());
    if (mode == Mode::kStall) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    pollfd p[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    int n = poll(p, 2, 20);
    if (n < 0) break;
    if (n == 0) continue;
    bool closed = false;
    for (int i = 0; i < 2 && !closed; ++i) {
      if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t r = recv(p[i].fd, buf, sizeof(buf), 0);
      if (r <= 0) {
        closed = true;
        break;
      }
      if (mode == Mode::kBlackhole) continue;  // swallowed
      if (mode == Mode::kDelay) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_.load()));
      if (!SendAll(i == 0 ? upstream : client, buf, static_cast<size_t>(r))) closed = true;
    }
    if (closed) break;
  }
  Rst(client);
  Rst(upstream);
}

}  // namespace fedreg::testing
