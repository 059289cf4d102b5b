// The random numbers behind the synthetic exports (common/synth.h).
//
// One std::mt19937_64 with hand-written uniform, integer, normal, exponential
// and weighted draws: the std:: distributions differ between standard
// libraries, and the same seed must give the same bytes everywhere. Every
// draw consumes a fixed number of engine outputs except Int(), which rejects
// (rarely) to stay free of modulo bias; both are deterministic.
//
// Not thread-safe: one Rng per generator, used by one thread.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <vector>

namespace fedreg::synth {

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1), 53 random bits.
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }

  // Uniform integer in [lo, hi] (inclusive), without modulo bias.
  int64_t Int(int64_t lo, int64_t hi) {
    if (hi <= lo) return lo;
    const uint64_t range = static_cast<uint64_t>(hi - lo) + 1;
    const uint64_t max = std::numeric_limits<uint64_t>::max();
    const uint64_t limit = max - max % range;
    uint64_t x = 0;
    do {
      x = engine_();
    } while (x >= limit);
    return lo + static_cast<int64_t>(x % range);
  }

  bool Chance(double p) { return Uniform() < p; }

  // Box-Muller; always consumes two draws.
  double Normal(double mean, double sd) {
    const double u1 = 1.0 - Uniform();  // (0, 1]
    const double u2 = Uniform();
    return mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
  }

  double Exponential(double mean) { return -mean * std::log(1.0 - Uniform()); }

  // Index drawn with probability proportional to weights[i]; weights <= 0
  // are never drawn. REQUIRES: at least one weight > 0 (else returns 0).
  size_t Weighted(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) total += w > 0 ? w : 0;
    double r = Uniform() * total;
    size_t last = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (weights[i] <= 0) continue;
      last = i;
      if (r < weights[i]) return i;
      r -= weights[i];
    }
    return last;
  }

  // REQUIRES: !v.empty().
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Int(0, static_cast<int64_t>(v.size()) - 1))];
  }

  template <typename T>
  void Shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) {
      const size_t j = static_cast<size_t>(Int(0, static_cast<int64_t>(i) - 1));
      std::swap(v[i - 1], v[j]);
    }
  }

 private:
  static constexpr double kPi = 3.14159265358979323846;
  std::mt19937_64 engine_;
};

}  // namespace fedreg::synth
