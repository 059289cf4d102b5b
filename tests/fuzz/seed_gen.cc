// Writes the binary seed corpora of the protobuf fuzz targets:
//   <dir>/case_validator_fuzzer/*.pb   serialised fedreg.v1.Case
//   <dir>/batch_apply_fuzzer/*.pb      serialised fedreg.v1.Batch
//   <dir>/protocol_fuzzer/*.pb         serialised fedreg.fuzz.Script
// The valid cases are made the real way: export rows through BuildCase; the
// protocol scripts carry real agent traffic: those cases committed to a real
// AgentStore and read back from its outbox as the sender batches them.
// Usage: fuzz_seed_gen <corpus dir>   (tests/fuzz/corpus to refresh the repo's seeds)
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "agent/case_builder.h"
#include "agent/agent_store.h"
#include "agent/export_parser.h"
#include "fedreg/v1/sync.pb.h"
#include "protocol_script.pb.h"

namespace fs = std::filesystem;
using namespace fedreg;

namespace {

const char* kExport =
    R"({"record_number":"K-000123","family_name":"山田","given_name":"太郎","birth_date":"1961-04-02","sex":"M","registration_date":"2023-02-14","oncotree_code":"LMS","vital_status":"alive","assay":"NCC-ONCOPANEL","specimen":"primary","report_date":"2023-03-01","alterations":[{"gene":"BRAF","kind":"SNV","change":"p.V600E","vaf":0.31}],"msi":"MSS","tmb":4.2,"treatments":[{"line":1,"drugs":["doxorubicin"],"start":"2023-03-10","end":"2023-07-01","response":"SD","trial":""}]})"
    "\n"
    R"({"record_number":"K-000124","family_name":"Smith","given_name":"Anne","birth_date":"1970-12-31","sex":"F","registration_date":"2022-06-01","diagnosis_date":"2022-05-01","oncotree_code":"LUAD","extent":"metastatic","ecog":1,"vital_status":"dead","last_contact_date":"2023-01-10","death_date":"2023-01-20","assay":"F1CDX","specimen":"metastasis","report_date":"2022-06-20","alterations":[{"gene":"ALK","kind":"FUSION","change":"EML4::ALK","vaf":0.2},{"gene":"MDM2","kind":"AMP"}],"msi":"MSI-H","treatments":[{"line":1,"drugs":["alectinib"],"start":"2022-07-01","response":"PR"}]})"
    "\n"
    R"({"record_number":"K-000125","family_name":"やまだ","given_name":"はなこ","birth_date":"1931-01-01","sex":"F","registration_date":"2023-11-30","oncotree_code":"LMS","vital_status":"unknown"})"
    "\n";

void Write(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  std::printf("%s (%zu bytes)\n", path.c_str(), bytes.size());
}


// Real agent traffic for the protocol fuzzer: `cases` (site ncch) committed
// to a real AgentStore, then an update and a withdrawal; the outbox read
// back in sender-sized batches.
int WriteProtocolSeeds(const fs::path& dir, const std::vector<v1::Case>& cases) {
  fs::create_directories(dir);
  std::string tmpl = (fs::temp_directory_path() / "fedreg-seed-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return 1;
  std::vector<v1::PushRequest> pushes;
  std::string store_id;
  {
    agent::AgentStoreOptions o;
    o.path = tmpl + "/agent";
    o.min_free_bytes = 0;
    auto store = agent::AgentStore::Open(o);
    if (!store.ok()) {
      std::fprintf(stderr, "agent store: %s\n", store.status().ToString().c_str());
      return 1;
    }
    store_id = (*store)->store_id();
    std::vector<agent::Change> first;
    for (const auto& c : cases) {
      agent::Change ch;
      ch.case_record = c;
      ch.case_id = c.case_id();
      ch.new_case = true;
      first.push_back(ch);
    }
    agent::Change update;
    update.case_record = cases[0];
    update.case_record.set_record_version(2);
    update.case_record.set_ecog(3);
    update.case_id = cases[0].case_id();
    agent::Change withdraw;
    withdraw.kind = v1::CHANGE_KIND_TOMBSTONE;
    withdraw.case_id = cases[1].case_id();
    withdraw.record_version = 1;
    withdraw.reason = "CONSENT_WITHDRAWN";
    if (!(*store)->Commit(first, {}).ok() || !(*store)->Commit({update, withdraw}, {}).ok()) return 1;
    for (uint64_t next = 1; next <= (*store)->highest_seq();) {
      v1::PushRequest req;
      req.set_site_id("ncch");
      req.set_store_id(store_id);
      if (!(*store)->ReadOutbox(next, 2, 2 << 20, req.mutable_batch()).ok() || req.batch().events_size() == 0) break;
      next = req.batch().last_seq() + 1;
      pushes.push_back(std::move(req));
    }
  }
  fs::remove_all(tmpl);
  const uint64_t highest = pushes.empty() ? 0 : pushes.back().batch().last_seq();
  const std::string other_store(32, 'b');

  using fuzz::Call;
  using fuzz::Script;
  auto hello = [&](Script* s, const std::string& store, uint64_t high, uint64_t acked,
                   fuzz::Caller who = fuzz::CALLER_SITE_NCCH) {
    Call* c = s->add_calls();
    c->set_caller(who);
    c->mutable_hello()->set_site_id(who == fuzz::CALLER_SITE_KYOTO ? "kyoto" : "ncch");
    c->mutable_hello()->set_store_id(store);
    c->mutable_hello()->set_schema_version(agent::AgentStore::kSchemaVersion);
    c->mutable_hello()->set_highest_seq(high);
    c->mutable_hello()->set_acked_seq(acked);
  };
  auto push = [&](Script* s, const std::vector<v1::PushRequest>& msgs, fuzz::Caller who = fuzz::CALLER_SITE_NCCH,
                  int shift = 0) {
    Call* c = s->add_calls();
    c->set_caller(who);
    for (const auto& m : msgs) {
      *c->mutable_push()->add_messages() = m;
      c->mutable_push()->add_seq_shift(shift);
    }
  };
  auto admin = [&](Script* s, fuzz::AdminRpc rpc, fuzz::Caller who = fuzz::CALLER_OPERATOR) {
    Call* c = s->add_calls();
    c->set_caller(who);
    c->mutable_admin()->set_rpc(rpc);
    c->mutable_admin()->set_site_id("ncch");
    c->mutable_admin()->set_verify(true);
    return c;
  };
  auto reconcile = [&](Script* s, const std::string& store) {
    Call* v = s->add_calls();
    v->mutable_case_versions()->set_site_id("ncch");
    v->mutable_case_versions()->set_store_id(store);
    Call* r = s->add_calls();
    r->mutable_report()->set_site_id("ncch");
    r->mutable_report()->set_store_id(store);
    r->mutable_report()->set_as_of_seq(highest);
    r->mutable_report()->set_agent_cases(2);
  };
  auto snapshot = [&](Script* s, const std::string& store, bool begin, bool end) {
    Call* c = s->add_calls();
    auto* chunk = c->mutable_snapshot()->add_chunks();
    chunk->set_site_id("ncch");
    chunk->set_store_id(store);
    chunk->set_as_of_seq(highest);
    chunk->set_begin(begin);
    chunk->set_end(end);
    for (const auto& k : cases) *chunk->add_cases() = k;
  };

  {  // An agent's first session: Hello, the outbox, a reconciliation; the office looks.
    Script s;
    hello(&s, store_id, highest, 0);
    push(&s, pushes);
    reconcile(&s, store_id);
    admin(&s, fuzz::ADMIN_GET_STATS);
    admin(&s, fuzz::ADMIN_RECONCILE);
    admin(&s, fuzz::ADMIN_VERIFY_AUDIT, fuzz::CALLER_AUDITOR);
    Write(dir / "session.pb", s.SerializeAsString());
  }
  {  // The issue's reproduction: Push before Hello, then the right order.
    Script s;
    push(&s, pushes);
    hello(&s, store_id, highest, 0);
    push(&s, pushes);
    Write(dir / "push_before_hello.pb", s.SerializeAsString());
  }
  {  // A reinstalled agent: refused, rebased by an operator, snapshot, pushes on.
    Script s;
    hello(&s, store_id, highest, 0);
    push(&s, pushes);
    hello(&s, other_store, 0, 0);
    admin(&s, fuzz::ADMIN_REBASE_SITE);
    hello(&s, other_store, 0, 0);
    snapshot(&s, other_store, true, true);
    std::vector<v1::PushRequest> again = pushes;
    for (auto& m : again) m.set_store_id(other_store);
    push(&s, again, fuzz::CALLER_SITE_NCCH, 1);
    admin(&s, fuzz::ADMIN_LIST_SITES);
    Write(dir / "rebase_snapshot.pb", s.SerializeAsString());
  }
  {  // Snapshot halves: begin without end, end without begin, not asked for.
    Script s;
    hello(&s, store_id, highest, 0);
    push(&s, pushes);
    snapshot(&s, store_id, true, false);
    admin(&s, fuzz::ADMIN_REBASE_SITE);
    hello(&s, other_store, 0, 0);
    snapshot(&s, other_store, true, false);
    snapshot(&s, other_store, false, true);
    snapshot(&s, other_store, true, true);
    Write(dir / "snapshot_halves.pb", s.SerializeAsString());
  }
  {  // Another site sends ncch's traffic; then its own Hello; a restart between Hello and Push.
    Script s;
    push(&s, pushes, fuzz::CALLER_SITE_KYOTO);
    hello(&s, store_id, highest, 0, fuzz::CALLER_SITE_KYOTO);
    hello(&s, store_id, highest, 0);
    Call* r = s.add_calls();
    r->set_restart(true);
    push(&s, pushes);
    hello(&s, store_id, highest, 0);
    push(&s, pushes, fuzz::CALLER_SITE_NCCH, 3);  // a gap
    push(&s, pushes, fuzz::CALLER_SITE_NCCH, -1);  // an overlap
    admin(&s, fuzz::ADMIN_GET_STATS, fuzz::CALLER_SPONSOR);
    Write(dir / "other_site_and_restart.pb", s.SerializeAsString());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  const fs::path case_dir = root / "case_validator_fuzzer", batch_dir = root / "batch_apply_fuzzer";
  fs::create_directories(case_dir);
  fs::create_directories(batch_dir);

  agent::SiteKeys keys{std::string(32, '\x11'), std::string(32, '\x22')};
  std::vector<v1::Case> cases;
  std::istringstream in(kExport);
  int n = 0;
  auto s = agent::ReadExportStream(in, "seed.ndjson", agent::ExportKind::kNdjson,
                                   [&](const agent::SourceRecord* r, const agent::RowError* e) {
                                     if (e) {
                                       std::fprintf(stderr, "seed row %lld: %s: %s\n", (long long)e->line,
                                                    e->field.c_str(), e->reason.c_str());
                                       return;
                                     }
                                     agent::BuiltCase built;
                                     agent::BuildError err;
                                     char id[32];
                                     std::snprintf(id, sizeof id, "ncch-%010d", ++n);
                                     if (!agent::BuildCase(*r, "ncch", id, keys, {}, &built, &err)) {
                                       std::fprintf(stderr, "seed row %lld: %s: %s\n", (long long)r->line,
                                                    err.field.c_str(), err.reason.c_str());
                                       return;
                                     }
                                     built.record.set_record_version(1);
                                     cases.push_back(built.record);
                                   });
  if (!s.ok() || cases.size() != 3) {
    std::fprintf(stderr, "seed export: %s, %zu cases built (expected 3)\n", s.ToString().c_str(), cases.size());
    return 1;
  }

  // Cases: valid ones, and a few broken copies.
  for (size_t i = 0; i < cases.size(); ++i) Write(case_dir / ("valid_" + std::to_string(i + 1) + ".pb"), cases[i].SerializeAsString());
  {
    v1::Case c = cases[0];
    c.set_case_id("ncch-bad id");
    c.set_registration_month("2023-13");
    c.set_record_version(0);
    Write(case_dir / "invalid_ids_and_month.pb", c.SerializeAsString());
  }
  {
    v1::Case c = cases[1];
    if (c.tests_size() > 0 && c.tests(0).alterations_size() > 0) {
      auto* a = c.mutable_tests(0)->mutable_alterations(0);
      a->set_gene("not a gene");
      a->set_protein_change("V600E");
      a->set_fusion("EML4:ALK");
      a->set_vaf(1.5);
    }
    Write(case_dir / "invalid_alteration.pb", c.SerializeAsString());
  }
  Write(case_dir / "empty.pb", "");

  // Batches for site ncch (the target applies them in any order, shifting
  // their seqs as needed).
  auto upsert = [](uint64_t seq, const v1::Case& c) {
    v1::ChangeEvent ev;
    ev.set_seq(seq);
    ev.set_kind(v1::CHANGE_KIND_UPSERT);
    *ev.mutable_case_() = c;
    ev.set_case_id(c.case_id());
    return ev;
  };
  auto tombstone = [](uint64_t seq, const std::string& case_id, uint64_t version) {
    v1::ChangeEvent ev;
    ev.set_seq(seq);
    ev.set_kind(v1::CHANGE_KIND_TOMBSTONE);
    ev.set_case_id(case_id);
    ev.set_record_version(version);
    ev.set_reason("CONSENT_WITHDRAWN");
    return ev;
  };
  auto batch = [](uint64_t first, const std::vector<v1::ChangeEvent>& events) {
    v1::Batch b;
    b.set_first_seq(first);
    b.set_last_seq(first + events.size() - 1);
    for (const auto& e : events) *b.add_events() = e;
    return b;
  };
  v1::Case v2 = cases[0];
  v2.set_record_version(2);
  v2.set_ecog(v2.ecog() == 2 ? 3 : 2);
  v1::Case same_person = cases[1];  // second case of the same person: shares the T1 token
  same_person.set_case_id("ncch-00000000AB");
  same_person.mutable_link_tokens()->CopyFrom(cases[0].link_tokens());
  v1::Case other_site = cases[2];
  other_site.set_site_id("kuh");
  other_site.set_case_id("kuh-0000000003");

  Write(batch_dir / "upsert_three.pb", batch(1, {upsert(1, cases[0]), upsert(2, cases[1]), upsert(3, cases[2])}).SerializeAsString());
  Write(batch_dir / "update_then_tombstone.pb",
        batch(4, {upsert(4, v2), upsert(5, same_person), tombstone(6, cases[1].case_id(), 1)}).SerializeAsString());
  Write(batch_dir / "same_case_twice.pb", batch(1, {upsert(1, v2), upsert(2, cases[0]), tombstone(3, v2.case_id(), 2), upsert(4, v2)}).SerializeAsString());
  Write(batch_dir / "rejected_events.pb",
        batch(1, {upsert(1, other_site), tombstone(2, "kuh-0000000003", 1), upsert(3, v1::Case()),
                  [] { v1::ChangeEvent e; e.set_seq(4); e.set_case_id("ncch-0000000009"); return e; }()})
            .SerializeAsString());
  {
    v1::Batch b = batch(1, {upsert(1, cases[0])});
    b.set_last_seq(5);  // malformed: range does not match the events
    Write(batch_dir / "malformed_range.pb", b.SerializeAsString());
  }
  return WriteProtocolSeeds(root / "protocol_fuzzer", cases);
}
