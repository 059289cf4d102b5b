// libFuzzer target: the sync protocol's states. The input is a serialised
// fedreg.fuzz.Script (tests/fuzz/protocol_script.proto): a sequence of Sync
// and Admin calls, each from a chosen identity (site ncch, site kyoto,
// operator, sponsor, auditor, no certificate), with whatever field values
// the mutator makes (wrong site, wrong or empty store id, seq gaps and
// overlaps, oversized and empty batches, snapshot begin without end, end
// without begin, chunks for another site, restarts in between).
//
// Each input runs against a freshly started aggregator: the real
// SyncServiceImpl and AdminServiceImpl (no session, no open call), called in
// process (tests/unit/in_process_centre.h) with small limits so that
// oversized batches are cheap to reach, over the real CentreStore (RocksDB in
// $FEDREG_FUZZ_TMPDIR, else /dev/shm when writable, else $TMPDIR or /tmp).
// The store is opened once and kept across inputs, like a centre's disk
// across restarts: creating a RocksDB with its eight column families takes
// about half a second under ASan, which would leave the fuzzer a few inputs
// a second. A finding may then depend on earlier inputs: reproduce with the
// crash file alone first, then with FEDREG_FUZZ_FRESH=1 (a new store for
// every input) or with the whole corpus and -runs=0. After every call it
// checks:
//  * the process is alive (a crash or an abort is the finding);
//  * every status message is valid UTF-8 (a reply never fails on a quote);
//  * the national view equals its recomputation from the cases;
//  * no site holds another site's cases, and each site's state (cases,
//    withdrawn, digest) agrees with its stored cases;
//  * the audit chain verifies.
// Seeds (tests/fuzz/corpus/protocol_fuzzer/) are real agent traffic made by
// fuzz_seed_gen: cases built by the agent's importer, committed to a real
// AgentStore and read back from its outbox as the sender batches them.
// FEDREG_FUZZ_VERBOSE=1 prints each call and how long it took.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/digest.h"
#include "common/utf8.h"
#include "common/validate.h"
#include "protocol_script.pb.h"
#include "tests/unit/in_process_centre.h"

