// Security end to end over real TLS: who may call what, the refusals of
// hostile peers (each with the right status and, where the call reaches the
// application, an audit entry), the audit chain's tamper evidence, and that
// no patient identifier reaches the centre, the logs, or the agent's store
// outside its encrypted table.
#include <gtest/gtest.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <sys/stat.h>

#include <condition_variable>
#include <cstdlib>
#include <map>
#include <set>
#include <fstream>
#include <sstream>
#include <thread>

#include "agent/agent_store.h"
#include "common/synth.h"
#include "common/tls.h"
#include "fedreg/v1/sync.grpc.pb.h"
#include "server/centre_store.h"
#include "tests/integration/cluster.h"

namespace fedreg::testing {
namespace {

std::unique_ptr<v1::Admin::Stub> Admin(Cluster& c, const std::string& identity, const std::string& pki = "") {
  const std::string dir = pki.empty() ? c.pki() : pki;
  auto creds = MakeChannelCredentials({c.pki() + "/ca.pem", dir + "/" + identity + ".pem", dir + "/" + identity + ".key"});
  EXPECT_TRUE(creds.ok()) << creds.status();
  return v1::Admin::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(c.port()), *creds));
}

std::unique_ptr<v1::Sync::Stub> SyncAs(Cluster& c, const std::string& identity) {
  auto creds = MakeChannelCredentials(
      {c.pki() + "/ca.pem", c.pki() + "/" + identity + ".pem", c.pki() + "/" + identity + ".key"});
  EXPECT_TRUE(creds.ok()) << creds.status();
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(64 << 20);
  return v1::Sync::NewStub(grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(c.port()), *creds, args));
}

void Deadline(grpc::ClientContext* ctx, int s = 10) {
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(s));
}

// A Hello naming `site`, with a fixed store id.
grpc::StatusCode HelloNaming(v1::Sync::Stub& stub, const std::string& site) {
  grpc::ClientContext ctx;
  Deadline(&ctx);
  v1::HelloRequest hello;
  hello.set_site_id(site);
  hello.set_store_id(std::string(32, 'a'));
  v1::HelloResponse resp;
  return stub.Hello(&ctx, hello, &resp).error_code();
}

// A Push message of one tombstone at seq 1 for ncch-0000000001, from `store`.
v1::PushRequest OneTombstone(const std::string& store) {
  v1::PushRequest req;
  req.set_site_id("ncch");
  req.set_store_id(store);
  auto* b = req.mutable_batch();
  b->set_first_seq(1);
  b->set_last_seq(1);
  auto* ev = b->add_events();
  ev->set_seq(1);
  ev->set_kind(v1::CHANGE_KIND_TOMBSTONE);
  ev->set_case_id("ncch-0000000001");
  ev->set_reason("CONSENT_WITHDRAWN");
  return req;
}

