// A token bucket: `rate` tokens per second, bursts up to `burst`. Used by the
// centre to bound each site's apply rate (backpressure, not refusal: a site
// over its rate is slowed down, its stream stays up). Thread-compatible:
// callers serialize Take() per bucket; SetRate() may come from any thread (a
// SIGHUP reload). The clock is injected for tests.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>

namespace fedreg {

class TokenBucket {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  TokenBucket(double rate, double burst, Clock clock = [] { return std::chrono::steady_clock::now(); })
      : rate_(rate), burst_(burst), tokens_(burst), clock_(std::move(clock)), last_(clock_()) {}

  // Takes `n` tokens and returns how long the caller must wait before
  // proceeding (zero when within the rate). The debt is carried, so a caller
  // that waits the returned time stays at `rate` on average.
  std::chrono::microseconds Take(double n) {
    auto now = clock_();
    double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    const double rate = rate_.load(std::memory_order_relaxed), burst = burst_.load(std::memory_order_relaxed);
    tokens_ = std::min(burst, tokens_ + elapsed * rate) - n;
    if (tokens_ >= 0 || rate <= 0) return std::chrono::microseconds(0);
    return std::chrono::microseconds(static_cast<int64_t>(-tokens_ / rate * 1e6));
  }

  // A new rate and burst from the next Take() on; the debt or credit carried so
  // far is kept (clamped to the new burst at that Take()).
  void SetRate(double rate, double burst) {
    rate_.store(rate, std::memory_order_relaxed);
    burst_.store(burst, std::memory_order_relaxed);
  }

 private:
  std::atomic<double> rate_, burst_;
  double tokens_;
  Clock clock_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace fedreg