namespace {

namespace fs = std::filesystem;
using fedreg::testing::InProcessCentre;

std::string* g_root = nullptr;
std::unique_ptr<fedreg::server::CentreStore>* g_store = nullptr;  // kept across inputs unless FEDREG_FUZZ_FRESH
constexpr size_t kMaxCalls = 48;
constexpr size_t kMaxMessages = 16;  // per Push or Snapshot call
const char* const kSites[] = {"ncch", "kyoto"};

[[noreturn]] void Fail(const std::string& what, const std::string& detail) {
  std::fprintf(stderr, "\n*** fedreg fuzz invariant violated (protocol): %s\n%s\n", what.c_str(), detail.c_str());
  std::fflush(stderr);
  std::abort();
}

fedreg::PeerIdentity IdentityOf(fedreg::fuzz::Caller c) {
  switch (c) {
    case fedreg::fuzz::CALLER_SITE_KYOTO: return fedreg::testing::Site("kyoto");
    case fedreg::fuzz::CALLER_OPERATOR: return fedreg::testing::Operator();
    case fedreg::fuzz::CALLER_SPONSOR: return fedreg::testing::Sponsor();
    case fedreg::fuzz::CALLER_AUDITOR: return fedreg::testing::Auditor();
    default: return fedreg::testing::Site("ncch");
  }
}

void CheckReply(const grpc::Status& s, const char* rpc) {
  if (!fedreg::IsValidUtf8(s.error_message()))
    Fail(std::string(rpc) + " status message is valid UTF-8", s.error_message());
}

void CheckInvariants(fedreg::server::CentreStore& store, const std::string& after) {
  auto stored = store.ReadViews();
  auto recomputed = store.RecomputeViews();
  if (!stored.ok() || !recomputed.ok())
    Fail("views readable", after + ": " + stored.status().ToString() + " / " + recomputed.status().ToString());
  if (*stored != *recomputed) {
    std::string diff;
    for (const auto& [k, n] : *stored) {
      auto it = recomputed->find(k);
      if (it == recomputed->end() || it->second != n)
        diff += "  " + k + ": stored " + std::to_string(n) + ", recomputed " +
                std::to_string(it == recomputed->end() ? 0 : it->second) + "\n";
    }
    for (const auto& [k, n] : *recomputed)
      if (!stored->count(k)) diff += "  " + k + ": stored 0, recomputed " + std::to_string(n) + "\n";
    Fail("view == recomputation", after + "\n" + diff);
  }

  auto all = store.Cases("");
  if (!all.ok()) Fail("cases readable", all.status().ToString());
  auto sites = store.ListSites();
  if (!sites.ok()) Fail("sites readable", sites.status().ToString());
  size_t held = 0;
  for (const auto& st : *sites) {
    auto cases = store.Cases(st.site_id());
    if (!cases.ok()) Fail("site cases readable", cases.status().ToString());
    uint64_t digest = 0;
    for (const auto& c : *cases) {
      if (c.site_id() != st.site_id() || !fedreg::IsValidCaseId(c.case_id(), st.site_id()))
        Fail("no site holds another site's cases", after + ": site " + st.site_id() + " holds " + c.case_id() +
                                                       " of site " + c.site_id());
      digest += fedreg::CaseDigestTerm(c.case_id(), c.record_version());
    }
    held += cases->size();
    std::vector<fedreg::v1::CaseVersion> versions, tombs;
    uint64_t applied = 0;
    if (auto s = store.CaseVersions(st.site_id(), &versions, &tombs, &applied); !s.ok())
      Fail("case versions readable", s.ToString());
    const std::string detail = after + ": site " + st.site_id() + " state cases=" + std::to_string(st.cases()) +
                               " withdrawn=" + std::to_string(st.withdrawn()) + "; stored " +
                               std::to_string(cases->size()) + " cases, " + std::to_string(tombs.size()) +
                               " tombstones";
    if (st.cases() != static_cast<int64_t>(cases->size())) Fail("site cases == stored cases", detail);
    if (st.withdrawn() != static_cast<int64_t>(tombs.size())) Fail("site withdrawn == tombstones", detail);
    if (st.digest() != digest) Fail("site digest == its cases' digest", detail);
  }
  if (held != all->size())
    Fail("every stored case belongs to a known site",
         after + ": " + std::to_string(all->size()) + " cases, " + std::to_string(held) + " under known sites");

  auto audit = store.VerifyAudit();
  if (!audit.ok) Fail("audit chain verifies", after + ": seq " + std::to_string(audit.first_bad_seq) + ": " + audit.reason);
}

// The site a call concerns, for seq shifting: the caller's own site, else ncch.
std::string SiteOf(const fedreg::fuzz::Call& call) {
  return call.caller() == fedreg::fuzz::CALLER_SITE_KYOTO ? "kyoto" : "ncch";
}

void Renumber(fedreg::v1::Batch* b, uint64_t first) {
  b->set_first_seq(first);
  b->set_last_seq(b->events_size() == 0 ? (first == 0 ? 0 : first - 1) : first + b->events_size() - 1);
  for (int i = 0; i < b->events_size(); ++i) b->mutable_events(i)->set_seq(first + static_cast<uint64_t>(i));
}

std::string TempRoot() {
  if (const char* d = std::getenv("FEDREG_FUZZ_TMPDIR")) return d;
  if (access("/dev/shm", W_OK) == 0) return "/dev/shm";
  if (const char* d = std::getenv("TMPDIR")) return d;
  return "/tmp";
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  std::string tmpl = TempRoot() + "/fedreg-protocol-fuzz-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  g_root = new std::string(tmpl);
  // The kept store is not closed at exit: RocksDB's own statics may be gone
  // by then (closing it from an atexit handler crashed in its logger).
  std::atexit([] {
    std::error_code ec;
    fs::remove_all(*g_root, ec);
  });
  if (std::getenv("FEDREG_FUZZ_FRESH") == nullptr) {
    fedreg::server::CentreStoreOptions o;
    o.path = *g_root + "/centre";
    o.min_free_bytes = 0;
    auto store = fedreg::server::CentreStore::Open(o);
    if (!store.ok()) Fail("store opens", store.status().ToString());
    g_store = new std::unique_ptr<fedreg::server::CentreStore>(std::move(*store));
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fedreg::fuzz::Script script;
  if (!script.ParseFromArray(data, static_cast<int>(size))) return -1;  // not a script: not kept in the corpus
  static uint64_t run = 0;
  const std::string path = *g_root + "/" + std::to_string(++run);
  fedreg::server::SyncLimits limits;
  limits.max_batch_events = 16;
  limits.max_batch_bytes = 64 << 10;
  limits.max_streams = 4;
  {
    auto start = [&] {
      return g_store != nullptr ? InProcessCentre::Over(**g_store, limits) : InProcessCentre::Open(path, limits);
    };
    auto centre = start();
    if (!centre) Fail("store opens", path);
    size_t n = 0;
    for (const auto& call : script.calls()) {
      if (++n > kMaxCalls) break;
      if (call.caller() == fedreg::fuzz::CALLER_UNAUTHENTICATED) centre->Unauthenticated();
      else centre->As(IdentityOf(call.caller()));
      const std::string after = "call " + std::to_string(n) + " (" + call.ShortDebugString().substr(0, 300) + ")";
      static const bool verbose = std::getenv("FEDREG_FUZZ_VERBOSE") != nullptr;
      const auto t0 = std::chrono::steady_clock::now();
      switch (call.call_case()) {
        case fedreg::fuzz::Call::kHello:
          CheckReply(centre->Hello(call.hello()), "Hello");
          break;
        case fedreg::fuzz::Call::kPush: {
          std::vector<fedreg::v1::PushRequest> messages;
          // Shifted batches follow on from the site's applied seq at the
          // call's start, each from where the previous one ended: shift 1
          // is the exact next seq, above 1 a gap, 0 or below an overlap.
          auto st = centre->store().GetSite(SiteOf(call));
          int64_t base = st.ok() ? static_cast<int64_t>(st->applied_seq()) : 0;
          for (int i = 0; i < call.push().messages_size() && messages.size() < kMaxMessages; ++i) {
            fedreg::v1::PushRequest m = call.push().messages(i);
            const int shift = i < call.push().seq_shift_size() ? call.push().seq_shift(i) : 0;
            if (shift != 0) Renumber(m.mutable_batch(), static_cast<uint64_t>(std::max<int64_t>(0, base + shift)));
            if (m.batch().events_size() > 0) base = static_cast<int64_t>(std::min<uint64_t>(m.batch().last_seq(), INT64_MAX));
            messages.push_back(std::move(m));
          }
          std::vector<fedreg::v1::PushAck> acks;
          CheckReply(centre->Push(std::move(messages), &acks), "Push");
          for (const auto& a : acks) {
            for (const auto& r : a.rejections())
              if (!fedreg::IsValidUtf8(r.reason())) Fail("rejection reasons are valid UTF-8", r.reason());
            if (a.durable_seq() > a.applied_seq()) Fail("durable <= applied in every ack", a.ShortDebugString());
          }
          break;
        }
        case fedreg::fuzz::Call::kSnapshot: {
          std::vector<fedreg::v1::SnapshotChunk> chunks;
          for (const auto& c : call.snapshot().chunks()) {
            if (chunks.size() >= kMaxMessages) break;
            chunks.push_back(c);
          }
          CheckReply(centre->Snapshot(std::move(chunks)), "Snapshot");
          break;
        }
        case fedreg::fuzz::Call::kCaseVersions:
          CheckReply(centre->CaseVersions(call.case_versions()), "CaseVersions");
          break;
        case fedreg::fuzz::Call::kReport:
          CheckReply(centre->ReportReconcile(call.report()), "ReportReconcile");
          break;
        case fedreg::fuzz::Call::kAdmin: {
          using Admin = fedreg::server::AdminServiceImpl;
          const auto& a = call.admin();
          switch (a.rpc()) {
            case fedreg::fuzz::ADMIN_LIST_SITES: {
              fedreg::v1::ListSitesResponse r;
              CheckReply(centre->Admin(&Admin::ListSites, fedreg::v1::ListSitesRequest(), &r), "ListSites");
              break;
            }
            case fedreg::fuzz::ADMIN_GET_STATS: {
              fedreg::v1::GetStatsRequest q;
              q.set_verify(a.verify());
              fedreg::v1::GetStatsResponse r;
              CheckReply(centre->Admin(&Admin::GetStats, q, &r), "GetStats");
              if (r.verified() == false && a.verify() && r.mismatches_size() > 0)
                Fail("GetStats --verify finds no mismatch", r.ShortDebugString().substr(0, 2000));
              break;
            }
            case fedreg::fuzz::ADMIN_REBASE_SITE: {
              fedreg::v1::RebaseSiteRequest q;
              q.set_site_id(a.site_id());
              fedreg::v1::RebaseSiteResponse r;
              CheckReply(centre->Admin(&Admin::RebaseSite, q, &r), "RebaseSite");
              break;
            }
            case fedreg::fuzz::ADMIN_RECONCILE: {
              fedreg::v1::ReconcileRequest q;
              q.set_site_id(a.site_id());
              fedreg::v1::ReconcileResponse r;
              CheckReply(centre->Admin(&Admin::Reconcile, q, &r), "Reconcile");
              break;
            }
            case fedreg::fuzz::ADMIN_LIST_AUDIT: {
              fedreg::v1::ListAuditRequest q;
              q.set_from_seq(a.from_seq());
              q.set_limit(a.limit());
              fedreg::v1::ListAuditResponse r;
              CheckReply(centre->Admin(&Admin::ListAudit, q, &r), "ListAudit");
              break;
            }
            default: {
              fedreg::v1::VerifyAuditResponse r;
              CheckReply(centre->Admin(&Admin::VerifyAudit, fedreg::v1::VerifyAuditRequest(), &r), "VerifyAudit");
              if (!r.ok()) Fail("VerifyAudit says the chain is intact", r.ShortDebugString());
              break;
            }
          }
          break;
        }
        case fedreg::fuzz::Call::kRestart:
          centre.reset();
          centre = start();
          if (!centre) Fail("store reopens after a restart", path);
          break;
        case fedreg::fuzz::Call::CALL_NOT_SET:
          break;
      }
      if (verbose)
        std::fprintf(stderr, "%.1f ms: %s\n",
                     std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(),
                     after.c_str());
      CheckInvariants(centre->store(), after);
    }
  }
  std::error_code ec;
  fs::remove_all(path, ec);
  return 0;
}