grpc::StatusCode CallAdmin(v1::Admin::Stub& stub, const std::string& rpc) {
  grpc::ClientContext ctx;
  Deadline(&ctx);
  if (rpc == "ListSites") {
    v1::ListSitesResponse r;
    return stub.ListSites(&ctx, {}, &r).error_code();
  }
  if (rpc == "GetStats") {
    v1::GetStatsResponse r;
    return stub.GetStats(&ctx, {}, &r).error_code();
  }
  if (rpc == "RebaseSite") {
    v1::RebaseSiteRequest q;
    q.set_site_id("nosuchsite");
    v1::RebaseSiteResponse r;
    return stub.RebaseSite(&ctx, q, &r).error_code();
  }
  if (rpc == "Reconcile") {
    v1::ReconcileRequest q;
    q.set_site_id("nosuchsite");
    v1::ReconcileResponse r;
    return stub.Reconcile(&ctx, q, &r).error_code();
  }
  if (rpc == "ListAudit") {
    v1::ListAuditResponse r;
    return stub.ListAudit(&ctx, {}, &r).error_code();
  }
  if (rpc == "CreateBackup") {
    v1::CreateBackupResponse r;
    return stub.CreateBackup(&ctx, {}, &r).error_code();
  }
  if (rpc == "ListBackups") {
    v1::ListBackupsResponse r;
    return stub.ListBackups(&ctx, {}, &r).error_code();
  }
  if (rpc == "VerifyBackup") {
    v1::VerifyBackupRequest q;
    q.set_id(9999);
    v1::VerifyBackupResponse r;
    return stub.VerifyBackup(&ctx, q, &r).error_code();
  }
  if (rpc == "PutTrial") {
    v1::PutTrialRequest q;
    q.set_yaml("trial_id: NOSUCH\ntitle: t\nsponsor: chugai\nstatus: open\narms:\n  - arm_id: A\n"
               "    match: {genomic: {gene: ALK}}\n");
    q.set_mode(v1::PutTrialRequest::MODE_UPDATE);
    v1::PutTrialResponse r;
    return stub.PutTrial(&ctx, q, &r).error_code();
  }
  if (rpc == "SetTrialStatus") {
    v1::SetTrialStatusRequest q;
    q.set_trial_id("NOSUCH");
    q.set_status(v1::TRIAL_STATUS_SUSPENDED);
    v1::SetTrialStatusResponse r;
    return stub.SetTrialStatus(&ctx, q, &r).error_code();
  }
  if (rpc == "ListTrials") {
    v1::ListTrialsResponse r;
    return stub.ListTrials(&ctx, {}, &r).error_code();
  }
  if (rpc == "GetTrial") {
    v1::GetTrialRequest q;
    q.set_trial_id("NOSUCH");
    v1::GetTrialResponse r;
    return stub.GetTrial(&ctx, q, &r).error_code();
  }
  if (rpc == "Cohort") {
    v1::CohortRequest q;
    q.set_by("site");
    v1::CohortResponse r;
    return stub.Cohort(&ctx, q, &r).error_code();
  }
  if (rpc == "ListMultiSitePersons") {
    v1::ListMultiSitePersonsResponse r;
    return stub.ListMultiSitePersons(&ctx, {}, &r).error_code();
  }
  if (rpc == "ExportCases") {
    auto reader = stub.ExportCases(&ctx, {});
    v1::ExportCasesResponse chunk;
    while (reader->Read(&chunk)) {
    }
    return reader->Finish().error_code();
  }
  v1::VerifyAuditResponse r;
  return stub.VerifyAudit(&ctx, {}, &r).error_code();
}

std::vector<v1::AuditRecord> AuditTail(Cluster& c, uint32_t n = 200) {
  auto stub = Admin(c, "auditor-audit");
  grpc::ClientContext ctx;
  Deadline(&ctx);
  v1::ListAuditRequest q;
  q.set_limit(n);
  v1::ListAuditResponse r;
  EXPECT_TRUE(stub->ListAudit(&ctx, q, &r).ok());
  return {r.entries().begin(), r.entries().end()};
}

bool Audited(Cluster& c, const std::string& who, const std::string& action, const std::string& outcome) {
  for (const auto& e : AuditTail(c)) {
    if (e.who() == who && e.action() == action && e.outcome() == outcome) return true;
  }
  return false;
}

