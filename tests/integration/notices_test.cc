// Trial matches and notices through real processes and mutual TLS
// (docs/trials.md, "Matches and notices"): the centre matches cases as they
// are applied and when a trial is added, each hospital receives only its own
// patients' notices and re-identifies them locally, the coordinator's status
// flows back to the centre's funnel, a restart of both sides neither loses
// nor repeats a notice, withdrawal cancels at both ends, and closing a trial
// ends its matches with the reason.
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "common/tls.h"
#include "fedreg/v1/admin.grpc.pb.h"
#include "fedreg/v1/agent.grpc.pb.h"
#include "fedreg/v1/sync.grpc.pb.h"
#include "tests/integration/cluster.h"

namespace fedreg::testing {
namespace {

const char kHeader[] =
    "record_number,family_name,given_name,birth_date,sex,registration_date,oncotree_code,vital_status,assay,"
    "specimen,report_date,alterations,tmb,msi\n";

std::unique_ptr<v1::Admin::Stub> As(Cluster& c, const std::string& identity) {
  auto creds = MakeChannelCredentials({c.pki() + "/ca.pem", c.pki() + "/" + identity + ".pem",
                                       c.pki() + "/" + identity + ".key"});
  EXPECT_TRUE(creds.ok()) << creds.status();
  return v1::Admin::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(c.port()), *creds));
}

std::unique_ptr<v1::AgentAdmin::Stub> Agent(Cluster& c, const std::string& site) {
  return v1::AgentAdmin::NewStub(grpc::CreateChannel("unix:" + c.AgentSocket(site), grpc::InsecureChannelCredentials()));
}

