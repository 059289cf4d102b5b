// Fault injection: agents push to the aggregator through a TCP proxy that
// resets, delays, stalls and blackholes connections, while agents and the
// aggregator are killed with SIGKILL at random moments (during import, push
// and apply) and restarted, and updates and withdrawals are mixed into the
// load. At the end the centre must hold exactly the union of the sites'
// current cases, version for version, with no withdrawn case anywhere.
// A BRAF V600E trial is open throughout: each site must end up holding
// exactly the centre's matches of its cases as notices (none lost, none
// invented, each once, withdrawn ones cancelled), and the referral statuses
// its coordinators set must be the centre's.
//
// Seeded: FEDREG_FAULT_SEED replays a run, FEDREG_FAULT_ROUNDS sets its
// length (soak: FEDREG_FAULT_ROUNDS=400, see docs/testing.md).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <thread>

#include <grpcpp/create_channel.h>

#include <sstream>

#include "agent/agent_store.h"
#include "common/tls.h"
#include "fedreg/v1/admin.grpc.pb.h"
#include "fedreg/v1/agent.grpc.pb.h"
#include "server/centre_store.h"
#include "tests/integration/cluster.h"
#include "tests/integration/fault_proxy.h"

namespace fedreg::testing {
namespace {

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

const char* kCodes[] = {"LMS", "DDLS", "GIST", "SYNS", "OS", "ES", "PANET", "GB", "ACYC", "IHCH", "AML", "PTCL"};
const char* kFamily[] = {"山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤"};
const char* kGiven[] = {"太郎", "花子", "一郎", "美穂", "直樹", "裕子", "健", "恵", "翔", "陽菜"};

// A hospital's export, written by the test so that it controls which rows
// change between rounds: the version of row i is bumped by `edits[i]`.
std::string WriteExport(const std::string& path, const std::string& site, const std::vector<int>& rows,
                        const std::map<int, int>& edits) {
  std::ofstream out(path);
  out << "record_number,family_name,given_name,birth_date,sex,registration_date,oncotree_code,vital_status,ecog,"
         "assay,specimen,report_date,alterations,msi\n";
  for (int i : rows) {
    int edit = edits.count(i) ? edits.at(i) : 0;
    out << site << "-R" << i << "," << kFamily[i % 10] << "," << kGiven[(i / 10) % 10] << ","
        << 1940 + i % 60 << "-0" << 1 + i % 9 << "-1" << i % 9 << "," << (i % 2 ? "F" : "M") << ",20"
        << 18 + i % 8 << "-0" << 1 + i % 9 << "-2" << i % 8 << "," << kCodes[i % 12] << ",alive," << edit % 5
        << ",NCC-ONCOPANEL,primary,2026-10-01,"
        << (i % 7 == 0 ? "BRAF|SNV|p.V600E|0.2" : i % 11 == 0 ? "ALK|FUSION|EML4::ALK|" : "")
        << "," << (edit % 2 ? "MSS" : "MSI-H") << "\n";
  }
  return path;
}

std::unique_ptr<v1::AgentAdmin::Stub> AgentAdmin(Cluster& c, const std::string& site) {
  return v1::AgentAdmin::NewStub(grpc::CreateChannel("unix:" + c.AgentSocket(site), grpc::InsecureChannelCredentials()));
}

std::unique_ptr<v1::Admin::Stub> Operator(Cluster& c) {
  auto creds = MakeChannelCredentials(
      {c.pki() + "/ca.pem", c.pki() + "/operator-admin.pem", c.pki() + "/operator-admin.key"});
  EXPECT_TRUE(creds.ok());
  return v1::Admin::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(c.port()), *creds));
}

// "trial/case" -> (state, status): the site's notices, or the centre's matches of the site.
using MatchStates = std::map<std::string, std::pair<int, int>>;