// Expected outcome of every role on every Admin RPC (docs/security.md). An
// allowed call on an unknown site answers NOT_FOUND; that still proves access.
TEST(Roles, EveryRoleAgainstEveryAdminRpc) {
  Cluster c;
  c.StartAggregator();
  const std::vector<std::string> rpcs = {"ListSites",   "GetStats", "RebaseSite",     "Reconcile",  "ListAudit",
                                         "VerifyAudit", "PutTrial", "SetTrialStatus", "ListTrials", "GetTrial",
                                         "Cohort",      "ListMultiSitePersons",     "ExportCases", "CreateBackup",
                                         "ListBackups", "VerifyBackup"};
  const std::map<std::string, std::set<std::string>> allowed = {
      {"operator-admin",
       {"ListSites", "GetStats", "RebaseSite", "Reconcile", "ListAudit", "VerifyAudit", "PutTrial", "SetTrialStatus",
        "ListTrials", "GetTrial", "Cohort", "ListMultiSitePersons", "ExportCases", "CreateBackup", "ListBackups",
        "VerifyBackup"}},
      {"auditor-audit",
       {"ListSites", "GetStats", "Reconcile", "ListAudit", "VerifyAudit", "ListTrials", "GetTrial", "Cohort",
        "ListMultiSitePersons", "ListBackups", "VerifyBackup"}},
      {"sponsor-chugai", {"GetStats", "ListTrials", "GetTrial", "Cohort", "ListMultiSitePersons"}},
      {"site-ncch", {}},
  };
  for (const auto& [identity, ok] : allowed) {
    auto stub = Admin(c, identity);
    for (const auto& rpc : rpcs) {
      auto code = CallAdmin(*stub, rpc);
      if (ok.count(rpc)) {
        EXPECT_TRUE(code == grpc::StatusCode::OK || code == grpc::StatusCode::NOT_FOUND)
            << identity << " " << rpc << " -> " << code;
      } else {
        EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED) << identity << " " << rpc;
      }
    }
  }
  // Sync is for sites only.
  EXPECT_EQ(HelloNaming(*SyncAs(c, "operator-admin"), "ncch"), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Audited(c, "sponsor/chugai", "admin.RebaseSite", "PERMISSION_DENIED"));
  EXPECT_TRUE(Audited(c, "operator/admin", "sync.Hello", "PERMISSION_DENIED"));
}

