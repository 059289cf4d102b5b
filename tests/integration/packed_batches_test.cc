// Packed batches over real mutual TLS (sync.proto, BatchCodec; agent
// --compression): the real agent and aggregator use zstd-packed batches by
// default and gRPC's gzip when the agent is told; an agent falls back to
// unpacked batches for a centre whose Hello does not offer packing (one
// before 0.4.0), and packs once a new Hello does.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>

#include "tests/integration/agent_test_util.h"
#include "tests/integration/cluster.h"
#include "tests/integration/scripted_centre.h"

namespace fedreg::testing {
namespace {

// The value of an unlabelled sample in a Prometheus exposition; -1 when absent.
double Sample(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  return -1;
}

TEST(PackedBatches, TheRealAgentAndAggregatorPackWithZstdByDefaultAndUseGzipWhenTold) {
  Cluster c;
  const int metrics = FreePort();
  c.StartAggregator({"--metrics-listen", "127.0.0.1:" + std::to_string(metrics)});
  c.StartAgent("ncch");
  ASSERT_EQ(c.Import("ncch", WriteSimpleExport(c.dir() + "/ncch.csv", "ncch", 0, 60)).accepted(), 60);
  ASSERT_TRUE(c.WaitForConvergence("ncch", 60));
  std::string text = HttpGet(metrics, "/metrics");
  const double packed = Sample(text, "fedreg_sync_packed_batches_total");
  EXPECT_GT(packed, 0) << text;
  EXPECT_EQ(packed, Sample(text, "fedreg_sync_batches_total")) << "every batch of the default agent came packed";
  EXPECT_GT(Sample(text, "fedreg_sync_bytes_total"), 1.5 * Sample(text, "fedreg_sync_packed_bytes_total"))
      << "zstd should shrink the serialized cases well below their size";

  c.StartAgent("kyoto", "", {"--compression", "gzip"});
  ASSERT_EQ(c.Import("kyoto", WriteSimpleExport(c.dir() + "/kyoto.csv", "kyoto", 0, 40)).accepted(), 40);
  ASSERT_TRUE(c.WaitForConvergence("kyoto", 60));
  text = HttpGet(metrics, "/metrics");
  EXPECT_EQ(Sample(text, "fedreg_sync_packed_batches_total"), packed) << "the gzip agent's batches are not packed";
  EXPECT_GT(Sample(text, "fedreg_sync_batches_total"), packed);
  v1::GetStatsResponse stats;
  ASSERT_TRUE(c.GetStats(true, &stats).ok());
  EXPECT_EQ(stats.cases(), 100);
  EXPECT_TRUE(stats.verified());
}

// Waits until the scripted centre has applied `seq`.
bool AppliedUpTo(const ScriptedCentre& centre, uint64_t seq) {
  for (int i = 0; i < 400 && centre.applied_seq() < seq; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return centre.applied_seq() >= seq;
}

TEST(PackedBatches, AnAgentSendsUnpackedBatchesToACentreThatDoesNotOfferPackingAndPacksAfterANewHello) {
  Cluster c;
  ScriptedCentre centre(c.pki());  // as a centre before 0.4.0: offers no codec, refuses packed batches
  centre.SetLimits(/*window=*/2, 4 << 20, /*max_batch_events=*/5);
  c.SetAgentServerPort(centre.port());
  c.StartAgent("ncch");
  ASSERT_EQ(c.Import("ncch", WriteSimpleExport(c.dir() + "/a.csv", "ncch", 0, 20)).accepted(), 20);
  ASSERT_TRUE(AppliedUpTo(centre, 20));
  EXPECT_EQ(centre.packed_batches(), 0);
  EXPECT_EQ(centre.cases(), 20);

  centre.OfferPackedBatches(true);
  c.StopAgent("ncch");  // the next session's Hello sees the offer
  c.StartAgent("ncch");
  ASSERT_EQ(c.Import("ncch", WriteSimpleExport(c.dir() + "/b.csv", "ncch", 20, 40)).accepted(), 20);
  ASSERT_TRUE(AppliedUpTo(centre, 40));
  EXPECT_GE(centre.packed_batches(), 4) << "20 changes in batches of at most 5";
  EXPECT_EQ(centre.cases(), 40);
  ASSERT_TRUE(c.WaitForDrain("ncch", 30));
}

}  // namespace
}  // namespace fedreg::testing
