// Mixed versions (docs/protocol.md, "Versions"): a 0.1.0 agent's Hello and
// Push, as stored bytes encoded with 0.1.0's .proto files
// (tests/fixtures/v0.1.0/make.sh), are accepted by this centre, which
// records the agent's release; this release's agent is recorded as such.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <grpcpp/create_channel.h>

#include "common/tls.h"
#include "common/version.h"
#include "fedreg/v1/admin.grpc.pb.h"
#include "fedreg/v1/sync.grpc.pb.h"
#include "tests/integration/cluster.h"

namespace fedreg::testing {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(FEDREG_SOURCE_DIR) + "/tests/fixtures/v0.1.0/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::shared_ptr<grpc::Channel> ChannelAs(Cluster& c, const std::string& identity) {
  auto creds = MakeChannelCredentials(
      {c.pki() + "/ca.pem", c.pki() + "/" + identity + ".pem", c.pki() + "/" + identity + ".key"});
  EXPECT_TRUE(creds.ok()) << creds.status();
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(c.port()), *creds);
}

const v1::SiteStatus* Site(const v1::ListSitesResponse& sites, const std::string& id) {
  for (const auto& s : sites.sites())
    if (s.site_id() == id) return &s;
  return nullptr;
}

TEST(Versions, AnAgentOfTheLastReleaseSyncsWithThisCentreFromItsStoredBytes) {
  Cluster c;
  c.StartAggregator();
  // The 0.1.0 bytes, parsed as the centre parses them (the fields 0.1.0 had
  // keep their numbers; nothing is lost or unknown on the way).
  v1::HelloRequest hello;
  ASSERT_TRUE(hello.ParseFromString(Fixture("hello.bin")));
  v1::PushRequest push;
  ASSERT_TRUE(push.ParseFromString(Fixture("push.bin")));
  ASSERT_EQ(hello.SerializeAsString(), Fixture("hello.bin"));
  ASSERT_EQ(push.SerializeAsString(), Fixture("push.bin"));
  EXPECT_TRUE(hello.software_version().empty());  // 0.1.0 did not send one
  ASSERT_EQ(push.batch().events_size(), 2);

  auto sync = v1::Sync::NewStub(ChannelAs(c, "site-ncch"));
  v1::HelloResponse welcome;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    auto s = sync->Hello(&ctx, hello, &welcome);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_FALSE(welcome.snapshot_required());
  EXPECT_EQ(welcome.applied_seq(), 0u);
  EXPECT_EQ(welcome.software_version(), FedregVersion());
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    auto stream = sync->Push(&ctx);
    ASSERT_TRUE(stream->Write(push));
    v1::PushAck ack;
    uint64_t durable = 0;
    while (durable < 2 && stream->Read(&ack)) {
      EXPECT_EQ(ack.rejections_size(), 0);
      durable = std::max(durable, ack.durable_seq());
    }
    EXPECT_EQ(durable, 2u);
    stream->WritesDone();
    ctx.TryCancel();
  }
  v1::GetStatsResponse stats;
  ASSERT_TRUE(c.GetStats(true, &stats).ok());
  EXPECT_EQ(stats.cases(), 2);
  EXPECT_TRUE(stats.verified());
  v1::ListSitesResponse sites;
  ASSERT_TRUE(c.ListSites(&sites).ok());
  ASSERT_NE(Site(sites, "ncch"), nullptr);
  EXPECT_EQ(Site(sites, "ncch")->agent_version(), "0.1.0");

  // This release's agent says which it is.
  // An agent with nothing imported is drained before it has said Hello:
  // wait for the centre to list it (converged at seq 0), not for the drain.
  c.StartAgent("kyoto");
  ASSERT_TRUE(c.WaitForConvergence("kyoto"));
  ASSERT_TRUE(c.ListSites(&sites).ok());
  ASSERT_NE(Site(sites, "kyoto"), nullptr);
  EXPECT_EQ(Site(sites, "kyoto")->agent_version(), FedregVersion());
}

}  // namespace
}  // namespace fedreg::testing