TEST(Refusals, HostilePeersGetTheRightStatusAndAnAuditEntry) {
  Cluster c;
  // A second, unrelated federation: its certificates must not be accepted.
  std::string other = c.dir() + "/other-pki";
  ASSERT_EQ(std::system((std::string(FEDREG_SOURCE_DIR) + "/deploy/pki/make-dev-pki.sh " + other + " >/dev/null").c_str()), 0);
  ASSERT_EQ(std::system((std::string(FEDREG_SOURCE_DIR) + "/deploy/pki/make-dev-pki.sh " + c.pki() +
                         " issue operator expired --expired >/dev/null").c_str()), 0);
  ASSERT_EQ(std::system((std::string(FEDREG_SOURCE_DIR) + "/deploy/pki/make-dev-pki.sh " + c.pki() +
                         " issue operator revoked >/dev/null && " + FEDREG_SOURCE_DIR +
                         "/deploy/pki/make-dev-pki.sh " + c.pki() + " revoke operator-revoked >/dev/null").c_str()), 0);
  c.StartAggregator({"--crl-dir", c.pki() + "/crl"});

  // Unknown CA, expired, revoked: refused in the handshake.
  {
    auto creds = MakeChannelCredentials({c.pki() + "/ca.pem", other + "/operator-admin.pem", other + "/operator-admin.key"});
    ASSERT_TRUE(creds.ok());
    auto stub = v1::Admin::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(c.port()), *creds));
    EXPECT_EQ(CallAdmin(*stub, "ListSites"), grpc::StatusCode::UNAVAILABLE) << "unknown CA";
  }
  EXPECT_EQ(CallAdmin(*Admin(c, "operator-expired"), "ListSites"), grpc::StatusCode::UNAVAILABLE) << "expired";
  EXPECT_EQ(CallAdmin(*Admin(c, "operator-revoked"), "ListSites"), grpc::StatusCode::UNAVAILABLE) << "revoked";
  EXPECT_EQ(CallAdmin(*Admin(c, "operator-admin"), "ListSites"), grpc::StatusCode::OK) << "the CRL must not block others";
  // Refused in the handshake, and still audited, with who the certificate claimed to be.
  EXPECT_TRUE(Audited(c, "operator/expired", "tls.handshake", "UNAUTHENTICATED"));
  EXPECT_TRUE(Audited(c, "operator/revoked", "tls.handshake", "UNAUTHENTICATED"));
  EXPECT_TRUE(Audited(c, "operator/admin", "tls.handshake", "UNAUTHENTICATED")) << "the foreign CA's operator";
  // A revocation takes effect at the next handshake, without a restart.
  ASSERT_EQ(std::system((std::string(FEDREG_SOURCE_DIR) + "/deploy/pki/make-dev-pki.sh " + c.pki() +
                         " issue auditor late >/dev/null").c_str()), 0);
  EXPECT_EQ(CallAdmin(*Admin(c, "auditor-late"), "ListAudit"), grpc::StatusCode::OK);
  ASSERT_EQ(std::system((std::string(FEDREG_SOURCE_DIR) + "/deploy/pki/make-dev-pki.sh " + c.pki() +
                         " revoke auditor-late >/dev/null").c_str()), 0);
  EXPECT_EQ(CallAdmin(*Admin(c, "auditor-late"), "ListAudit"), grpc::StatusCode::UNAVAILABLE)
      << "revoked while the aggregator runs";
  // Plaintext.
  {
    auto stub = v1::Admin::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(c.port()), grpc::InsecureChannelCredentials()));
    EXPECT_EQ(CallAdmin(*stub, "ListSites"), grpc::StatusCode::UNAVAILABLE) << "plaintext";
  }
  // A site certificate naming another site.
  auto sync = SyncAs(c, "site-ncch");
  EXPECT_EQ(HelloNaming(*sync, "kyoto"), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Audited(c, "site/ncch", "sync.Hello", "PERMISSION_DENIED"));
  // A sponsor calling an operator RPC.
  EXPECT_EQ(CallAdmin(*Admin(c, "sponsor-chugai"), "RebaseSite"), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Audited(c, "sponsor/chugai", "admin.RebaseSite", "PERMISSION_DENIED"));

  // A valid batch, then an oversized message on the same stream: the first stands.
  {
    grpc::ClientContext hctx;
    Deadline(&hctx);
    v1::HelloRequest hello;
    hello.set_site_id("ncch");
    hello.set_store_id(std::string(32, 'b'));
    hello.set_highest_seq(2);
    v1::HelloResponse welcome;
    ASSERT_TRUE(sync->Hello(&hctx, hello, &welcome).ok());
    grpc::ClientContext ctx;
    Deadline(&ctx, 30);
    auto stream = sync->Push(&ctx);
    v1::PushRequest req = OneTombstone(std::string(32, 'b'));
    ASSERT_TRUE(stream->Write(req));
    v1::PushAck ack;
    ASSERT_TRUE(stream->Read(&ack));
    EXPECT_EQ(ack.applied_seq(), 1u);
    v1::PushRequest big = req;
    big.mutable_batch()->set_first_seq(2);
    big.mutable_batch()->set_last_seq(2);
    big.mutable_batch()->mutable_events(0)->set_seq(2);
    big.mutable_batch()->mutable_events(0)->set_reason(std::string(8 << 20, 'X'));
    stream->Write(big);
    stream->WritesDone();
    while (stream->Read(&ack)) {
    }
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    v1::ListSitesResponse list;
    ASSERT_TRUE(c.ListSites(&list).ok());
    ASSERT_EQ(list.sites_size(), 1);
    EXPECT_EQ(list.sites(0).applied_seq(), 1u) << "the batch before the oversized one stands";
  }
  // Batches over the limits given at Hello but under the transport's cap: refused and audited.
  {
    grpc::ClientContext ctx;
    Deadline(&ctx, 30);
    auto stream = sync->Push(&ctx);
    v1::PushRequest req;
    req.set_site_id("ncch");
    req.set_store_id(std::string(32, 'b'));
    auto* b = req.mutable_batch();
    b->set_first_seq(2);
    b->set_last_seq(1001 + 1);
    for (uint64_t s = 2; s <= 1002; ++s) {
      auto* ev = b->add_events();
      ev->set_seq(s);
      ev->set_kind(v1::CHANGE_KIND_TOMBSTONE);
      ev->set_case_id("ncch-0000000002");
    }
    stream->Write(req);
    stream->WritesDone();
    v1::PushAck ack;
    while (stream->Read(&ack)) {
    }
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_TRUE(Audited(c, "site/ncch", "sync.Push", "RESOURCE_EXHAUSTED"));
  }
  // Malformed protobuf bytes: the generic stub sends raw bytes that do not parse.
  {
    auto creds = MakeChannelCredentials({c.pki() + "/ca.pem", c.pki() + "/site-ncch.pem", c.pki() + "/site-ncch.key"});
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(c.port()), *creds);
    grpc::GenericStub generic(channel);
    grpc::ClientContext ctx;
    Deadline(&ctx);
    std::string junk = "\xff\xff\xff\xff\x0f garbage";
    grpc::Slice slice(junk);
    grpc::ByteBuffer request(&slice, 1), response;
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    generic.UnaryCall(&ctx, "/fedreg.v1.Sync/Hello", grpc::StubOptions(), &request, &response,
                      [&](grpc::Status s) {
                        std::lock_guard<std::mutex> lock(m);
                        status = s;
                        done = true;
                        cv.notify_all();
                      });
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock, [&] { return done; });
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL) << status.error_message();
  }
}

