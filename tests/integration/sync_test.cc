// End to end over real mutual TLS on loopback: agents import generated
// exports, push to a real aggregator, and the national view must equal what
// was imported, also when processes are killed with SIGKILL mid-push.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "agent/agent_store.h"
#include "common/synth.h"
#include "server/centre_store.h"
#include "server/views.h"
#include "tests/integration/cluster.h"
#include "tests/integration/ctl.h"

namespace fedreg::testing {
namespace {

std::map<std::string, std::string> GenerateExports(const std::string& out, std::vector<std::string> sites, int cases,
                                                   uint64_t seed) {
  synth::SynthOptions o;
  o.out_dir = out;
  o.sites = sites;
  o.total_cases = cases;
  o.seed = seed;
  auto r = synth::WriteExports(o);
  EXPECT_TRUE(r.ok()) << r.status();
  std::map<std::string, std::string> by_site;
  for (const auto& f : r->files) {
    for (const auto& s : sites) {
      auto base = std::filesystem::path(f).stem().string();
      if (base == s) by_site[s] = f;
    }
  }
  return by_site;
}

// Opens the stopped processes' stores and checks that the centre holds
// exactly the sites' current cases, version for version and byte for byte.
void ExpectCentreEqualsSites(Cluster& c, const std::vector<std::string>& sites, int64_t* total_cases,
                             std::set<std::string>* persons) {
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
      persons->insert(server::PersonKey((*at_site)[i]));
    }
    *total_cases += static_cast<int64_t>(at_site->size());
    EXPECT_EQ((*store)->case_count(), static_cast<int64_t>(at_site->size()));
    auto state = (*centre)->GetSite(site);
    ASSERT_TRUE(state.ok());
    EXPECT_EQ(state->applied_seq(), (*store)->highest_seq()) << site;
    EXPECT_EQ(state->cases(), static_cast<int64_t>(at_site->size())) << site;
  }
  auto stored = (*centre)->ReadViews();
  auto recomputed = (*centre)->RecomputeViews();
  ASSERT_TRUE(stored.ok() && recomputed.ok());
  EXPECT_EQ(*stored, *recomputed);
}

