// Fault injection: agents push to the aggregator through a TCP proxy that
// resets, delays, stalls and blackholes connections, while agents and the
// aggregator are killed with SIGKILL at random moments (during import, push
// and apply) and restarted, and updates and withdrawals are mixed into the
// load. At the end the centre must hold exactly the union of the sites'
// current cases, version for version, with no withdrawn case anywhere.
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

#include "agent/agent_store.h"
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
  FaultProxy proxy(c.port());
  c.SetAgentServerPort(proxy.port());
  for (const auto& s : sites) c.StartAgent(s);

  std::map<std::string, int> imported_upto;  // rows 0..n-1 have been offered to the site
  std::map<std::string, std::map<int, int>> edits;
  std::set<std::string> withdrawn_case_ids;
  int kills = 0, resets = 0, stalls = 0, withdrawals = 0;
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
            << ", reconcile differences: " << reconcile_differing << "\n";
  EXPECT_EQ(reconcile_differing, 0);
  EXPECT_GT(kills, 0);
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(duplicated, 0);
  EXPECT_EQ(resurrected, 0);
  EXPECT_EQ(stats.cases(), cases);
}

}  // namespace
}  // namespace fedreg::testing