// Issue 9's reproduction: one Push from a site certificate that never said
// Hello aborted the aggregator (an unchecked StatusOr) and every hospital
// went down with it. Now it is FAILED_PRECONDITION, audited, and the other
// sites' agents keep streaming through the same process.
TEST(Refusals, PushBeforeHelloIsFailedPreconditionAuditedAndOtherSitesKeepStreaming) {
  Cluster c;
  synth::SynthOptions o;
  o.out_dir = c.dir() + "/exports";
  o.sites = {"kyoto"};
  o.total_cases = 120;
  o.seed = 41;
  auto first = synth::WriteExports(o);
  ASSERT_TRUE(first.ok()) << first.status();
  o.out_dir = c.dir() + "/more";
  o.seed = 42;
  auto more = synth::WriteExports(o);
  ASSERT_TRUE(more.ok()) << more.status();
  c.StartAggregator();
  c.StartAgent("kyoto");
  auto r1 = c.Import("kyoto", first->files[0]);
  ASSERT_TRUE(c.WaitForDrain("kyoto"));

  // The hostile (or merely buggy) peer: a valid ncch certificate, no Hello.
  auto sync = SyncAs(c, "site-ncch");
  {
    grpc::ClientContext ctx;
    Deadline(&ctx);
    auto stream = sync->Push(&ctx);
    stream->Write(OneTombstone(std::string(32, 'c')));
    stream->WritesDone();
    v1::PushAck ack;
    EXPECT_FALSE(stream->Read(&ack)) << "nothing is acknowledged";
    grpc::Status s = stream->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
    EXPECT_NE(s.error_message().find("call Hello first"), std::string::npos) << s.error_message();
  }
  EXPECT_TRUE(Audited(c, "site/ncch", "sync.Push", "FAILED_PRECONDITION"));

  // The same process still serves: kyoto's next import reaches the view.
  auto r2 = c.Import("kyoto", more->files[0]);
  ASSERT_TRUE(c.WaitForDrain("kyoto"));
  v1::ListSitesResponse list;
  ASSERT_TRUE(c.ListSites(&list).ok());
  ASSERT_EQ(list.sites_size(), 1) << "the refused push registered nothing";
  EXPECT_EQ(list.sites(0).site_id(), "kyoto");
  EXPECT_TRUE(list.sites(0).connected());
  EXPECT_EQ(list.sites(0).cases(), c.AgentStatus("kyoto").cases());
  v1::GetStatsResponse stats;
  ASSERT_TRUE(c.GetStats(true, &stats).ok());
  EXPECT_TRUE(stats.verified());
  EXPECT_EQ(stats.cases(), c.AgentStatus("kyoto").cases());
  EXPECT_GT(r2.accepted() + r2.updated(), 0);
  EXPECT_GT(r1.accepted(), 0);
}