TEST(Sync, NationalViewEqualsWhatThreeHospitalsImported) {
  Cluster c;
  std::vector<std::string> sites = {"ncch", "kyoto", "hokkaido"};
  auto files = GenerateExports(c.dir() + "/exports", sites, 900, 7);
  const int centre_metrics = FreePort(), agent_metrics = FreePort();
  c.StartAggregator({"--metrics-listen", "127.0.0.1:" + std::to_string(centre_metrics)});
  c.StartAgent("ncch", "", {"--metrics-listen", "127.0.0.1:" + std::to_string(agent_metrics)});
  c.StartAgent("kyoto");
  c.StartAgent("hokkaido");
  int64_t accepted = 0, quarantined = 0;
  for (const auto& s : sites) {
    auto r = c.Import(s, files[s]);
    EXPECT_GT(r.accepted(), 0);
    accepted += r.accepted();
    quarantined += r.quarantined();
    // A case's later genomic tests are rows of their own that join its case.
    EXPECT_GT(r.merged_tests(), 0) << "the generator writes later tests as rows of their own";
    EXPECT_EQ(r.rows(), r.accepted() + r.quarantined() + r.merged_tests());
  }
  EXPECT_GT(quarantined, 0) << "the generator plants malformed rows; they must be quarantined, not dropped";
  for (const auto& s : sites) ASSERT_TRUE(c.WaitForDrain(s)) << s;

  v1::GetStatsResponse stats;
  ASSERT_TRUE(c.GetStats(true, &stats).ok());
  EXPECT_TRUE(stats.verified());
  EXPECT_EQ(stats.cases(), accepted);
  v1::ListSitesResponse list;
  ASSERT_TRUE(c.ListSites(&list).ok());
  ASSERT_EQ(list.sites_size(), 3);
  for (const auto& st : list.sites()) {
    auto agent = c.AgentStatus(st.site_id());
    EXPECT_EQ(st.cases(), agent.cases()) << st.site_id();
    EXPECT_EQ(st.applied_seq(), agent.highest_seq()) << st.site_id();
    EXPECT_TRUE(st.connected()) << st.site_id();
    std::string line = "fedreg_site_applied_seq{site=\"" + st.site_id() + "\"} " + std::to_string(st.applied_seq()) + "\n";
    EXPECT_NE(HttpGet(centre_metrics, "/metrics").find(line), std::string::npos) << line;
  }
  {
    // Every applied event is counted once in the freshness histogram, every batch in the apply latency one.
    std::string text = HttpGet(centre_metrics, "/metrics");
    auto value = [&](const std::string& name) -> double {
      auto pos = text.find("\n" + name + " ");
      return pos == std::string::npos ? -1 : std::stod(text.substr(pos + name.size() + 2));
    };
    EXPECT_EQ(value("fedreg_freshness_seconds_count"), value("fedreg_sync_events_total"));
    // Arrival counts the same events, each received before it was visible.
    EXPECT_EQ(value("fedreg_arrival_seconds_count"), value("fedreg_sync_events_total"));
    EXPECT_GT(value("fedreg_arrival_seconds_sum"), 0);
    EXPECT_LE(value("fedreg_arrival_seconds_sum"), value("fedreg_freshness_seconds_sum"));
    EXPECT_EQ(value("fedreg_apply_latency_seconds_count"), value("fedreg_sync_batches_total"));
    EXPECT_GT(value("fedreg_sync_batches_total"), 0);
    // The exact samples behind the histogram: one per event, up to the ring's 8,192,
    // each a plausible latency (the sites' clocks are this machine's).
    const auto events = static_cast<int>(value("fedreg_sync_events_total"));
    EXPECT_EQ(list.recent_freshness_us_size(), std::min(events, 8192));
    for (int64_t us : list.recent_freshness_us()) {
      EXPECT_GE(us, 0);
      EXPECT_LT(us, 60 * 1000 * 1000);
    }
  }
  {
    std::string out;
    ASSERT_EQ(RunFedregctl(c, "operator-admin", {"sites"}, &out), 0) << out;
    EXPECT_NE(out.find("freshness of the last " + std::to_string(list.recent_freshness_us_size()) +
                       " changes (committed at the site -> visible here): p50 "),
              std::string::npos)
        << out;
  }
  std::string agent_text = HttpGet(agent_metrics, "/metrics");
  EXPECT_NE(agent_text.find("fedreg_agent_backlog{site=\"ncch\"} 0\n"), std::string::npos) << agent_text;
  EXPECT_NE(agent_text.find("fedreg_agent_connected{site=\"ncch\"} 1\n"), std::string::npos);
  for (const auto& s : sites) c.StopAgent(s);
  c.StopAggregator();

  int64_t total = 0;
  std::set<std::string> persons;
  ExpectCentreEqualsSites(c, sites, &total, &persons);
  EXPECT_EQ(total, accepted);
  EXPECT_EQ(stats.unique_persons(), static_cast<int64_t>(persons.size()));
  EXPECT_LT(stats.unique_persons(), stats.cases()) << "some persons are registered at two hospitals";
}

