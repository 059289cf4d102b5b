// The daemons' side of systemd's notify protocol (sd_notify(3)): readiness,
// reloads, shutdown, status lines and the watchdog. Without NOTIFY_SOCKET in
// the environment (not started by systemd, or Type= is not notify) every call
// is a no-op, so the daemons behave the same when run by hand or by tests.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace fedreg {

// READY=1 with STATUS=<status>. Call once the daemon serves (store open,
// listener or socket bound): systemd orders dependent units after it.
void NotifyReady(const std::string& status);
// RELOADING=1 (with MONOTONIC_USEC, which systemd >= 253 wants) at the start
// of a SIGHUP reload; follow it with NotifyReady() when the reload is done,
// applied or refused.
void NotifyReloading(const std::string& status);
// STOPPING=1 when draining begins.
void NotifyStopping(const std::string& status);
// STATUS=<status> alone (shown by `systemctl status`).
void NotifyStatus(const std::string& status);

// Sends WATCHDOG=1 every half of the interval systemd asked for
// (WatchdogSec=, seen as WATCHDOG_USEC), but only while `healthy()` returns
// true: a process whose check hangs or fails stops pinging and systemd
// restarts it. Does nothing when the watchdog is not enabled. What liveness a
// ping proves is the caller's `healthy()`; see its comment in each main.cc.
class WatchdogPinger {
 public:
  explicit WatchdogPinger(std::function<bool()> healthy) : healthy_(std::move(healthy)) {}
  ~WatchdogPinger() { Stop(); }
  WatchdogPinger(const WatchdogPinger&) = delete;
  WatchdogPinger& operator=(const WatchdogPinger&) = delete;

  // Returns the ping period, or zero when systemd asked for no watchdog.
  std::chrono::microseconds Start();
  void Stop();

 private:
  void Run(std::chrono::microseconds period);

  const std::function<bool()> healthy_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace fedreg