TEST(Audit, VerifyNamesTheTamperedEntry) {
  Cluster c;
  c.StartAggregator();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(CallAdmin(*Admin(c, "operator-admin"), "ListSites"), grpc::StatusCode::OK);
  EXPECT_EQ(CallAdmin(*Admin(c, "sponsor-chugai"), "ListSites"), grpc::StatusCode::PERMISSION_DENIED);
  {
    auto stub = Admin(c, "auditor-audit");
    grpc::ClientContext ctx;
    Deadline(&ctx);
    v1::VerifyAuditResponse v;
    ASSERT_TRUE(stub->VerifyAudit(&ctx, {}, &v).ok());
    EXPECT_TRUE(v.ok());
    EXPECT_GE(v.entries(), 4u);
  }
  c.StopAggregator();
  {
    server::CentreStoreOptions o;
    o.path = c.dir() + "/centre/store";
    auto store = server::CentreStore::Open(o);
    ASSERT_TRUE(store.ok());
    uint64_t last = 0;
    auto entries = (*store)->ListAudit(1, 10, &last);
    ASSERT_TRUE(entries.ok());
    ASSERT_GE(entries->size(), 3u);
    v1::AuditEntry e = (*entries)[1];  // seq 2
    e.set_detail("nothing happened here");
    ASSERT_TRUE((*store)->OverwriteAuditEntryForTest(e).ok());
  }
  c.StartAggregator();
  auto stub = Admin(c, "auditor-audit");
  grpc::ClientContext ctx;
  Deadline(&ctx);
  v1::VerifyAuditResponse v;
  ASSERT_TRUE(stub->VerifyAudit(&ctx, {}, &v).ok());
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.first_bad_seq(), 2u);
  EXPECT_NE(v.reason().find("altered"), std::string::npos) << v.reason();
  // fedregctl says so too, with a non-zero exit.
  std::string cmd = std::string(FEDREG_BIN_DIR) + "/fedregctl --server 127.0.0.1:" + std::to_string(c.port()) +
                    " --ca " + c.pki() + "/ca.pem --cert " + c.pki() + "/auditor-audit.pem --key " + c.pki() +
                    "/auditor-audit.key audit verify 2>" + c.dir() + "/verify.err >/dev/null";
  EXPECT_NE(std::system(cmd.c_str()), 0);
  std::ifstream err(c.dir() + "/verify.err");
  std::string line;
  std::getline(err, line);
  EXPECT_NE(line.find("BROKEN at entry 2"), std::string::npos) << line;
}

// Every byte of the files under `dir` (RocksDB files, WAL, logs).
std::string Slurp(const std::string& dir, const std::string& skip_substring = "") {
  std::string all;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
    if (!f.is_regular_file()) continue;
    if (!skip_substring.empty() && f.path().string().find(skip_substring) != std::string::npos) continue;
    std::ifstream in(f.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    all += ss.str();
  }
  return all;
}

