// Backup and restore end to end (docs/backup-restore.md), with the real
// binaries over real mutual TLS: fedregctl takes a backup of the centre
// while agents push, the centre is killed and the older backup restored,
// and every site must converge by itself (Hello -> snapshot), with the
// audit chain intact and the restore in it. An agent's store the same way,
// through `sites rebase`. Figures are printed with the prefix
// "BACKUP-FIGURES:" for the integrator.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <grpcpp/create_channel.h>
#include <nlohmann/json.hpp>

#include "agent/agent_store.h"
#include "common/tls.h"
#include "common/synth.h"
#include "server/centre_store.h"
#include "tests/integration/cluster.h"
#include "tests/integration/ctl.h"

namespace fedreg::testing {
namespace {

std::map<std::string, std::string> Exports(const std::string& out, const std::vector<std::string>& sites, int cases,
                                           uint64_t seed) {
  synth::SynthOptions o;
  o.out_dir = out;
  o.sites = sites;
  o.total_cases = cases;
  o.seed = seed;
  auto r = synth::WriteExports(o);
  EXPECT_TRUE(r.ok()) << r.status();
  std::map<std::string, std::string> by_site;
  for (const auto& f : r->files)
    for (const auto& s : sites)
      if (std::filesystem::path(f).stem().string() == s) by_site[s] = f;
  return by_site;
}

nlohmann::json CtlJson(Cluster& c, std::vector<std::string> args, const std::string& socket = "") {
  args.insert(args.begin(), "--json");
  std::string out;
  EXPECT_EQ(RunFedregctl(c, "operator-admin", args, &out, socket), 0) << out;
  auto j = nlohmann::json::parse(out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << out;
  return j;
}

// A trial almost every case matches: many notices, before and after the backup.
const char kAliveTrial[] =
    "trial_id: ALIVE\ntitle: every living patient\nsponsor: chugai\nstatus: open\n"
    "arms: [{arm_id: A, name: a, match: {clinical: {alive: true}}}]\n";

std::unique_ptr<v1::Admin::Stub> Operator(Cluster& c) {
  auto creds = MakeChannelCredentials(
      {c.pki() + "/ca.pem", c.pki() + "/operator-admin.pem", c.pki() + "/operator-admin.key"});
  EXPECT_TRUE(creds.ok()) << creds.status();
  return v1::Admin::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(c.port()), *creds));
}

// The site's open matches of the trial at the centre.
int64_t OpenMatches(Cluster& c, const std::string& site, const std::string& trial = "ALIVE") {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::ListMatchesRequest req;
  req.set_trial_id(trial);
  req.set_site_id(site);
  v1::ListMatchesResponse resp;
  auto s = Operator(c)->ListMatches(&ctx, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return resp.total();
}

// The agent's open notices of the trial.
int64_t OpenNotices(Cluster& c, const std::string& site) {
  auto stub = v1::AgentAdmin::NewStub(
      grpc::CreateChannel("unix:" + c.AgentSocket(site), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::ListNoticesRequest req;
  req.set_trial_id("ALIVE");
  req.set_status("open");
  v1::ListNoticesResponse resp;
  auto s = stub->ListNotices(&ctx, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return resp.notices_size();
}

// Waits until the agent holds an open notice for each open match of the
// trial the centre has for its site; false on timeout.
bool WaitNoticesAgree(Cluster& c, const std::string& site, int timeout_s) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < end) {
    if (OpenNotices(c, site) == OpenMatches(c, site)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// The stopped centre holds exactly each site's current cases, byte for byte.
void ExpectCentreEqualsSites(Cluster& c, const std::vector<std::string>& sites) {
  server::CentreStoreOptions co;
  co.path = c.dir() + "/centre/store";
  auto centre = server::CentreStore::Open(co);
  ASSERT_TRUE(centre.ok()) << centre.status();
  for (const auto& site : sites) {
    agent::AgentStoreOptions ao;
    ao.path = c.AgentDataDir(site) + "/store";
    auto store = agent::AgentStore::Open(ao);
    ASSERT_TRUE(store.ok()) << store.status();
    auto at_site = (*store)->AllCases();
    auto at_centre = (*centre)->Cases(site);
    ASSERT_TRUE(at_site.ok() && at_centre.ok());
    ASSERT_EQ(at_site->size(), at_centre->size()) << site;
    for (size_t i = 0; i < at_site->size(); ++i) {
      std::string a, b;
      (*at_site)[i].SerializeToString(&a);
      (*at_centre)[i].SerializeToString(&b);
      EXPECT_EQ(a, b) << site << " case " << (*at_site)[i].case_id();
    }
  }
  auto stored = (*centre)->ReadViews();
  auto recomputed = (*centre)->RecomputeViews();
  ASSERT_TRUE(stored.ok() && recomputed.ok());
  EXPECT_EQ(*stored, *recomputed);
  EXPECT_TRUE((*centre)->VerifyAudit().ok);
}

TEST(Backup, ACentreRestoredFromAnOlderBackupConvergesAtHelloAndItsAuditChainVerifies) {
  Cluster c;
  const std::vector<std::string> sites{"kyoto", "aichi", "ncch"};
  auto first = Exports(c.dir() + "/first", sites, 900, 61);
  auto later = Exports(c.dir() + "/later", sites, 600, 62);
  auto extra = Exports(c.dir() + "/extra", sites, 300, 65);
  c.StartAggregator();
  for (const auto& s : sites) c.StartAgent(s);
  std::string out;
  {
    std::ofstream(c.dir() + "/alive.yaml") << kAliveTrial;
    ASSERT_EQ(RunFedregctl(c, "operator-admin", {"trials", "add", c.dir() + "/alive.yaml"}, &out), 0) << out;
  }
  for (const auto& s : sites) c.Import(s, first[s]);
  for (const auto& s : sites) ASSERT_TRUE(c.WaitForDrain(s));

  // An auditor may list but not take a backup; a sponsor neither.
  EXPECT_NE(RunFedregctl(c, "auditor-audit", {"backup", "create"}, &out), 0) << out;
  EXPECT_NE(out.find("PERMISSION_DENIED"), std::string::npos) << out;
  EXPECT_NE(RunFedregctl(c, "sponsor-chugai", {"backup", "list"}, &out), 0) << out;

  // The backup, taken while one site keeps importing (its pushes wait while files are copied).
  std::thread pusher([&] { c.Import("kyoto", later["kyoto"]); });
  auto created = CtlJson(c, {"backup", "create", "--keep", "2"});
  pusher.join();
  const uint32_t id = created["backup"]["id"].get<uint32_t>();
  auto meta = nlohmann::json::parse(created["backup"]["metadata_json"].get<std::string>());
  ASSERT_EQ(meta["kind"], "centre");
  int64_t cases_in_backup = meta["cases"].get<int64_t>();

  // A trial added after the backup: its notices move every agent's cursor
  // well past what the restored centre will make again (it lacks the trial).
  {
    std::string t(kAliveTrial);
    t.replace(t.find("ALIVE"), 5, "LATER");
    std::ofstream(c.dir() + "/later.yaml") << t;
    ASSERT_EQ(RunFedregctl(c, "operator-admin", {"trials", "add", c.dir() + "/later.yaml"}, &out), 0) << out;
  }
  // More pushes after the backup: the centre acknowledges what the backup lacks.
  c.Import("aichi", later["aichi"]);
  c.Import("ncch", later["ncch"]);
  for (const auto& s : sites) ASSERT_TRUE(c.WaitForDrain(s));
  std::map<std::string, uint64_t> cursor_before;
  for (const auto& s : sites) {
    ASSERT_TRUE(WaitNoticesAgree(c, s, 60)) << s;
    // ... and the later trial's (its background pass) too.
    for (int i = 0; i < 600; ++i) {
      if (c.AgentStatus(s).notices_open() == OpenMatches(c, s) + OpenMatches(c, s, "LATER")) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(c.AgentStatus(s).notices_open(), OpenMatches(c, s) + OpenMatches(c, s, "LATER")) << s;
    cursor_before[s] = c.AgentStatus(s).notice_cursor();
  }
  int64_t cases_at_sites = 0;
  for (const auto& s : sites) cases_at_sites += c.AgentStatus(s).cases();
  ASSERT_GT(cases_at_sites, cases_in_backup);

  EXPECT_EQ(RunFedregctl(c, "operator-admin", {"backup", "verify", "--id", std::to_string(id)}, &out), 0) << out;
  EXPECT_NE(out.find("verified"), std::string::npos) << out;
  auto listed = CtlJson(c, {"backup", "list"});
  ASSERT_EQ(listed["backups"].size(), 1u);

  c.KillAggregator();
  // Restore refuses a running centre; this one is dead, so it goes ahead.
  EXPECT_EQ(RunFedregctl(c, "operator-admin",
                         {"backup", "restore", "--data-dir", c.dir() + "/centre", "--id", std::to_string(id)}, &out),
            0)
      << out;
  EXPECT_NE(out.find("previous store is kept at"), std::string::npos) << out;
  bool moved_aside = false;
  for (const auto& e : std::filesystem::directory_iterator(c.dir() + "/centre"))
    moved_aside |= e.path().filename().string().rfind("store.before-restore-", 0) == 0;
  EXPECT_TRUE(moved_aside);

  const auto restart = std::chrono::steady_clock::now();
  c.StartAggregator();
  for (const auto& s : sites) ASSERT_TRUE(c.WaitForConvergence(s, 120)) << s;
  const double converged_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - restart).count();
  // Reconcile from each agent, then the centre's verdict.
  int64_t differing = 0;
  for (const auto& s : sites) {
    v1::AgentReconcileResponse mine;
    ASSERT_TRUE(c.AgentReconcile(s, &mine).ok()) << s;
    differing += mine.differing();
    EXPECT_EQ(mine.differing(), 0) << s;
    v1::ReconcileResponse r;
    ASSERT_TRUE(c.Reconcile(s, &r).ok());
    EXPECT_EQ(r.verdict(), "clean") << s;
    EXPECT_EQ(r.agent_cases(), r.centre_cases()) << s;
  }
  const double clean_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - restart).count();
  v1::GetStatsResponse stats;
  ASSERT_TRUE(c.GetStats(true, &stats).ok());
  EXPECT_TRUE(stats.verified());
  EXPECT_EQ(stats.mismatches_size(), 0);
  EXPECT_EQ(stats.cases(), cases_at_sites);

  // Notices: the restored centre numbered its notices from below the
  // agents' cursors; Hello moved its counters up, so the notices of new
  // cases imported now reach every agent (an agent would skip a notice at
  // or below its cursor as a replay), one record per (case, trial).
  for (const auto& s : sites) c.Import(s, extra[s]);
  int64_t notices_after = 0;
  for (const auto& s : sites) {
    ASSERT_TRUE(c.WaitForDrain(s));
    EXPECT_TRUE(WaitNoticesAgree(c, s, 30)) << s << ": agent " << OpenNotices(c, s) << " open notices, centre "
                                            << OpenMatches(c, s) << " open matches";
    EXPECT_GT(c.AgentStatus(s).notice_cursor(), cursor_before[s]) << s;
    notices_after += OpenNotices(c, s);
  }
  std::printf("BACKUP-FIGURES: notices after the restore: %lld open at the agents = open matches at the centre "
              "(trial ALIVE)\n",
              static_cast<long long>(notices_after));

  // The chain verifies, and the restore is one of its entries.
  EXPECT_EQ(RunFedregctl(c, "operator-admin", {"audit", "verify"}, &out), 0) << out;
  // The restore is the entry right after the backup's audit head.
  const uint64_t head = meta["audit_seq"].get<uint64_t>();
  auto audit = CtlJson(c, {"audit", "list", "--from", std::to_string(head + 1), "--limit", "1"});
  ASSERT_EQ(audit["entries"].size(), 1u) << audit.dump();
  const auto& restore = audit["entries"][0];
  EXPECT_EQ(restore.value("action", ""), "backup.restore") << restore.dump();
  EXPECT_NE(restore.value("detail", "").find("backup " + std::to_string(id) + " taken"), std::string::npos)
      << restore.dump();

  std::printf("BACKUP-FIGURES: centre restore: %lld cases in the backup, %lld at the sites, %lld the centre lacked "
              "(each site re-sent its %lld current cases by snapshot); converged %.2f s after restart, every "
              "reconcile clean %.2f s after restart; differing after: %lld\n",
              static_cast<long long>(cases_in_backup), static_cast<long long>(cases_at_sites),
              static_cast<long long>(cases_at_sites - cases_in_backup), static_cast<long long>(cases_at_sites),
              converged_s, clean_s, static_cast<long long>(differing));
  for (const auto& s : sites) c.StopAgent(s);
  c.StopAggregator();
  ExpectCentreEqualsSites(c, sites);
}

TEST(Backup, RestoreRefusesARunningCentreAndKeepNKeepsTheNewest) {
  Cluster c;
  c.StartAggregator();
  std::string out;
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(RunFedregctl(c, "operator-admin", {"backup", "create", "--keep", "2"}, &out), 0) << out;
  auto listed = CtlJson(c, {"backup", "list"});
  ASSERT_EQ(listed["backups"].size(), 2u);
  EXPECT_EQ(listed["backups"][0]["id"], 2);
  EXPECT_EQ(listed["backups"][1]["id"], 3);
  EXPECT_NE(RunFedregctl(c, "operator-admin", {"backup", "restore", "--data-dir", c.dir() + "/centre"}, &out), 0);
  EXPECT_NE(out.find("in use"), std::string::npos) << out;
  EXPECT_NE(RunFedregctl(c, "operator-admin", {"backup", "verify", "--id", "9"}, &out), 0);
  EXPECT_NE(out.find("backup 9 is not in"), std::string::npos) << out;
}

TEST(Backup, ARestoredAgentIsRefusedUntilRebaseThenItsSnapshotMakesTheSiteConsistent) {
  Cluster c;
  auto first = Exports(c.dir() + "/first", {"kyoto"}, 300, 63);
  auto later = Exports(c.dir() + "/later", {"kyoto"}, 200, 64);
  c.StartAggregator();
  c.StartAgent("kyoto");
  c.Import("kyoto", first["kyoto"]);
  ASSERT_TRUE(c.WaitForDrain("kyoto"));
  const std::string socket = c.AgentSocket("kyoto");
  auto created = CtlJson(c, {"agent", "backup", "create"}, socket);
  const uint32_t id = created["backup"]["id"].get<uint32_t>();
  std::string out;
  EXPECT_EQ(RunFedregctl(c, "operator-admin", {"agent", "backup", "verify"}, &out, socket), 0) << out;
  c.Import("kyoto", later["kyoto"]);
  ASSERT_TRUE(c.WaitForDrain("kyoto"));
  const int64_t cases_before = c.AgentStatus("kyoto").cases();
  const std::string store_before = c.AgentStatus("kyoto").store_id();

  EXPECT_NE(
      RunFedregctl(c, "operator-admin", {"agent", "backup", "restore", "--data-dir", c.AgentDataDir("kyoto")}, &out),
      0);
  EXPECT_NE(out.find("in use"), std::string::npos) << out;
  c.StopAgent("kyoto");
  ASSERT_EQ(
      RunFedregctl(c, "operator-admin",
                   {"agent", "backup", "restore", "--data-dir", c.AgentDataDir("kyoto"), "--id", std::to_string(id)},
                   &out),
      0)
      << out;
  EXPECT_NE(out.find("sites rebase"), std::string::npos) << out;
  c.StartAgent("kyoto");
  // The restored store (under a new store id) is refused until a rebase, and the message says what to run.
  std::string error;
  for (int i = 0; i < 200 && error.find("sites rebase") == std::string::npos; ++i) {
    error = c.AgentStatus("kyoto").last_error();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(error.find("fedregctl sites rebase kyoto"), std::string::npos) << error;
  EXPECT_LT(c.AgentStatus("kyoto").cases(), cases_before);
  EXPECT_NE(c.AgentStatus("kyoto").store_id(), store_before) << "a restored store takes a new store id";
  ASSERT_TRUE(c.RebaseSite("kyoto").ok());
  ASSERT_TRUE(c.WaitForConvergence("kyoto", 120));
  v1::AgentReconcileResponse mine;
  ASSERT_TRUE(c.AgentReconcile("kyoto", &mine).ok());
  EXPECT_EQ(mine.differing(), 0);
  // The hospital re-imports what was exported since the backup: the site comes back whole.
  c.Import("kyoto", later["kyoto"]);
  ASSERT_TRUE(c.WaitForDrain("kyoto"));
  ASSERT_TRUE(c.WaitForConvergence("kyoto"));
  EXPECT_EQ(c.AgentStatus("kyoto").cases(), cases_before);
  v1::ListSitesResponse list;
  ASSERT_TRUE(c.ListSites(&list).ok());
  EXPECT_EQ(list.sites(0).cases(), cases_before);
  std::printf("BACKUP-FIGURES: agent restore: %lld cases before, %lld after re-import, centre %lld\n",
              static_cast<long long>(cases_before), static_cast<long long>(c.AgentStatus("kyoto").cases()),
              static_cast<long long>(list.sites(0).cases()));
  c.StopAgent("kyoto");
  c.StopAggregator();
  ExpectCentreEqualsSites(c, {"kyoto"});
}

}  // namespace
}  // namespace fedreg::testing