std::string Sample(const std::string& name) {
  std::ifstream in(std::string(FEDREG_SOURCE_DIR) + "/deploy/trials/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void AddTrial(Cluster& c, const std::string& yaml) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::PutTrialRequest req;
  req.set_yaml(yaml);
  req.set_mode(v1::PutTrialRequest::MODE_ADD);
  v1::PutTrialResponse resp;
  auto s = As(c, "operator-admin")->PutTrial(&ctx, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
}

std::string Write(Cluster& c, const std::string& name, const std::string& rows, const char* header = kHeader) {
  std::string path = c.dir() + "/" + name;
  std::ofstream(path, std::ios::binary) << header << rows;
  return path;
}

std::vector<v1::NoticeView> Notices(Cluster& c, const std::string& site, const std::string& trial = "",
                                    const std::string& status = "") {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::ListNoticesRequest req;
  req.set_trial_id(trial);
  req.set_status(status);
  v1::ListNoticesResponse resp;
  auto s = Agent(c, site)->ListNotices(&ctx, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return {resp.notices().begin(), resp.notices().end()};
}

// Waits until `pred` holds on the site's notices (30 s at most).
std::vector<v1::NoticeView> WaitNotices(Cluster& c, const std::string& site,
                                        const std::function<bool(const std::vector<v1::NoticeView>&)>& pred) {
  std::vector<v1::NoticeView> got;
  for (int i = 0; i < 300; ++i) {
    got = Notices(c, site);
    if (pred(got)) return got;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << "notices at " << site << " did not reach the expected state; " << got.size() << " held";
  return got;
}

const v1::NoticeView* Find(const std::vector<v1::NoticeView>& v, const std::string& trial, const std::string& rn) {
  for (const auto& n : v)
    if (n.notice().trial_id() == trial && n.record_number() == rn) return &n;
  return nullptr;
}

v1::ListMatchesResponse Matches(Cluster& c, const std::string& trial, bool include_ended = false) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::ListMatchesRequest req;
  req.set_trial_id(trial);
  req.set_include_ended(include_ended);
  v1::ListMatchesResponse resp;
  auto s = As(c, "operator-admin")->ListMatches(&ctx, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return resp;
}

v1::GetTrialResponse Trial(Cluster& c, const std::string& trial, const std::string& identity = "operator-admin") {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::GetTrialRequest req;
  req.set_trial_id(trial);
  v1::GetTrialResponse resp;
  auto s = As(c, identity)->GetTrial(&ctx, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return resp;
}

const v1::FunnelRow* Row(const v1::TrialFunnel& f, const std::string& site) {
  for (const auto& r : f.sites())
    if (r.site_id() == site) return &r;
  return nullptr;
}

grpc::Status SetStatus(Cluster& c, const std::string& site, uint64_t id, v1::NoticeStatus status,
                       const std::string& note, v1::SetNoticeStatusResponse* out) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::SetNoticeStatusRequest req;
  req.set_id(id);
  req.set_status(status);
  req.set_note(note);
  return Agent(c, site)->SetNoticeStatus(&ctx, req, out);
}

TEST(Notices, MatchedCasesReachOnlyTheirHospitalAndStatusesFlowBackAcrossRestarts) {
  Cluster c;
  c.StartAggregator();
  AddTrial(c, Sample("roar.yaml"));
  c.StartAgent("ncch");
  c.StartAgent("kyoto");
  // N-1 matches ROAR (BRAF V600E); N-2 has V600K (ROAR wants V600E exactly); N-3 is 12 at registration.
  c.Import("ncch", Write(c, "ncch-1.csv",
                         "N-1,山田,一,1960-01-01,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,BRAF|SNV|p.V600E|0.3,,\n"
                         "N-2,山田,二,1961-01-01,F,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,BRAF|SNV|p.V600K|0.3,,\n"
                         "N-3,山田,三,2011-01-01,F,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,BRAF|SNV|p.V600E|0.3,,\n"));
  c.Import("kyoto", Write(c, "kyoto-1.csv",
                          "R-1,佐藤,一,1970-01-01,F,2023-02-10,THPA,alive,F1CDX,primary,2023-02-20,BRAF|SNV|p.V600E|0.2,,\n"));
  ASSERT_TRUE(c.WaitForDrain("ncch"));
  ASSERT_TRUE(c.WaitForDrain("kyoto"));

  // Each hospital gets its own patient's notice, re-identified there.
  auto ncch = WaitNotices(c, "ncch", [](const auto& v) { return v.size() == 1; });
  ASSERT_EQ(ncch.size(), 1u);
  EXPECT_EQ(ncch[0].record_number(), "N-1");
  EXPECT_EQ(ncch[0].birth_date(), "1960-01-01");
  EXPECT_EQ(ncch[0].notice().state(), v1::MATCH_STATE_OPEN);
  ASSERT_EQ(ncch[0].notice().arms_size(), 1);
  EXPECT_EQ(ncch[0].notice().arms(0).arm_id(), "BRAF-V600E");
  std::string why;
  for (const auto& w : ncch[0].notice().arms(0).why()) why += w + "\n";
  EXPECT_NE(why.find("BRAF p.V600E"), std::string::npos) << why;
  auto kyoto = WaitNotices(c, "kyoto", [](const auto& v) { return v.size() == 1; });
  ASSERT_EQ(kyoto.size(), 1u);
  EXPECT_EQ(kyoto[0].record_number(), "R-1");
  auto matches = Matches(c, "ROAR");
  EXPECT_EQ(matches.total(), 2);
  for (const auto& m : matches.matches()) EXPECT_NE(m.case_id().find(m.site_id()), std::string::npos);

  // The coordinator refers the patient; the status reaches the centre's funnel, the note does not.
  v1::SetNoticeStatusResponse set;
  ASSERT_TRUE(SetStatus(c, "ncch", ncch[0].notice().id(), v1::NOTICE_STATUS_REFERRED, "Dr Sato, 3 Dec", &set).ok());
  EXPECT_EQ(set.notice().notice().note(), "Dr Sato, 3 Dec");
  ASSERT_TRUE(c.WaitForDrain("ncch"));
  auto funnel = Trial(c, "ROAR").funnel();
  ASSERT_NE(Row(funnel, "ncch"), nullptr);
  EXPECT_EQ(Row(funnel, "ncch")->matched(), 1);
  EXPECT_EQ(Row(funnel, "ncch")->contacted(), 1) << "referred implies contacted";
  EXPECT_EQ(Row(funnel, "ncch")->referred(), 1);
  EXPECT_EQ(Row(funnel, "kyoto")->referred(), 0);
  EXPECT_EQ(funnel.total().matched(), 2);
  EXPECT_EQ(funnel.total().open(), 2);
  // A sponsor sees its own trial's funnel with small cells suppressed.
  auto sponsor = Trial(c, "ROAR", "sponsor-novartis").funnel();
  EXPECT_EQ(sponsor.suppression_k(), 10);
  EXPECT_EQ(sponsor.total().matched(), 0);
  ASSERT_EQ(sponsor.total().suppressed_size() > 0, true);

  // Kill both sides; on restart nothing is lost or repeated.
  c.KillAggregator();
  c.KillAgent("ncch");
  c.StartAggregator();
  c.StartAgent("ncch");
  c.Import("ncch", Write(c, "ncch-2.csv",
                         "N-4,山田,四,1962-01-01,M,2023-03-10,MEL,alive,F1CDX,primary,2023-03-20,BRAF|SNV|p.V600E|0.4,,\n"));
  ASSERT_TRUE(c.WaitForDrain("ncch"));
  ncch = WaitNotices(c, "ncch", [](const auto& v) { return v.size() == 2; });
  ASSERT_EQ(ncch.size(), 2u);
  ASSERT_NE(Find(ncch, "ROAR", "N-4"), nullptr);
  ASSERT_NE(Find(ncch, "ROAR", "N-1"), nullptr);
  EXPECT_EQ(Find(ncch, "ROAR", "N-1")->notice().status(), v1::NOTICE_STATUS_REFERRED) << "kept across the restart";
  EXPECT_EQ(Row(Trial(c, "ROAR").funnel(), "ncch")->referred(), 1);

  // A trial added after the cases: every case is matched in the background.
  AddTrial(c, Sample("kras-g12c.yaml"));
  // (The KRAS trial wants ECOG 0-2: an unknown ECOG never matches.)
  c.Import("ncch", Write(c, "ncch-3.csv",
                         "N-5,山田,五,1963-01-01,M,2023-03-10,COAD,1,alive,F1CDX,primary,2023-03-20,KRAS|SNV|p.G12C|0.4,,\n"
                         "N-6,山田,六,1964-01-01,M,2023-03-10,COAD,0,alive,F1CDX,primary,2023-03-20,KRAS|SNV|p.G12D|0.4,,\n"
                         "N-7,山田,七,1965-01-01,M,2023-03-10,COAD,,alive,F1CDX,primary,2023-03-20,KRAS|SNV|p.G12D|0.4,,\n",
                         "record_number,family_name,given_name,birth_date,sex,registration_date,oncotree_code,ecog,"
                         "vital_status,assay,specimen,report_date,alterations,tmb,msi\n"));
  ASSERT_TRUE(c.WaitForDrain("ncch"));
  ncch = WaitNotices(c, "ncch", [](const auto& v) { return v.size() == 4; });
  ASSERT_NE(Find(ncch, "FEDREG-KRAS", "N-5"), nullptr);
  ASSERT_NE(Find(ncch, "FEDREG-KRAS", "N-6"), nullptr);
  EXPECT_EQ(Find(ncch, "FEDREG-KRAS", "N-5")->notice().arms(0).arm_id(), "A");
  EXPECT_EQ(Find(ncch, "FEDREG-KRAS", "N-6")->notice().arms(0).arm_id(), "B");
  EXPECT_EQ(Find(ncch, "FEDREG-KRAS", "N-7"), nullptr) << "an unknown ECOG never meets ecog_max";

  // Withdrawal cancels at the hospital at once, and at the centre.
  v1::WithdrawResponse w;
  ASSERT_TRUE(c.Withdraw("ncch", "N-4", &w).ok());
  auto local = Notices(c, "ncch", "ROAR", "cancelled");
  ASSERT_EQ(local.size(), 1u);
  EXPECT_EQ(local[0].notice().case_id(), w.case_id());
  ASSERT_TRUE(c.WaitForDrain("ncch"));
  bool cancelled_at_centre = false;
  const auto all_roar = Matches(c, "ROAR", true);
  for (const auto& m : all_roar.matches())
    if (m.case_id() == w.case_id()) cancelled_at_centre = m.state() == v1::MATCH_STATE_CANCELLED;
  EXPECT_TRUE(cancelled_at_centre);
  EXPECT_EQ(SetStatus(c, "ncch", local[0].notice().id(), v1::NOTICE_STATUS_CONTACTED, "", &set).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // Closing the trial ends every open match with the reason, at the hospitals too.
  {
    grpc::ClientContext ctx;
    v1::SetTrialStatusRequest req;
    req.set_trial_id("ROAR");
    req.set_status(v1::TRIAL_STATUS_CLOSED);
    v1::SetTrialStatusResponse resp;
    ASSERT_TRUE(As(c, "operator-admin")->SetTrialStatus(&ctx, req, &resp).ok());
  }
  kyoto = WaitNotices(c, "kyoto", [](const auto& v) { return v.size() == 1 && v[0].notice().state() == v1::MATCH_STATE_ENDED; });
  EXPECT_EQ(kyoto[0].notice().reason(), "trial ROAR closed");
  EXPECT_EQ(Matches(c, "ROAR").total(), 0);
}

// A lost acknowledgement (fault suite, seed 20261125: a reset took the last
// AckNotices and nothing later re-sent it) left the centre's "stored" count
// behind for good. The agent's resumed stream is its word that it stored
// everything up to its cursor, so the centre counts it as an acknowledgement.
TEST(Notices, AStreamResumedAfterACursorCountsAsStoredAtTheCentre) {
  Cluster c;
  c.StartAggregator();
  c.StartAgent("ncch");
  c.Import("ncch", Write(c, "ncch-1.csv",
                         "N-1,山田,一,1960-01-01,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,BRAF|SNV|p.V600E|0.3,,\n"));
  ASSERT_TRUE(c.WaitForDrain("ncch"));
  c.StopAgent("ncch");
  // The trial arrives while the hospital is away: one notice made, none stored.
  AddTrial(c, Sample("roar.yaml"));
  v1::ReconcileResponse rec;
  for (int i = 0; i < 100 && rec.notices_made() < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(c.Reconcile("ncch", &rec).ok());
  }
  ASSERT_EQ(rec.notices_made(), 1u);
  ASSERT_EQ(rec.notices_stored(), 0u);
  v1::ListSitesResponse sites;
  ASSERT_TRUE(c.ListSites(&sites).ok());
  std::string store_id;
  for (const auto& s : sites.sites())
    if (s.site_id() == "ncch") store_id = s.store_id();
  ASSERT_FALSE(store_id.empty());

  // The site's own certificate resumes the stream after seq 1 (as an agent
  // that stored the notice but lost its acknowledgement would).
  auto creds = MakeChannelCredentials({c.pki() + "/ca.pem", c.pki() + "/site-ncch.pem", c.pki() + "/site-ncch.key"});
  ASSERT_TRUE(creds.ok()) << creds.status();
  auto sync = v1::Sync::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(c.port()), *creds));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  v1::NoticesRequest req;
  req.set_site_id("ncch");
  req.set_store_id(store_id);
  req.set_after_seq(1);
  auto reader = sync->Notices(&ctx, req);
  v1::Notice n;
  EXPECT_FALSE(reader->Read(&n)) << "nothing after the cursor";
  reader->Finish();
  ASSERT_TRUE(c.Reconcile("ncch", &rec).ok());
  EXPECT_EQ(rec.notices_stored(), 1u);
  EXPECT_EQ(rec.notices_oldest_pending_unix(), 0) << "nothing pending once stored";

  // A cursor beyond what was made is not believed.
  grpc::ClientContext ctx2;
  ctx2.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  req.set_after_seq(7);
  auto reader2 = sync->Notices(&ctx2, req);
  EXPECT_FALSE(reader2->Read(&n));
  reader2->Finish();
  ASSERT_TRUE(c.Reconcile("ncch", &rec).ok());
  EXPECT_EQ(rec.notices_stored(), 1u);
}

}  // namespace
}  // namespace fedreg::testing