TEST(Secrets, NoIdentifierReachesTheCentreTheLogsOrTheAgentStoreOutsideTheEncryptedTable) {
  Cluster c;
  synth::SynthOptions o;
  o.out_dir = c.dir() + "/exports";
  o.sites = {"ncch", "kyoto"};
  o.total_cases = 300;
  o.seed = 31;
  auto r = synth::WriteExports(o);
  ASSERT_TRUE(r.ok());
  c.StartAggregator();
  c.StartAgent("ncch", "", {"--min-free-mb", "0"});
  c.StartAgent("kyoto");
  for (const auto& f : r->files) c.Import(std::filesystem::path(f).stem().string(), f);
  ASSERT_TRUE(c.WaitForDrain("ncch"));
  ASSERT_TRUE(c.WaitForDrain("kyoto"));
  c.StopAgent("ncch");
  c.StopAgent("kyoto");
  c.StopAggregator();

  // The identifiers, read back from the exports (CSV for ncch, NDJSON for kyoto).
  std::set<std::string> identifiers;
  {
    std::ifstream csv(c.dir() + "/exports/ncch.csv");
    std::string header, line;
    std::getline(csv, header);
    while (std::getline(csv, line)) {
      std::vector<std::string> f;
      std::stringstream ss(line);
      std::string cell;
      while (std::getline(ss, cell, ',')) f.push_back(cell);
      if (f.size() < 4) continue;
      for (int i : {0, 1, 2, 3}) {
        std::string v = f[i];
        v.erase(std::remove(v.begin(), v.end(), '"'), v.end());
        if (v.size() >= 6) identifiers.insert(v);  // at least 2 kanji / 6 bytes: no chance hits
      }
      // (The compact YYYYMMDD form is not searched: link tokens are hex and
      // hold 8-digit runs by chance.)
    }
  }
  ASSERT_GT(identifiers.size(), 300u);
  const std::string centre = Slurp(c.dir() + "/centre");
  std::string logs;
  for (const char* log : {"aggregator.log", "agent-ncch.log", "agent-kyoto.log"}) {
    std::ifstream in(c.dir() + "/" + log, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    logs += ss.str();
  }
  ASSERT_GT(logs.size(), 1000u);
  // The agent's store: every byte on disk (the reid table's values are sealed
  // and its keys are HMACs, so they hold no identifier either), plus every
  // decompressed case read back through the store.
  std::string agent_bytes = Slurp(c.AgentDataDir("ncch") + "/store");
  {
    agent::AgentStoreOptions ao;
    ao.path = c.AgentDataDir("ncch") + "/store";
    auto store = agent::AgentStore::Open(ao);
    ASSERT_TRUE(store.ok());
    auto cases = (*store)->AllCases();
    ASSERT_TRUE(cases.ok());
    for (const auto& k : *cases) agent_bytes += k.SerializeAsString();
  }
  int checked = 0;
  for (const auto& id : identifiers) {
    EXPECT_EQ(centre.find(id), std::string::npos) << "identifier at the centre: " << id;
    EXPECT_EQ(logs.find(id), std::string::npos) << "identifier in a log: " << id;
    EXPECT_EQ(agent_bytes.find(id), std::string::npos) << "identifier in the agent store: " << id;
    ++checked;
  }
  EXPECT_GT(checked, 300);
}

TEST(Secrets, AKeyFileReadableByOthersIsRefusedAtStartNamingIt) {
  Cluster c;
  std::string loose = c.dir() + "/linkage-loose.key";
  std::filesystem::copy_file(c.pki() + "/linkage.key", loose);
  chmod(loose.c_str(), 0644);
  std::string cmd = std::string(FEDREG_BIN_DIR) + "/fedreg-agent --site ncch --data-dir " + c.dir() +
                    "/a --ca " + c.pki() + "/ca.pem --cert " + c.pki() + "/site-ncch.pem --key " + c.pki() +
                    "/site-ncch.key --linkage-key " + loose + " --check-config 2>" + c.dir() + "/err";
  EXPECT_NE(std::system(cmd.c_str()), 0);
  std::ifstream err(c.dir() + "/err");
  std::string line;
  std::getline(err, line);
  EXPECT_NE(line.find(loose), std::string::npos) << line;
  EXPECT_NE(line.find("0644"), std::string::npos) << line;
}

}  // namespace
}  // namespace fedreg::testing
