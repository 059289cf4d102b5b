// The Prometheus text the aggregator and the agent serve (common/metrics_http.h).
#include "common/metrics_http.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace fedreg {
namespace {

// A histogram's _sum grows for the process's life: a scrape must carry it
// with every digit, or the difference of two scrapes (a mean over the
// minutes between them) is lost in the rounding.
TEST(MetricsWriter, ValuesKeepEveryDigitAndIntegersPrintWithoutAFraction) {
  MetricsWriter w;
  w.Sample("a", 1234567.891);
  w.Sample("b", 0.1);
  w.Sample("c", 42);
  w.Sample("d", 2.5e-7);
  const double bounds[] = {0.25, 1};
  const int64_t counts[] = {1, 2, 3};
  w.Histogram("h_seconds", "help", bounds, 2, counts, 1000000.000123);
  const std::string text = w.Take();
  EXPECT_EQ(text.find("a 1234567.891\n"), 0u) << text;
  EXPECT_NE(text.find("\nb 0.1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nc 42\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nd 2.5e-07\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_seconds_sum 1000000.000123\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_seconds_bucket{le=\"0.25\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_seconds_bucket{le=\"+Inf\"} 6\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_seconds_count 6\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace fedreg
