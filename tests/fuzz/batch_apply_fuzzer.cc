// libFuzzer target: the input is a serialised fedreg.v1.Batch, applied with
// server::CentreStore::ApplyBatch for site "ncch" (store id 32 x 'a') to one
// CentreStore opened in LLVMFuzzerInitialize.
//
// The store keeps its state across inputs, like a real centre: the DB grows
// with the run (fine for a bounded run; tests/fuzz.sh points TMPDIR into
// build-fuzz/ and removes it afterwards). The store lives in
// $FEDREG_FUZZ_TMPDIR, else $TMPDIR, else /tmp, and is removed at exit.
//
// A batch is applied as it is. Because the applied seq moves on, most fuzzed
// batches would then only hit the gap / replay checks; so when the batch was
// refused as a gap (OUT_OF_RANGE) or was a pure replay, a copy whose seqs are
// shifted to start right after the applied seq (events keep their relative
// seqs) is applied as well.
//
// Invariants checked after every apply (a violation aborts):
//  * ReadViews() == RecomputeViews()  (the stored counters match the cases);
//  * the site state agrees with the stored cases: cases == number of cases,
//    withdrawn == number of tombstones, digest == sum of CaseDigestTerm,
//    applied_seq == CaseVersions' applied seq.
// Crashes found after many inputs may depend on the store's history: to
// reproduce, rerun the target on the crash file (often enough on its own) or
// on the whole corpus directory with -runs=0 first.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <google/protobuf/stubs/logging.h>

#include "common/digest.h"
#include "fedreg/v1/sync.pb.h"
#include "server/centre_store.h"

