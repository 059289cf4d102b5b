// A token bucket: `rate` tokens per second, bursts up to `burst`. Used by the
// centre to bound each site's apply rate (backpressure, not refusal: a site
// over its rate is slowed down, its stream stays up). Thread-compatible:
// callers serialize access per bucket. The clock is injected for tests.
#pragma once

#include <algorithm>
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
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_) - n;
    if (tokens_ >= 0 || rate_ <= 0) return std::chrono::microseconds(0);
    return std::chrono::microseconds(static_cast<int64_t>(-tokens_ / rate_ * 1e6));
  }

 private:
  const double rate_, burst_;
  double tokens_;
  Clock clock_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace fedreg
