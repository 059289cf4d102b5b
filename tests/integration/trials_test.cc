// Trials at the centre through real processes and mutual TLS (docs/trials.md):
// an operator adds, updates, suspends and closes; the centre reads the YAML
// itself and refuses a bad file naming line and key; sponsors see their own
// trials only; definitions survive a restart of the aggregator.
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/tls.h"
#include "fedreg/v1/admin.grpc.pb.h"
#include "tests/integration/cluster.h"

namespace fedreg::testing {
namespace {

std::unique_ptr<v1::Admin::Stub> As(Cluster& c, const std::string& identity) {
  auto creds = MakeChannelCredentials({c.pki() + "/ca.pem", c.pki() + "/" + identity + ".pem",
                                       c.pki() + "/" + identity + ".key"});
  EXPECT_TRUE(creds.ok()) << creds.status();
  return v1::Admin::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(c.port()), *creds));
}

std::string Sample(const std::string& name) {
  std::ifstream in(std::string(FEDREG_SOURCE_DIR) + "/deploy/trials/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

grpc::Status Put(Cluster& c, const std::string& identity, const std::string& yaml, v1::PutTrialRequest::Mode mode,
                 v1::PutTrialResponse* out, const std::string& source = "trial.yaml") {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::PutTrialRequest req;
  req.set_yaml(yaml);
  req.set_source(source);
  req.set_mode(mode);
  return As(c, identity)->PutTrial(&ctx, req, out);
}

grpc::Status SetStatus(Cluster& c, const std::string& trial, const std::string& arm, v1::TrialStatus status,
                       v1::SetTrialStatusResponse* out) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::SetTrialStatusRequest req;
  req.set_trial_id(trial);
  req.set_arm_id(arm);
  req.set_status(status);
  return As(c, "operator-admin")->SetTrialStatus(&ctx, req, out);
}

std::vector<std::string> Listed(Cluster& c, const std::string& identity) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::ListTrialsResponse resp;
  EXPECT_TRUE(As(c, identity)->ListTrials(&ctx, {}, &resp).ok());
  std::vector<std::string> ids;
  for (const auto& t : resp.trials()) ids.push_back(t.trial().trial_id() + " v" + std::to_string(t.version()));
  return ids;
}

grpc::StatusCode Get(Cluster& c, const std::string& identity, const std::string& trial, v1::GetTrialResponse* out) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::GetTrialRequest req;
  req.set_trial_id(trial);
  return As(c, identity)->GetTrial(&ctx, req, out).error_code();
}

TEST(Trials, OperatorsDefineSponsorsSeeTheirOwnAndDefinitionsSurviveARestart) {
  Cluster c;
  c.StartAggregator();
  v1::PutTrialResponse put;
  ASSERT_TRUE(Put(c, "operator-admin", Sample("roar.yaml"), v1::PutTrialRequest::MODE_ADD, &put).ok());
  EXPECT_EQ(put.trial().version(), 1u);
  EXPECT_EQ(put.trial().updated_by(), "operator/admin");
  ASSERT_TRUE(Put(c, "operator-admin", Sample("kras-g12c.yaml"), v1::PutTrialRequest::MODE_ADD, &put).ok());
  EXPECT_EQ(Put(c, "operator-admin", Sample("roar.yaml"), v1::PutTrialRequest::MODE_ADD, &put).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Put(c, "operator-admin", Sample("ntrk.yaml"), v1::PutTrialRequest::MODE_UPDATE, &put).error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Put(c, "operator-admin", Sample("roar.yaml"), v1::PutTrialRequest::MODE_UPDATE, &put).ok());
  EXPECT_EQ(put.trial().version(), 2u);

  // The centre reads the file itself: a bad one is refused naming line and key.
  auto bad = Put(c, "operator-admin", "trial_id: X\ntitle: t\nsponsor: chugai\nstatus: opne\narms: []\n",
                 v1::PutTrialRequest::MODE_ADD, &put, "x.yaml");
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad.error_message().find("x.yaml:4: status: 'opne'"), std::string::npos) << bad.error_message();

  // Roles: only operators write; a sponsor sees its own trials only.
  EXPECT_EQ(Put(c, "auditor-audit", Sample("ntrk.yaml"), v1::PutTrialRequest::MODE_ADD, &put).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Put(c, "sponsor-bayer", Sample("ntrk.yaml"), v1::PutTrialRequest::MODE_ADD, &put).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Listed(c, "auditor-audit"), (std::vector<std::string>{"FEDREG-KRAS v1", "ROAR v2"}));
  EXPECT_EQ(Listed(c, "sponsor-novartis"), (std::vector<std::string>{"ROAR v2"}));
  EXPECT_TRUE(Listed(c, "sponsor-chugai").empty());
  v1::GetTrialResponse got;
  EXPECT_EQ(Get(c, "sponsor-novartis", "ROAR", &got), grpc::StatusCode::OK);
  EXPECT_EQ(Get(c, "sponsor-astellas", "ROAR", &got), grpc::StatusCode::NOT_FOUND) << "another sponsor's trial";

  // Status: an arm suspended, the trial closed; what does not apply is refused.
  v1::SetTrialStatusResponse st;
  ASSERT_TRUE(SetStatus(c, "FEDREG-KRAS", "B", v1::TRIAL_STATUS_SUSPENDED, &st).ok());
  EXPECT_TRUE(st.trial().trial().arms(1).suspended());
  EXPECT_FALSE(st.trial().trial().arms(0).suspended());
  EXPECT_EQ(SetStatus(c, "FEDREG-KRAS", "B", v1::TRIAL_STATUS_CLOSED, &st).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(SetStatus(c, "FEDREG-KRAS", "Z", v1::TRIAL_STATUS_SUSPENDED, &st).error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(SetStatus(c, "ROAR", "", v1::TRIAL_STATUS_CLOSED, &st).ok());

  c.KillAggregator();
  c.StartAggregator();
  EXPECT_EQ(Listed(c, "operator-admin"), (std::vector<std::string>{"FEDREG-KRAS v2", "ROAR v3"}));
  ASSERT_EQ(Get(c, "operator-admin", "ROAR", &got), grpc::StatusCode::OK);
  EXPECT_EQ(got.trial().trial().status(), v1::TRIAL_STATUS_CLOSED);
  ASSERT_EQ(Get(c, "operator-admin", "FEDREG-KRAS", &got), grpc::StatusCode::OK);
  EXPECT_TRUE(got.trial().trial().arms(1).suspended());
}

}  // namespace
}  // namespace fedreg::testing