namespace {

using fedreg::server::CentreStore;
using fedreg::server::ViewCounts;

const std::string kSite = "ncch";
const std::string kStoreId(32, 'a');

std::unique_ptr<CentreStore>* g_store = nullptr;
std::string* g_dir = nullptr;

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "\n*** fedreg fuzz invariant violated: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

std::string Describe(const ViewCounts& v) {
  std::ostringstream out;
  for (const auto& [k, n] : v) {
    std::string key = k;
    for (char& ch : key)
      if (ch == '\x1f') ch = '=';
    out << "  " << key << " " << n << "\n";
  }
  return out.str();
}

std::string DiffViews(const ViewCounts& stored, const ViewCounts& recomputed) {
  std::ostringstream out;
  for (const auto& [k, n] : stored) {
    auto it = recomputed.find(k);
    int64_t r = it == recomputed.end() ? 0 : it->second;
    if (r != n) out << "  " << k << ": stored " << n << ", recomputed " << r << "\n";
  }
  for (const auto& [k, n] : recomputed)
    if (!stored.count(k)) out << "  " << k << ": stored 0, recomputed " << n << "\n";
  std::string s = out.str();
  for (char& ch : s)
    if (ch == '\x1f') ch = '=';
  return s;
}

void CheckInvariants(CentreStore& store, const char* when) {
  auto stored = store.ReadViews();
  auto recomputed = store.RecomputeViews();
  if (!stored.ok() || !recomputed.ok())
    Fail("views readable", std::string(when) + ": " + stored.status().ToString() + " / " +
                               recomputed.status().ToString());
  if (*stored != *recomputed)
    Fail("ReadViews() == RecomputeViews()", std::string(when) + "; differences:\n" + DiffViews(*stored, *recomputed) +
                                                "stored:\n" + Describe(*stored) + "recomputed:\n" +
                                                Describe(*recomputed));

  auto st = store.GetSite(kSite);
  if (!st.ok()) Fail("site readable", st.status().ToString());
  std::vector<fedreg::v1::CaseVersion> cases, tombs;
  uint64_t applied = 0;
  if (auto s = store.CaseVersions(kSite, &cases, &tombs, &applied); !s.ok()) Fail("case versions", s.ToString());
  uint64_t digest = 0;
  for (const auto& cv : cases) digest += fedreg::CaseDigestTerm(cv.case_id(), cv.record_version());
  std::ostringstream detail;
  detail << when << ": site state cases=" << st->cases() << " withdrawn=" << st->withdrawn()
         << " digest=" << st->digest() << " applied_seq=" << st->applied_seq() << "; stored cases=" << cases.size()
         << " tombstones=" << tombs.size() << " digest=" << digest << " applied_seq=" << applied;
  if (st->cases() != static_cast<int64_t>(cases.size())) Fail("site cases == stored cases", detail.str());
  if (st->withdrawn() != static_cast<int64_t>(tombs.size())) Fail("site withdrawn == tombstones", detail.str());
  if (st->digest() != digest) Fail("site digest == sum of case digest terms", detail.str());
  if (st->applied_seq() != applied) Fail("site applied seq == CaseVersions applied seq", detail.str());
}

// FEDREG_FUZZ_VERBOSE=1: print what each apply did (for reproducing).
void Report(const char* how, const absl::StatusOr<fedreg::server::ApplyResult>& r) {
  static const bool verbose = std::getenv("FEDREG_FUZZ_VERBOSE") != nullptr;
  if (!verbose) return;
  if (!r.ok()) {
    std::fprintf(stderr, "apply %s: %s\n", how, r.status().ToString().c_str());
    return;
  }
  std::fprintf(stderr, "apply %s: applied_seq %llu, %zu rejections\n", how,
               static_cast<unsigned long long>(r->applied_seq), r->rejections.size());
  for (const auto& rej : r->rejections)
    std::fprintf(stderr, "  rejected seq %llu %s: %s\n", static_cast<unsigned long long>(rej.seq()),
                 rej.case_id().c_str(), rej.reason().c_str());
}

void Cleanup() {
  if (g_store) g_store->reset();
  if (g_dir) {
    std::error_code ec;
    std::filesystem::remove_all(*g_dir, ec);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  const char* base = std::getenv("FEDREG_FUZZ_TMPDIR");
  if (!base || !*base) base = std::getenv("TMPDIR");
  if (!base || !*base) base = "/tmp";
  std::string templ = std::string(base) + "/fedreg-batch-fuzz-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    std::perror("mkdtemp");
    std::abort();
  }
  g_dir = new std::string(buf.data());

  google::protobuf::SetLogHandler(nullptr);  // no "invalid UTF-8" log line per rejected input

  // The store's defaults, except min_free_bytes (the run must not depend on
  // the disk) and a smaller block cache. FEDREG_FUZZ_WRITE_BUFFER_BYTES
  // overrides the write buffer budget.
  fedreg::server::CentreStoreOptions options;
  options.path = *g_dir + "/centre";
  options.block_cache_bytes = 8 << 20;
  if (const char* wb = std::getenv("FEDREG_FUZZ_WRITE_BUFFER_BYTES"))
    options.write_buffer_budget_bytes = std::strtoull(wb, nullptr, 10);
  options.min_free_bytes = 0;
  auto store = CentreStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "CentreStore::Open(%s): %s\n", options.path.c_str(), store.status().ToString().c_str());
    std::abort();
  }
  g_store = new std::unique_ptr<CentreStore>(std::move(*store));
  auto reg = (*g_store)->RegisterStore(kSite, kStoreId);
  if (!reg.ok()) {
    std::fprintf(stderr, "RegisterStore: %s\n", reg.status().ToString().c_str());
    std::abort();
  }
  std::atexit(Cleanup);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fedreg::v1::Batch batch;
  if (!batch.ParseFromArray(data, static_cast<int>(size))) return 0;
  CentreStore& store = **g_store;

  auto before = store.GetSite(kSite);
  if (!before.ok()) Fail("site readable", before.status().ToString());
  const uint64_t applied = before->applied_seq();

  auto result = store.ApplyBatch(kSite, kStoreId, batch);
  Report("as is", result);
  CheckInvariants(store, "after applying the batch as is");
  if (result.ok() && result->applied_seq < applied) Fail("applied seq went back", batch.ShortDebugString());

  const bool gap = absl::IsOutOfRange(result.status());
  const bool replay = result.ok() && batch.last_seq() <= applied;
  if ((gap || replay) && batch.events_size() > 0) {
    auto now = store.GetSite(kSite);
    if (!now.ok()) Fail("site readable", now.status().ToString());
    // Unsigned arithmetic: the shift may "wrap", which is what we want.
    const uint64_t shift = now->applied_seq() + 1 - batch.first_seq();
    fedreg::v1::Batch moved = batch;
    moved.set_first_seq(batch.first_seq() + shift);
    moved.set_last_seq(batch.last_seq() + shift);
    for (auto& ev : *moved.mutable_events()) ev.set_seq(ev.seq() + shift);
    auto r2 = store.ApplyBatch(kSite, kStoreId, moved);
    Report("shifted", r2);
    CheckInvariants(store, "after applying the batch shifted to the applied seq");
  }
  return 0;
}
