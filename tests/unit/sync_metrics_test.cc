// The sync service's counters behind /metrics (server/sync_service.h,
// SyncMetrics): the freshness and arrival histograms and the exact record.
#include <gtest/gtest.h>

#include <vector>

#include "server/sync_service.h"

namespace fedreg::server {
namespace {

// The exact freshness record behind `fedregctl sites`: the last 8,192
// samples, oldest first, in microseconds; the histogram counts every one.
TEST(SyncMetricsTest, RecentFreshnessKeepsTheLastSamplesOldestFirst) {
  SyncMetrics m;
  EXPECT_TRUE(m.RecentFreshnessUs().empty());
  std::vector<double> ms;
  for (int i = 0; i < 10000; ++i) ms.push_back(i);  // 0, 1, 2, ... ms
  m.ObserveFreshness({ms.begin(), ms.begin() + 3000});
  m.ObserveFreshness({ms.begin() + 3000, ms.end()});
  const std::vector<int64_t> recent = m.RecentFreshnessUs();
  ASSERT_EQ(recent.size(), SyncMetrics::kRecentFresh);
  for (size_t i = 0; i < recent.size(); ++i) ASSERT_EQ(recent[i], static_cast<int64_t>(10000 - 8192 + i) * 1000) << i;
  int64_t counted = 0;
  for (int i = 0; i <= SyncMetrics::kFreshBuckets; ++i) counted += m.fresh_bucket[i].load();
  EXPECT_EQ(counted, 10000);
}

// Arrival has the freshness buckets (bounds inclusive, the last +Inf) and no ring.
TEST(SyncMetricsTest, ArrivalCountsEachSampleInItsBucket) {
  SyncMetrics m;
  m.ObserveArrival({0.1, 0.25, 0.3, 2.5, 700000});
  EXPECT_EQ(m.arrive_bucket[0].load(), 2);  // <= 0.25 ms
  EXPECT_EQ(m.arrive_bucket[1].load(), 1);  // <= 0.5 ms
  EXPECT_EQ(m.arrive_bucket[6].load(), 1);  // <= 3 ms
  EXPECT_EQ(m.arrive_bucket[SyncMetrics::kFreshBuckets].load(), 1);  // above 600 s
  EXPECT_EQ(m.arrive_us_sum.load(), 100 + 250 + 300 + 2500 + 700000000);
  int64_t fresh = 0;
  for (int i = 0; i <= SyncMetrics::kFreshBuckets; ++i) fresh += m.fresh_bucket[i].load();
  EXPECT_EQ(fresh, 0);
  EXPECT_TRUE(m.RecentFreshnessUs().empty());
}

}  // namespace
}  // namespace fedreg::server
