#include "common/service_notify.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <time.h>

namespace fedreg {
namespace {

// A status line stays one line: sd_notify separates assignments by newlines.
std::string OneLine(std::string s) {
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s;
}

void Send(const std::string& state) {
  // 0: keep NOTIFY_SOCKET, later notifications (reload, stop) use it too.
  int r = sd_notify(0, state.c_str());
  if (r < 0) spdlog::warn("sd_notify failed: {}", r);
}

}  // namespace

void NotifyReady(const std::string& status) { Send("READY=1\nSTATUS=" + OneLine(status)); }

void NotifyReloading(const std::string& status) {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const long long usec = static_cast<long long>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
  Send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\nSTATUS=" + OneLine(status));
}

void NotifyStopping(const std::string& status) { Send("STOPPING=1\nSTATUS=" + OneLine(status)); }

void NotifyStatus(const std::string& status) { Send("STATUS=" + OneLine(status)); }

std::chrono::microseconds WatchdogPinger::Start() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::chrono::microseconds(0);
  auto period = std::chrono::microseconds(usec / 2);
  thread_ = std::thread([this, period] { Run(period); });
  return period;
}

void WatchdogPinger::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WatchdogPinger::Run(std::chrono::microseconds period) {
  bool was_healthy = true;
  for (;;) {
    const bool healthy = healthy_();
    if (healthy) Send("WATCHDOG=1");
    if (healthy != was_healthy)
      spdlog::warn(healthy ? "watchdog: healthy again, pinging systemd"
                           : "watchdog: health check failed, not pinging systemd (it restarts the service "
                             "once WatchdogSec= passes)");
    was_healthy = healthy;
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, period, [this] { return stop_; })) return;
  }
}

}  // namespace fedreg