TEST(Sync, AgentKilledMidPushResumesWithNothingLostOrDuplicated) {
  Cluster c;
  auto files = GenerateExports(c.dir() + "/exports", {"ncch"}, 4000, 11);
  c.StartAggregator();
  c.StartAgent("ncch");
  grpc::Status killed_import;
  std::thread importer([&] { c.Import("ncch", files["ncch"], &killed_import); });
  // Kill the agent once the centre has acknowledged part of the outbox.
  v1::AgentStatusResponse at_kill;
  for (int i = 0; i < 2000; ++i) {
    at_kill = c.AgentStatus("ncch");
    if (at_kill.acked_seq() > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  c.KillAgent("ncch");
  importer.join();
  ASSERT_GT(at_kill.acked_seq(), 0u) << "the push never started";

  c.StartAgent("ncch");
  auto again = c.Import("ncch", files["ncch"]);  // idempotent: finishes what the killed import did not
  EXPECT_EQ(again.updated(), 0);
  ASSERT_TRUE(c.WaitForDrain("ncch"));
  v1::GetStatsResponse stats;
  ASSERT_TRUE(c.GetStats(true, &stats).ok());
  EXPECT_TRUE(stats.verified());
  c.StopAgent("ncch");
  c.StopAggregator();
  int64_t total = 0;
  std::set<std::string> persons;
  ExpectCentreEqualsSites(c, {"ncch"}, &total, &persons);
  EXPECT_EQ(stats.cases(), total);
}

TEST(Sync, AggregatorKilledMidApplyResumesWithNothingLostOrDuplicated) {
  Cluster c;
  auto files = GenerateExports(c.dir() + "/exports", {"kyoto", "tohoku"}, 8000, 13);
  c.StartAggregator();
  c.StartAgent("kyoto");
  c.StartAgent("tohoku");
  v1::ImportResponse r1, r2;
  std::thread importer([&] {
    r1 = c.Import("kyoto", files["kyoto"]);
    r2 = c.Import("tohoku", files["tohoku"]);
  });
  for (int i = 0; i < 2000; ++i) {
    if (c.AgentStatus("kyoto").acked_seq() > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  c.KillAggregator();
  importer.join();  // the agents go on importing while the centre is down
  auto stalled = c.AgentStatus("tohoku");
  EXPECT_GT(stalled.highest_seq(), stalled.acked_seq()) << "the centre was down: tohoku must hold a backlog";
  c.StartAggregator();
  ASSERT_TRUE(c.WaitForDrain("kyoto"));
  ASSERT_TRUE(c.WaitForDrain("tohoku"));
  v1::GetStatsResponse stats;
  ASSERT_TRUE(c.GetStats(true, &stats).ok());
  EXPECT_TRUE(stats.verified());
  EXPECT_EQ(stats.cases(), r1.accepted() + r2.accepted());
  c.StopAgent("kyoto");
  c.StopAgent("tohoku");
  c.StopAggregator();
  int64_t total = 0;
  std::set<std::string> persons;
  ExpectCentreEqualsSites(c, {"kyoto", "tohoku"}, &total, &persons);
}

TEST(Sync, ASecondAgentForTheSameSiteIsRefusedWhileTheFirstStreams) {
  Cluster c;
  auto files = GenerateExports(c.dir() + "/exports", {"ncch"}, 300, 17);
  c.StartAggregator();
  c.StartAgent("ncch");
  c.Import("ncch", files["ncch"]);
  ASSERT_TRUE(c.WaitForDrain("ncch"));
  c.StartAgent("ncch", "ncch-copy");  // same certificate, another store
  v1::AgentStatusResponse second;
  for (int i = 0; i < 200; ++i) {
    second = c.AgentStatus("ncch-copy");
    if (!second.last_error().empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(second.connected());
  EXPECT_NE(second.last_error().find("ALREADY_EXISTS"), std::string::npos) << second.last_error();
  // The first goes on streaming.
  auto more = GenerateExports(c.dir() + "/more", {"ncch"}, 50, 18);
  auto r = c.Import("ncch", more["ncch"]);
  EXPECT_GT(r.accepted(), 0);
  ASSERT_TRUE(c.WaitForDrain("ncch"));
  v1::ListSitesResponse list;
  ASSERT_TRUE(c.ListSites(&list).ok());
  ASSERT_EQ(list.sites_size(), 1);
  EXPECT_EQ(list.sites(0).applied_seq(), c.AgentStatus("ncch").highest_seq());
  EXPECT_EQ(list.sites(0).store_id(), c.AgentStatus("ncch").store_id());
}

// Waits until the agent's last error mentions `needle`.
bool WaitForAgentError(Cluster& c, const std::string& name, const std::string& needle) {
  for (int i = 0; i < 300; ++i) {
    if (c.AgentStatus(name).last_error().find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST(Rebase, AReinstalledAgentIsRefusedUntilRebaseThenItsSnapshotReplacesTheSite) {
  Cluster c;
  auto files = GenerateExports(c.dir() + "/exports", {"ncch"}, 400, 21);
  const int metrics_port = FreePort();
  c.StartAggregator({"--metrics-listen", "127.0.0.1:" + std::to_string(metrics_port)});
  c.StartAgent("ncch");
  auto first = c.Import("ncch", files["ncch"]);
  ASSERT_TRUE(c.WaitForDrain("ncch"));
  c.StopAgent("ncch");
  std::vector<std::string> old_ids;
  {
    agent::AgentStoreOptions ao;
    ao.path = c.AgentDataDir("ncch") + "/store";
    auto old_store = agent::AgentStore::Open(ao);
    ASSERT_TRUE(old_store.ok());
    auto old_cases = (*old_store)->AllCases();
    ASSERT_TRUE(old_cases.ok());
    for (const auto& k : *old_cases) old_ids.push_back(k.case_id());
  }
  std::filesystem::remove_all(c.AgentDataDir("ncch"));  // the hospital reinstalls the agent
  c.StartAgent("ncch");
  auto again = c.Import("ncch", files["ncch"]);  // new store: every case gets a new case id
  EXPECT_EQ(again.accepted(), first.accepted());
  ASSERT_TRUE(WaitForAgentError(c, "ncch", "sites rebase ncch")) << c.AgentStatus("ncch").last_error();
  v1::ListSitesResponse list;
  ASSERT_TRUE(c.ListSites(&list).ok());
  EXPECT_NE(list.sites(0).last_error().find("reinstalled"), std::string::npos) << list.sites(0).last_error();
  EXPECT_EQ(list.sites(0).cases(), first.accepted());  // the old cases stand until the snapshot
  std::string metrics = HttpGet(metrics_port, "/metrics");
  EXPECT_NE(metrics.find("fedreg_site_store_identity_refusals_total{site=\"ncch\"} "), std::string::npos);
  EXPECT_EQ(metrics.find("fedreg_site_store_identity_refusals_total{site=\"ncch\"} 0\n"), std::string::npos)
      << "the refusal must be counted";

  EXPECT_EQ(c.RebaseSite("ncch", "sponsor-chugai").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(c.RebaseSite("ncch").ok());
  ASSERT_TRUE(c.WaitForDrain("ncch"));
  v1::GetStatsResponse stats;
  ASSERT_TRUE(c.GetStats(true, &stats).ok());
  EXPECT_TRUE(stats.verified());
  EXPECT_EQ(stats.cases(), first.accepted());
  c.StopAgent("ncch");
  c.StopAggregator();
  int64_t total = 0;
  std::set<std::string> persons;
  ExpectCentreEqualsSites(c, {"ncch"}, &total, &persons);
  EXPECT_EQ(total, first.accepted());
  // The same patients came back under new case ids: the person count is unchanged
  // and the old case ids are tombstoned, never to return.
  EXPECT_EQ(stats.unique_persons(), static_cast<int64_t>(persons.size()));
  server::CentreStoreOptions co;
  co.path = c.dir() + "/centre/store";
  auto centre = server::CentreStore::Open(co);
  ASSERT_TRUE(centre.ok());
  ASSERT_EQ(static_cast<int64_t>(old_ids.size()), first.accepted());
  for (const auto& id : old_ids) EXPECT_TRUE(*(*centre)->IsTombstoned("ncch", id)) << id;
}

TEST(Rebase, ACentreRestoredFromAnOlderBackupGetsTheSiteSnapshotUnasked) {
  Cluster c;
  auto files = GenerateExports(c.dir() + "/exports", {"kyoto"}, 300, 23);
  auto later = GenerateExports(c.dir() + "/later", {"kyoto"}, 200, 24);
  c.StartAggregator();
  c.StartAgent("kyoto");
  c.Import("kyoto", files["kyoto"]);
  ASSERT_TRUE(c.WaitForDrain("kyoto"));
  c.StopAggregator();
  std::filesystem::copy(c.dir() + "/centre", c.dir() + "/backup", std::filesystem::copy_options::recursive);
  c.StartAggregator();
  c.Import("kyoto", later["kyoto"]);
  ASSERT_TRUE(c.WaitForDrain("kyoto"));
  c.StopAggregator();
  std::filesystem::remove_all(c.dir() + "/centre");
  std::filesystem::rename(c.dir() + "/backup", c.dir() + "/centre");  // restore the older backup
  c.StartAggregator();
  ASSERT_TRUE(c.WaitForDrain("kyoto"));
  // The snapshot is acknowledged before the site state is read.
  EXPECT_TRUE(c.WaitForConvergence("kyoto"));
  c.StopAgent("kyoto");
  c.StopAggregator();
  int64_t total = 0;
  std::set<std::string> persons;
  ExpectCentreEqualsSites(c, {"kyoto"}, &total, &persons);
}

TEST(Reconcile, IsCleanAfterSyncAndTheCentreSaysSo) {
  Cluster c;
  auto files = GenerateExports(c.dir() + "/exports", {"aichi"}, 300, 25);
  c.StartAggregator();
  c.StartAgent("aichi");
  c.Import("aichi", files["aichi"]);
  ASSERT_TRUE(c.WaitForDrain("aichi"));
  v1::ReconcileResponse r;
  ASSERT_TRUE(c.Reconcile("aichi", &r).ok());
  EXPECT_FALSE(r.has_report());
  EXPECT_EQ(r.verdict(), "stale");
  v1::AgentReconcileResponse mine;
  ASSERT_TRUE(c.AgentReconcile("aichi", &mine).ok());
  EXPECT_EQ(mine.differing(), 0);
  EXPECT_EQ(mine.cases(), c.AgentStatus("aichi").cases());
  ASSERT_TRUE(c.Reconcile("aichi", &r).ok());
  EXPECT_TRUE(r.has_report());
  EXPECT_EQ(r.verdict(), "clean");
  EXPECT_EQ(r.agent_digest(), r.centre_digest());
  EXPECT_EQ(r.agent_cases(), r.centre_cases());
  EXPECT_NE(r.centre_digest(), 0u);
}

TEST(DiskFull, ImportsAndAppliesAreRefusedWhileStatusAndServingGoOn) {
  Cluster c;
  auto files = GenerateExports(c.dir() + "/exports", {"toyama"}, 200, 27);
  // A reserve larger than any disk stands in for a full disk.
  const std::vector<std::string> full = {"--min-free-mb", "1000000000"};
  c.StartAggregator(full);
  c.StartAgent("toyama", "", full);
  grpc::Status st;
  c.Import("toyama", files["toyama"], &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(st.error_message().find("disk full"), std::string::npos) << st.error_message();
  EXPECT_EQ(c.AgentStatus("toyama").highest_seq(), 0u);  // nothing half-written
  c.StopAgent("toyama");
  c.StartAgent("toyama");  // space freed at the site
  auto r = c.Import("toyama", files["toyama"]);
  EXPECT_GT(r.accepted(), 0);
  // The centre's disk is still full: it refuses to apply, keeps serving, loses nothing.
  ASSERT_TRUE(WaitForAgentError(c, "toyama", "disk full")) << c.AgentStatus("toyama").last_error();
  v1::GetStatsResponse stats;
  ASSERT_TRUE(c.GetStats(false, &stats).ok());
  EXPECT_EQ(stats.cases(), 0);
  EXPECT_EQ(c.AgentStatus("toyama").acked_seq(), 0u);
  c.StopAggregator();
  c.StartAggregator();  // space freed at the centre
  ASSERT_TRUE(c.WaitForDrain("toyama"));
  ASSERT_TRUE(c.GetStats(true, &stats).ok());
  EXPECT_EQ(stats.cases(), r.accepted());
  EXPECT_TRUE(stats.verified());
}

TEST(Limits, StreamsAboveTheCapAreRefusedAndTheOthersGoOn) {
  Cluster c;
  auto files = GenerateExports(c.dir() + "/exports", {"ncch", "kyoto"}, 200, 29);
  c.StartAggregator({"--max-streams", "1"});
  c.StartAgent("ncch");
  auto r = c.Import("ncch", files["ncch"]);
  ASSERT_TRUE(c.WaitForDrain("ncch"));
  c.StartAgent("kyoto");
  c.Import("kyoto", files["kyoto"]);
  ASSERT_TRUE(WaitForAgentError(c, "kyoto", "RESOURCE_EXHAUSTED")) << c.AgentStatus("kyoto").last_error();
  EXPECT_GT(c.AgentStatus("kyoto").backlog(), 0u);
  c.StopAgent("ncch");  // a slot frees up: kyoto gets in
  ASSERT_TRUE(c.WaitForDrain("kyoto"));
  EXPECT_GT(r.accepted(), 0);
}

TEST(Tls, ARenewedServerCertificateIsUsedWithoutRestartAndStreamsStay) {
  Cluster c;
  auto files = GenerateExports(c.dir() + "/exports", {"okayama"}, 200, 33);
  auto more = GenerateExports(c.dir() + "/more", {"okayama"}, 100, 34);
  c.StartAggregator({"--tls-reload-s", "1"});
  c.StartAgent("okayama");
  c.Import("okayama", files["okayama"]);
  ASSERT_TRUE(c.WaitForDrain("okayama"));
  auto serial = [&](const std::string& pem) {
    std::string out = c.dir() + "/serial";
    std::system(("openssl x509 -noout -serial -in " + pem + " > " + out).c_str());
    std::ifstream in(out);
    std::string line;
    std::getline(in, line);
    return line;
  };
  auto served_serial = [&] {
    std::string out = c.dir() + "/served";
    std::string cmd = "openssl s_client -connect 127.0.0.1:" + std::to_string(c.port()) + " -cert " + c.pki() +
                      "/operator-admin.pem -key " + c.pki() + "/operator-admin.key -CAfile " + c.pki() +
                      "/ca.pem </dev/null 2>/dev/null | openssl x509 -noout -serial > " + out;
    std::system(cmd.c_str());
    std::ifstream in(out);
    std::string line;
    std::getline(in, line);
    return line;
  };
  // TLS 1.2 at least: a TLS 1.1 client is refused, 1.3 is negotiated when offered.
  auto handshake_ok = [&](const std::string& version_flag) {
    std::string cmd = "openssl s_client " + version_flag + " -connect 127.0.0.1:" + std::to_string(c.port()) +
                      " -cert " + c.pki() + "/operator-admin.pem -key " + c.pki() + "/operator-admin.key -CAfile " +
                      c.pki() + "/ca.pem </dev/null 2>/dev/null | grep -q '^New, TLSv1'";
    return std::system(cmd.c_str()) == 0;
  };
  EXPECT_FALSE(handshake_ok("-tls1_1"));
  EXPECT_TRUE(handshake_ok("-tls1_2"));
  EXPECT_TRUE(handshake_ok("-tls1_3"));
  const std::string before = serial(c.pki() + "/aggregator.pem");
  ASSERT_EQ(served_serial(), before);
  ASSERT_EQ(std::system((std::string(FEDREG_SOURCE_DIR) + "/deploy/pki/make-dev-pki.sh " + c.pki() +
                         " renew aggregator >/dev/null").c_str()), 0);
  const std::string after = serial(c.pki() + "/aggregator.pem");
  ASSERT_NE(after, before);
  std::string now_served;
  for (int i = 0; i < 100 && (now_served = served_serial()) != after; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(now_served, after) << "new connections must get the renewed certificate";
  // The agent's stream, opened before the renewal, carries on.
  c.Import("okayama", more["okayama"]);
  ASSERT_TRUE(c.WaitForDrain("okayama"));
  std::ifstream log(c.dir() + "/agent-okayama.log");
  std::string line;
  int sessions = 0;
  while (std::getline(log, line)) sessions += line.find("connected to") != std::string::npos;
  EXPECT_EQ(sessions, 1) << "the healthy stream must not have been dropped";
}

TEST(DropFolder, ExportsLeftThereAreImportedAndMovedToDone) {
  Cluster c;
  auto files = GenerateExports(c.dir() + "/exports", {"kindai"}, 150, 37);
  const std::string drop = c.dir() + "/drop";
  c.StartAggregator();
  c.StartAgent("kindai", "", {"--drop-dir", drop, "--log-format", "json"});
  std::filesystem::copy_file(files["kindai"], drop + "/export.csv");
  std::filesystem::create_directories(drop + "/sub");  // not an export: left alone
  bool done = false;
  for (int i = 0; i < 300 && !done; ++i) {
    done = std::filesystem::exists(drop + "/done/export.csv");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(done);
  EXPECT_FALSE(std::filesystem::exists(drop + "/export.csv"));
  ASSERT_TRUE(c.WaitForDrain("kindai"));
  EXPECT_GT(c.AgentStatus("kindai").cases(), 100);
  // JSON logs: every line parses as one object.
  c.StopAgent("kindai");
  std::ifstream log(c.dir() + "/agent-kindai.log");
  std::string line;
  int lines = 0;
  while (std::getline(log, line)) {
    ++lines;
    EXPECT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded()) << line;
  }
  EXPECT_GT(lines, 3);
}

TEST(Security, SyncAndAdminRefuseTheWrongRoles) {
  Cluster c;
  c.StartAggregator();
  v1::ListSitesResponse list;
  EXPECT_EQ(c.ListSites(&list, "site-ncch").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(c.ListSites(&list, "sponsor-chugai").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(c.ListSites(&list, "auditor-audit").ok());
  v1::GetStatsResponse stats;
  EXPECT_TRUE(c.GetStats(false, &stats, "sponsor-chugai").ok());
  EXPECT_EQ(stats.suppression_k(), 10);
  EXPECT_EQ(c.GetStats(true, &stats, "sponsor-chugai").error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace fedreg::testing
