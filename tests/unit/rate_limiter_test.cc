#include "common/rate_limiter.h"

#include <gtest/gtest.h>

namespace fedreg {
namespace {

TEST(TokenBucket, AllowsTheBurstThenAsksToWaitInProportion) {
  auto now = std::chrono::steady_clock::time_point();
  TokenBucket bucket(1000, 500, [&] { return now; });  // 1000/s, burst 500
  EXPECT_EQ(bucket.Take(500).count(), 0);
  EXPECT_EQ(bucket.Take(100).count(), 100000);  // 100 tokens short at 1000/s: 100 ms
  now += std::chrono::milliseconds(100);        // the caller waited
  EXPECT_EQ(bucket.Take(100).count(), 100000);  // still at the rate, not beyond
  now += std::chrono::seconds(10);              // idle: refills to the burst only
  EXPECT_EQ(bucket.Take(500).count(), 0);
  EXPECT_GT(bucket.Take(1).count(), 0);
}

}  // namespace
}  // namespace fedreg