MatchStates SiteNotices(Cluster& c, const std::string& site, std::set<uint64_t>* ids, bool* ok) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::ListNoticesResponse resp;
  *ok = AgentAdmin(c, site)->ListNotices(&ctx, {}, &resp).ok();
  MatchStates out;
  for (const auto& v : resp.notices()) {
    out[v.notice().trial_id() + "/" + v.notice().case_id()] = {v.notice().state(), v.notice().status()};
    if (ids != nullptr) ids->insert(v.notice().id());
  }
  return out;
}

MatchStates CentreMatches(Cluster& c, const std::string& site, bool* ok) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::ListMatchesRequest req;
  req.set_trial_id("ROAR");
  req.set_site_id(site);
  req.set_include_ended(true);
  req.set_limit(100000);
  v1::ListMatchesResponse resp;
  *ok = Operator(c)->ListMatches(&ctx, req, &resp).ok();
  MatchStates out;
  for (const auto& m : resp.matches()) out[m.trial_id() + "/" + m.case_id()] = {m.state(), m.status()};
  return out;
}

TEST(Faults, NothingLostDuplicatedOrResurrected) {
  const uint64_t seed = EnvOr("FEDREG_FAULT_SEED", 20261125);
  const int rounds = static_cast<int>(EnvOr("FEDREG_FAULT_ROUNDS", 40));
  const int per_site = static_cast<int>(EnvOr("FEDREG_FAULT_CASES_PER_SITE", 2000));
  std::cout << "fault seed " << seed << ", rounds " << rounds << " (replay: FEDREG_FAULT_SEED=" << seed << ")\n";
  std::mt19937_64 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };

  Cluster c;
  const std::vector<std::string> sites = {"ncch", "kyoto", "hokkaido"};
  c.StartAggregator();
  {
    std::ifstream in(std::string(FEDREG_SOURCE_DIR) + "/deploy/trials/roar.yaml");
    std::stringstream yaml;
    yaml << in.rdbuf();
    grpc::ClientContext ctx;
    v1::PutTrialRequest req;
    req.set_yaml(yaml.str());
    req.set_mode(v1::PutTrialRequest::MODE_ADD);
    v1::PutTrialResponse resp;
    ASSERT_TRUE(Operator(c)->PutTrial(&ctx, req, &resp).ok());
  }
  FaultProxy proxy(c.port());
  c.SetAgentServerPort(proxy.port());
  for (const auto& s : sites) c.StartAgent(s);

  std::map<std::string, int> imported_upto;  // rows 0..n-1 have been offered to the site
  std::map<std::string, std::map<int, int>> edits;
  std::set<std::string> withdrawn_case_ids;
  int kills = 0, resets = 0, stalls = 0, withdrawals = 0, statuses = 0;
  // Each site is picked about rounds/3 times; offer all its rows by about two thirds of the run.
  const int rows_per_round = std::max(1, per_site * 9 / std::max(1, 2 * rounds));

  for (int round = 0; round < rounds; ++round) {
    const std::string site = sites[pick(3)];
    // New rows plus updates of a few earlier ones.
    int& upto = imported_upto[site];
    std::vector<int> rows;
    int fresh = std::min(rows_per_round, per_site - upto);
    for (int i = 0; i < fresh; ++i) rows.push_back(upto + i);
    upto += fresh;
    for (int i = 0; i < 20 && upto > 0; ++i) {
      int r = pick(upto);
      edits[site][r] += 1;
      rows.push_back(r);
    }
    std::string file = WriteExport(c.dir() + "/" + site + "-" + std::to_string(round) + ".csv", site, rows,
                                   edits[site]);
    const int fault = pick(8);
    grpc::Status import_status;
    std::thread importer([&] { c.Import(site, file, &import_status); });
    std::this_thread::sleep_for(std::chrono::milliseconds(pick(40)));
    switch (fault) {
      case 0:  // agent killed mid-import / mid-push
        c.KillAgent(site);
        ++kills;
        break;
      case 1:  // aggregator killed mid-apply
        c.KillAggregator();
        ++kills;
        break;
      case 2:
        proxy.ResetAll();
        ++resets;
        break;
      case 3:
        proxy.SetMode(FaultProxy::Mode::kDelay, 5 + pick(20));
        ++stalls;
        break;
      case 4:
        proxy.SetMode(FaultProxy::Mode::kStall);
        ++stalls;
        break;
      case 5:
        proxy.SetMode(FaultProxy::Mode::kBlackhole);
        ++stalls;
        break;
      default:
        break;
    }
    importer.join();
    std::this_thread::sleep_for(std::chrono::milliseconds(pick(150)));
    if (fault >= 3 && fault <= 5) {
      proxy.SetMode(FaultProxy::Mode::kPass);
      if (fault == 5) proxy.ResetAll();  // blackholed streams only learn by keepalive; cut them
    }
    if (fault == 0) {
      c.StartAgent(site);
      c.Import(site, file);  // the killed import is finished by re-running it
    }
    if (fault == 1) c.StartAggregator();
    // A coordinator records a referral status for one of the site's open notices.
    if (pick(2) == 0) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      v1::ListNoticesRequest req;
      req.set_status("open");
      v1::ListNoticesResponse open;
      if (AgentAdmin(c, site)->ListNotices(&ctx, req, &open).ok() && open.notices_size() > 0) {
        grpc::ClientContext sctx;
        sctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        v1::SetNoticeStatusRequest set;
        set.set_id(open.notices(pick(open.notices_size())).notice().id());
        set.set_status(static_cast<v1::NoticeStatus>(1 + pick(8)));
        v1::SetNoticeStatusResponse done;
        auto st = AgentAdmin(c, site)->SetNoticeStatus(&sctx, set, &done);
        EXPECT_TRUE(st.ok() || st.error_code() == grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
        if (st.ok()) ++statuses;
      }
    }
    // Withdraw a few cases, some of them at sites whose stream is broken.
    if (pick(3) == 0 && upto > 10) {
      const std::string rn = site + "-R" + std::to_string(pick(upto));
      v1::WithdrawResponse w;
      auto s = c.Withdraw(site, rn, &w);
      if (s.ok()) {
        withdrawn_case_ids.insert(w.case_id());
        ++withdrawals;
      } else {
        EXPECT_TRUE(s.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
                    s.error_code() == grpc::StatusCode::NOT_FOUND)
            << s.error_message();
      }
    }
  }
  proxy.SetMode(FaultProxy::Mode::kPass);
  auto drain_start = std::chrono::steady_clock::now();
  for (const auto& s : sites) ASSERT_TRUE(c.WaitForDrain(s, 120)) << s << " did not drain";
  std::cout << "drained in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - drain_start)
                   .count()
            << " ms after the last fault\n";
  v1::GetStatsResponse stats;
  ASSERT_TRUE(c.GetStats(true, &stats).ok());
  EXPECT_TRUE(stats.verified()) << (stats.mismatches_size() ? stats.mismatches(0) : "");
  // Reconciliation must find nothing to repair, and the centre must call it clean.
  int64_t reconcile_differing = 0;
  for (const auto& s : sites) {
    v1::AgentReconcileResponse mine;
    auto st = c.AgentReconcile(s, &mine);
    ASSERT_TRUE(st.ok()) << s << ": " << st.error_message();
    reconcile_differing += mine.differing();
    v1::ReconcileResponse theirs;
    ASSERT_TRUE(c.Reconcile(s, &theirs).ok());
    EXPECT_EQ(theirs.verdict(), "clean") << s;
    // Reconciliation covers notices: every notice made for the site is stored there.
    for (int i = 0; i < 100 && theirs.notices_stored() < theirs.notices_made(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      ASSERT_TRUE(c.Reconcile(s, &theirs).ok());
    }
    EXPECT_EQ(theirs.notices_stored(), theirs.notices_made()) << s;
    EXPECT_GT(theirs.notices_made(), 0u) << s;
  }
  // Notices: each site converges on exactly the centre's matches of its
  // cases, states and referral statuses alike, each held once.
  int64_t notices_lost = 0, notices_invented = 0, status_differs = 0, matches = 0;
  for (const auto& s : sites) {
    MatchStates at_site, at_centre;
    std::set<uint64_t> ids;
    for (int i = 0; i < 600; ++i) {
      bool ok_site = false, ok_centre = false;
      ids.clear();
      at_site = SiteNotices(c, s, &ids, &ok_site);
      at_centre = CentreMatches(c, s, &ok_centre);
      if (ok_site && ok_centre && at_site == at_centre) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(ids.size(), at_site.size()) << s << ": a notice id is held twice";
    for (const auto& [key, state] : at_centre) {
      auto it = at_site.find(key);
      if (it == at_site.end() || it->second.first != state.first) ++notices_lost;
      else if (it->second.second != state.second) ++status_differs;
    }
    for (const auto& [key, state] : at_site)
      if (!at_centre.count(key)) ++notices_invented;
    matches += static_cast<int64_t>(at_centre.size());
  }
  for (const auto& s : sites) c.StopAgent(s);
  c.StopAggregator();

  // The centre must equal the union of the sites' current cases.
  server::CentreStoreOptions co;
  co.path = c.dir() + "/centre/store";
  auto centre = server::CentreStore::Open(co);
  ASSERT_TRUE(centre.ok()) << centre.status();
  int64_t lost = 0, duplicated = 0, resurrected = 0, cases = 0;
  for (const auto& site : sites) {
    agent::AgentStoreOptions ao;
    ao.path = c.AgentDataDir(site) + "/store";
    auto store = agent::AgentStore::Open(ao);
    ASSERT_TRUE(store.ok()) << store.status();
    std::map<std::string, uint64_t> at_site, at_centre;
    auto site_cases = (*store)->AllCases();
    auto centre_cases = (*centre)->Cases(site);
    ASSERT_TRUE(site_cases.ok() && centre_cases.ok());
    for (const auto& k : *site_cases) at_site[k.case_id()] = k.record_version();
    for (const auto& k : *centre_cases) at_centre[k.case_id()] = k.record_version();
    for (const auto& [id, v] : at_site) {
      auto it = at_centre.find(id);
      if (it == at_centre.end() || it->second != v) ++lost;
    }
    for (const auto& [id, v] : at_centre) {
      if (withdrawn_case_ids.count(id)) ++resurrected;
      else if (!at_site.count(id)) ++duplicated;
    }
    cases += static_cast<int64_t>(at_site.size());
    EXPECT_EQ((*centre)->GetSite(site)->applied_seq(), (*store)->highest_seq()) << site;
  }
  for (const auto& id : withdrawn_case_ids) {
    auto site = id.substr(0, id.find('-'));
    EXPECT_TRUE(*(*centre)->IsTombstoned(site, id)) << id;
  }
  std::cout << "fault rounds: " << rounds << ", kills: " << kills << ", resets: " << resets
            << ", stalls: " << stalls << ", withdrawals: " << withdrawals << ", cases: " << cases
            << ", lost: " << lost << ", duplicated: " << duplicated << ", resurrected: " << resurrected
            << ", reconcile differences: " << reconcile_differing << "\n"
            << "trial matches: " << matches << ", referral statuses set: " << statuses
            << ", notices lost: " << notices_lost << ", invented: " << notices_invented
            << ", statuses differing: " << status_differs << "\n";
  EXPECT_GT(matches, 0);
  EXPECT_EQ(notices_lost, 0);
  EXPECT_EQ(notices_invented, 0);
  EXPECT_EQ(status_differs, 0);
  EXPECT_EQ(reconcile_differing, 0);
  EXPECT_GT(kills, 0);
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(duplicated, 0);
  EXPECT_EQ(resurrected, 0);
  EXPECT_EQ(stats.cases(), cases);
}

}  // namespace
}  // namespace fedreg::testing
