// fedregctl: the operators' CLI. Speaks gRPC with mutual TLS to the
// aggregator (operator, auditor or sponsor certificate) and gRPC over the
// agent's unix socket for local agent commands. Human tables by default,
// --json for scripts; on failure a one-line reason and a non-zero exit.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/create_channel.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <thread>
#include <utility>

#include "cli/rpc.h"
#include "cli/table.h"
#include "cli/notices_commands.h"
#include "cli/trials_commands.h"
#include "common/grpc_status.h"
#include "common/synth.h"
#include "common/tls.h"
#include "common/trial_definition.h"
#include "fedreg/v1/admin.grpc.pb.h"
#include "fedreg/v1/agent.grpc.pb.h"

namespace {

using fedreg::cli::AdminStub;
using fedreg::cli::AgentStub;
using fedreg::cli::Ago;
using fedreg::cli::Die;
using fedreg::cli::DieOnRpc;
using fedreg::cli::Globals;
using fedreg::cli::PrintJson;
using fedreg::cli::WithDeadline;

void CmdSites(const Globals& g) {
  auto stub = AdminStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  fedreg::v1::ListSitesResponse resp;
  DieOnRpc(stub->ListSites(&ctx, {}, &resp), "sites");
  if (g.json) return PrintJson(resp);
  fedreg::cli::Table t({"SITE", "STREAM", "LAST SEEN", "APPLIED SEQ", "CASES", "BATCHES", "REJECTED", "LAST ERROR"});
  int64_t total = 0;
  for (const auto& s : resp.sites()) {
    t.AddRow({s.site_id(), s.connected() ? "up" : "down", Ago(s.last_seen_unix()), std::to_string(s.applied_seq()),
              std::to_string(s.cases()), std::to_string(s.batches()), std::to_string(s.rejected()),
              s.last_error().empty() ? "-" : s.last_error()});
    total += s.cases();
  }
  std::cout << t.Render() << resp.sites_size() << " sites, " << total << " cases\n";
}

std::string Cell(const fedreg::v1::Count& c, int k) {
  return c.suppressed() ? "<" + std::to_string(k) : std::to_string(c.count());
}

void CmdStats(const Globals& g, bool verify, int top) {
  auto stub = AdminStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  fedreg::v1::GetStatsRequest req;
  req.set_verify(verify);
  fedreg::v1::GetStatsResponse resp;
  DieOnRpc(stub->GetStats(&ctx, req, &resp), "stats");
  if (g.json) {
    PrintJson(resp);
  } else {
    std::map<std::string, std::vector<const fedreg::v1::Count*>> dims;
    for (const auto& c : resp.counts()) dims[c.dimension()].push_back(&c);
    for (auto& [d, v] : dims)
      std::stable_sort(v.begin(), v.end(), [](auto* a, auto* b) { return a->count() > b->count(); });
    std::cout << "National registry: " << resp.cases() << " cases, " << resp.unique_persons()
              << " unique persons across hospitals\n";
    if (resp.suppression_k() > 0)
      std::cout << "(cells below " << resp.suppression_k() << " are suppressed, with complementary suppression)\n";
    auto section = [&](const std::string& title, const std::string& dim, int limit) {
      auto it = dims.find(dim);
      if (it == dims.end()) return;
      fedreg::cli::Table t({title, "CASES"});
      int n = 0;
      for (auto* c : it->second) {
        if (limit > 0 && n++ >= limit) break;
        t.AddRow({c->value(), Cell(*c, resp.suppression_k())});
      }
      std::cout << "\n" << t.Render();
      if (limit > 0 && static_cast<int>(it->second.size()) > limit)
        std::cout << "(" << it->second.size() - limit << " more; --top 0 shows all)\n";
    };
    section("HOSPITAL", "site", 0);
    section("CLASS", "class", 0);
    section("ONCOTREE", "oncotree", top);
    section("TISSUE", "tissue", top);
    section("GENE", "gene", top);
    section("ALTERATION", "alteration", top);
    section("MSI", "msi", 0);
    section("TMB", "tmb", 0);
    section("VITAL STATUS", "vital", 0);
    // Registrations per month, cumulative, solid vs hematologic.
    std::map<std::string, std::pair<int64_t, int64_t>> months;
    bool suppressed = false;
    for (auto* c : dims["month"]) {
      auto sp = c->value().find(' ');
      std::string month = c->value().substr(0, sp), cls = c->value().substr(sp + 1);
      suppressed |= c->suppressed();
      (cls == "hematologic" ? months[month].second : months[month].first) += c->count();
    }
    if (!months.empty() && !suppressed) {
      fedreg::cli::Table t({"MONTH", "SOLID", "HEME", "CUM SOLID", "CUM HEME", "CUM TOTAL"});
      int64_t cs = 0, ch = 0;
      for (const auto& [m, v] : months) {
        cs += v.first;
        ch += v.second;
        t.AddRow({m, std::to_string(v.first), std::to_string(v.second), std::to_string(cs), std::to_string(ch),
                  std::to_string(cs + ch)});
      }
      std::cout << "\nRegistrations per month (cumulative)\n" << t.Render();
    }
    if (verify) {
      if (resp.verified()) std::cout << "\nverify: every counter equals its recomputation from the cases\n";
      for (const auto& m : resp.mismatches()) std::cout << "verify MISMATCH " << m << "\n";
    }
  }
  if (verify && !resp.verified()) Die("verify: " + std::to_string(resp.mismatches_size()) + " counters differ");
}

// The agents named by their sockets (the default socket when none is given), one stub each.
std::vector<std::pair<std::string, std::unique_ptr<fedreg::v1::AgentAdmin::Stub>>> AgentStubs(
    const Globals& g, std::vector<std::string> sockets) {
  if (sockets.empty()) sockets.push_back(g.agent_socket);
  std::vector<std::pair<std::string, std::unique_ptr<fedreg::v1::AgentAdmin::Stub>>> out;
  for (const auto& socket : sockets) {
    Globals one = g;
    one.agent_socket = socket;
    out.emplace_back(socket, AgentStub(one));
  }
  return out;
}

fedreg::v1::AgentStatusResponse AgentStatus(const Globals& g, const std::string& socket,
                                            fedreg::v1::AgentAdmin::Stub& stub) {
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  fedreg::v1::AgentStatusResponse resp;
  DieOnRpc(stub.Status(&ctx, {}, &resp), "agent status (" + socket + ")");
  return resp;
}

// One row per agent socket.
void CmdAgentStatus(const Globals& g, const std::vector<std::string>& sockets) {
  fedreg::cli::Table t({"SITE", "STREAM", "CASES", "HIGHEST SEQ", "ACKED SEQ", "BACKLOG", "QUARANTINED", "REJECTED",
                        "NORMALISED", "OPEN NOTICES", "LAST ERROR"});
  for (auto& [socket, stub] : AgentStubs(g, sockets)) {
    const fedreg::v1::AgentStatusResponse resp = AgentStatus(g, socket, *stub);
    if (g.json) {
      PrintJson(resp);
      continue;
    }
    t.AddRow({resp.site_id(), resp.connected() ? "up" : "down", std::to_string(resp.cases()),
              std::to_string(resp.highest_seq()), std::to_string(resp.acked_seq()), std::to_string(resp.backlog()),
              std::to_string(resp.quarantined()), std::to_string(resp.rejected_by_centre()),
              std::to_string(resp.normalised()), std::to_string(resp.notices_open()),
              resp.last_error().empty() ? "-" : resp.last_error()});
  }
  if (!g.json) std::cout << t.Render();
}

// Waits until every agent's backlog is zero (all acknowledged as durable by
// the centre): for maintenance windows and scripts. One process polling over
// its own channels, so waiting costs the machine almost nothing.
void CmdAgentWaitDrained(const Globals& g, const std::vector<std::string>& sockets) {
  const auto start = std::chrono::steady_clock::now();
  const auto give_up = start + std::chrono::seconds(g.timeout_s);
  auto stubs = AgentStubs(g, sockets);
  for (size_t i = 0; i < stubs.size();) {
    const fedreg::v1::AgentStatusResponse resp = AgentStatus(g, stubs[i].first, *stubs[i].second);
    if (resp.backlog() == 0) {
      ++i;
      continue;
    }
    if (std::chrono::steady_clock::now() > give_up)
      Die("agent " + resp.site_id() + " still has a backlog of " + std::to_string(resp.backlog()) + " after " +
          std::to_string(g.timeout_s) + " s" +
          (resp.last_error().empty() ? "" : " (last error: " + resp.last_error() + ")"));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!g.json)
    std::cout << "drained in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s\n";
}

void CmdAgentImport(const Globals& g, const std::string& file, bool accept_identity_changes, bool accept_same_person) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(file, ec);
  if (ec) Die(file + ": " + ec.message());
  auto stub = AgentStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, 3600);
  fedreg::v1::ImportRequest req;
  req.set_path(abs.string());
  req.set_accept_identity_changes(accept_identity_changes);
  req.set_accept_same_person(accept_same_person);
  fedreg::v1::ImportResponse resp;
  DieOnRpc(stub->Import(&ctx, req, &resp), "import " + abs.string());
  if (g.json) return PrintJson(resp);
  for (const auto& e : resp.errors()) std::cout << "quarantined " << e << "\n";
  if (resp.quarantined() > resp.errors_size())
    std::cout << "(" << resp.quarantined() - resp.errors_size() << " more quarantined rows; see the agent log)\n";
  std::cout << resp.path() << ": rows " << resp.rows() << ", accepted " << resp.accepted() << ", updated "
            << resp.updated() << ", unchanged " << resp.unchanged() << ", quarantined " << resp.quarantined();
  if (resp.skipped_withdrawn() > 0) std::cout << ", skipped (consent withdrawn) " << resp.skipped_withdrawn();
  std::cout << "\n";
  if (resp.alterations_quarantined() > 0 || resp.merged_tests() > 0 || resp.empty_rows() > 0)
    std::cout << "  alterations quarantined " << resp.alterations_quarantined() << ", tests merged into one case "
              << resp.merged_tests() << ", empty rows skipped " << resp.empty_rows() << "\n";
  auto kinds = [](const google::protobuf::Map<std::string, int64_t>& m) {
    std::map<std::string, int64_t> sorted(m.begin(), m.end());
    std::string out;
    for (const auto& [k, n] : sorted) out += (out.empty() ? "" : ", ") + k + " " + std::to_string(n);
    return out;
  };
  std::cout << "  encoding " << resp.encoding() << "; normalised: " << resp.normalised();
  if (!resp.normalised_by_kind().empty()) std::cout << " (" << kinds(resp.normalised_by_kind()) << ")";
  std::cout << "\n";
  if (!resp.refused_by_kind().empty()) std::cout << "  refused by kind: " << kinds(resp.refused_by_kind()) << "\n";
}

void CmdRebase(const Globals& g, const std::string& site) {
  auto stub = AdminStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  fedreg::v1::RebaseSiteRequest req;
  req.set_site_id(site);
  fedreg::v1::RebaseSiteResponse resp;
  DieOnRpc(stub->RebaseSite(&ctx, req, &resp), "sites rebase " + site);
  if (g.json) return PrintJson(resp);
  std::cout << "rebase of " << site << " allowed: its next agent (new store, or one that lost data) will send a "
            << "snapshot that replaces the site's cases (until now store " << resp.store_id() << ")\n";
}

void CmdReconcile(const Globals& g, const std::string& site) {
  auto stub = AdminStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  fedreg::v1::ReconcileRequest req;
  req.set_site_id(site);
  fedreg::v1::ReconcileResponse r;
  DieOnRpc(stub->Reconcile(&ctx, req, &r), "reconcile " + site);
  if (g.json) {
    PrintJson(r);
  } else {
    char digest[32];
    std::snprintf(digest, sizeof(digest), "%016llx", static_cast<unsigned long long>(r.centre_digest()));
    std::cout << site << ": centre holds " << r.centre_cases() << " cases at seq " << r.applied_seq()
              << ", digest " << digest << "\n";
    if (!r.has_report()) {
      std::cout << "the agent has not reported a reconciliation yet ('fedregctl agent reconcile' at the site)\n";
    } else {
      std::snprintf(digest, sizeof(digest), "%016llx", static_cast<unsigned long long>(r.agent_digest()));
      std::cout << "agent reported " << Ago(r.report_unix()) << ": " << r.agent_cases() << " cases at seq "
                << r.report_as_of_seq() << ", digest " << digest << "\n";
      if (r.differing() > 0) {
        std::cout << r.differing() << " cases differed (" << r.resent() << " re-sent, " << r.tombstoned()
                  << " tombstoned):";
        for (const auto& id : r.differing_case_ids()) std::cout << " " << id;
        std::cout << "\n";
      }
    }
    std::cout << "verdict: " << r.verdict() << "\n";
    std::cout << "trial-match notices: " << r.notices_made() << " made for the site, stored there up to "
              << r.notices_stored();
    if (r.notices_stored() < r.notices_made())
      std::cout << " (" << r.notices_made() - r.notices_stored() << " on their way, the oldest made "
                << Ago(r.notices_oldest_pending_unix()) << ")";
    std::cout << "\n";
  }
  if (r.verdict() == "differs") Die("reconcile " + site + ": the centre and the site differ");
}

void CmdAgentReconcile(const Globals& g) {
  auto stub = AgentStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, 90);
  fedreg::v1::AgentReconcileResponse r;
  DieOnRpc(stub->Reconcile(&ctx, {}, &r), "agent reconcile");
  if (g.json) return PrintJson(r);
  std::cout << "reconciled at seq " << r.as_of_seq() << ": " << r.cases() << " cases here; " << r.differing()
            << " differed from the centre (" << r.resent() << " re-sent, " << r.tombstoned() << " tombstoned)";
  for (const auto& id : r.differing_case_ids()) std::cout << " " << id;
  std::cout << "\n";
}

void CmdAuditList(const Globals& g, uint64_t from, uint32_t limit) {
  auto stub = AdminStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  fedreg::v1::ListAuditRequest req;
  req.set_from_seq(from);
  req.set_limit(limit);
  fedreg::v1::ListAuditResponse resp;
  DieOnRpc(stub->ListAudit(&ctx, req, &resp), "audit list");
  if (g.json) return PrintJson(resp);
  fedreg::cli::Table t({"SEQ", "TIME (UTC)", "WHO", "ACTION", "TARGET", "OUTCOME", "DETAIL"});
  for (const auto& e : resp.entries()) {
    std::time_t secs = static_cast<std::time_t>(e.at_unix_ms() / 1000);
    char when[32];
    std::strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", std::gmtime(&secs));
    t.AddRow({std::to_string(e.seq()), when, e.who(), e.action(), e.target().empty() ? "-" : e.target(), e.outcome(),
              e.detail().substr(0, 80)});
  }
  std::cout << t.Render() << resp.entries_size() << " of " << resp.last_seq() << " entries\n";
}

void CmdAuditVerify(const Globals& g) {
  auto stub = AdminStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s * 4);
  fedreg::v1::VerifyAuditResponse resp;
  DieOnRpc(stub->VerifyAudit(&ctx, {}, &resp), "audit verify");
  if (g.json) PrintJson(resp);
  else if (resp.ok())
    std::cout << "audit chain intact: " << resp.entries() << " entries, head " << resp.head_hash() << "\n";
  if (!resp.ok())
    Die("audit chain BROKEN at entry " + std::to_string(resp.first_bad_seq()) + ": " + resp.reason() + " (" +
        std::to_string(resp.entries()) + " entries before it verify)");
}

void CmdAgentWithdraw(const Globals& g, const std::string& record_number, const std::string& reason) {
  auto stub = AgentStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  fedreg::v1::WithdrawRequest req;
  req.set_record_number(record_number);
  req.set_reason(reason);
  fedreg::v1::WithdrawResponse resp;
  DieOnRpc(stub->Withdraw(&ctx, req, &resp), "withdraw");
  if (g.json) return PrintJson(resp);
  std::cout << "withdrawn: case " << resp.case_id() << " removed here; tombstone queued as seq " << resp.seq()
            << " for the centre\n";
}

void CmdAgentRekey(const Globals& g, const std::string& old_number, const std::string& new_number) {
  auto stub = AgentStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  fedreg::v1::RekeyRequest req;
  req.set_old_record_number(old_number);
  req.set_new_record_number(new_number);
  fedreg::v1::RekeyResponse resp;
  DieOnRpc(stub->Rekey(&ctx, req, &resp), "rekey");
  if (g.json) return PrintJson(resp);
  std::cout << "re-keyed: case " << resp.case_id() << " now has the new record number (nothing is sent to the "
            << "centre: the case is unchanged); import the export that holds it again\n";
}

}  // namespace

int main(int argc, char** argv) {
  Globals g;
  CLI::App app{"fedregctl: operate the fedreg registry"};
  app.require_subcommand(1);
  app.add_option("--server", g.server, "aggregator host:port")->envname("FEDREG_SERVER")->capture_default_str();
  app.add_option("--ca", g.ca, "federation CA (PEM)")->envname("FEDREG_CA");
  app.add_option("--cert", g.cert, "your certificate (PEM)")->envname("FEDREG_CERT");
  app.add_option("--key", g.key, "your private key (PEM, mode 0600)")->envname("FEDREG_KEY");
  app.add_option("--agent-socket", g.agent_socket, "the agent's admin socket")
      ->envname("FEDREG_AGENT_SOCKET")
      ->capture_default_str();
  app.add_option("--timeout", g.timeout_s, "deadline of each call in seconds")->capture_default_str();
  app.add_flag("--json", g.json, "machine-readable output");

  auto* sites = app.add_subcommand("sites", "per-hospital sync state at the centre");
  std::string rebase_site;
  auto* sites_rebase = sites->add_subcommand("rebase", "let a reinstalled agent replace the site's cases by snapshot");
  sites_rebase->add_option("SITE", rebase_site, "site id")->required();
  std::string reconcile_site;
  auto* reconcile = app.add_subcommand("reconcile", "compare a site's cases at the centre with its agent's report");
  reconcile->add_option("SITE", reconcile_site, "site id")->required();
  bool verify = false;
  int top = 15;
  auto* stats = app.add_subcommand("stats", "the national view");
  stats->add_flag("--verify", verify, "recompute every counter from the cases and compare");
  stats->add_option("--top", top, "rows per long section (0 = all)")->capture_default_str();

  auto* audit = app.add_subcommand("audit", "the centre's hash-chained audit log");
  audit->require_subcommand(1);
  uint64_t audit_from = 0;
  uint32_t audit_limit = 50;
  auto* audit_list = audit->add_subcommand("list", "show entries (the latest by default)");
  audit_list->add_option("--from", audit_from, "first seq (0 = the latest --limit)");
  audit_list->add_option("--limit", audit_limit, "entries to show")->capture_default_str();
  auto* audit_verify = audit->add_subcommand("verify", "recompute every link of the chain");

  auto* agent = app.add_subcommand("agent", "commands for the local agent (unix socket)");
  agent->require_subcommand(1);
  auto* agent_reconcile = agent->add_subcommand("reconcile", "compare with the centre now and repair differences");
  auto* agent_status = agent->add_subcommand("status", "backlog, acknowledged seq, quarantine, last error");
  std::vector<std::string> status_sockets;
  agent_status->add_option("SOCKET", status_sockets, "agent sockets (default: --agent-socket)");
  auto* agent_wait =
      agent->add_subcommand("wait-drained", "wait until every backlog is acknowledged as durable (--timeout)");
  std::vector<std::string> wait_sockets;
  agent_wait->add_option("SOCKET", wait_sockets, "agent sockets (default: --agent-socket)");
  std::string import_file;
  auto* agent_import = agent->add_subcommand("import", "import an export file now");
  agent_import->add_option("FILE", import_file, "CSV or NDJSON export")->required();
  bool accept_identity_changes = false;
  agent_import->add_flag("--accept-identity-changes", accept_identity_changes,
                         "apply updates whose person (name, birth date, sex) differs from the stored case's: the "
                         "identity was corrected (otherwise they are quarantined)");
  bool accept_same_person = false;
  agent_import->add_flag("--accept-same-person", accept_same_person,
                         "store new record numbers whose person (name, birth date, sex) is already a case under "
                         "another number: they are two patients (otherwise they are quarantined; a renumbered "
                         "patient is re-keyed instead)");

  std::string withdraw_rn, withdraw_reason = "CONSENT_WITHDRAWN";
  auto* agent_withdraw = agent->add_subcommand("withdraw", "consent withdrawn: remove a case here and at the centre");
  agent_withdraw->add_option("--record-number", withdraw_rn, "the hospital's record number")->required();
  agent_withdraw->add_option("--reason", withdraw_reason, "reason code")->capture_default_str();

  std::string rekey_old, rekey_new;
  auto* agent_rekey = agent->add_subcommand("rekey", "the hospital renumbered a patient: keep the case under the new record number");
  agent_rekey->add_option("OLD", rekey_old, "the record number the case is stored under")->required();
  agent_rekey->add_option("NEW", rekey_new, "the patient's new record number")->required();

  fedreg::cli::TrialsCommands trials_commands(app);
  fedreg::cli::NoticesCommands notices_commands(*agent);

  fedreg::synth::SynthOptions so;
  auto* synth = app.add_subcommand("synth", "write synthetic hospital exports (reproducible from a seed)");
  synth->add_option("--seed", so.seed, "random seed")->capture_default_str();
  synth->add_option("--cases", so.total_cases, "cases across all hospitals")->capture_default_str();
  synth->add_option("--out", so.out_dir, "output directory")->required();
  synth->add_option("--sites", so.sites, "only these site ids");
  synth->add_option("--malformed-rate", so.malformed_rate, "share of deliberately bad rows")->capture_default_str();

  CLI11_PARSE(app, argc, argv);

  if (*sites_rebase) CmdRebase(g, rebase_site);
  else if (*sites) CmdSites(g);
  else if (*reconcile) CmdReconcile(g, reconcile_site);
  else if (*agent_reconcile) CmdAgentReconcile(g);
  else if (*audit_list) CmdAuditList(g, audit_from, audit_limit);
  else if (*audit_verify) CmdAuditVerify(g);
  else if (*stats) CmdStats(g, verify, top);
  else if (*agent_status) CmdAgentStatus(g, status_sockets);
  else if (*agent_wait) CmdAgentWaitDrained(g, wait_sockets);
  else if (*agent_import) CmdAgentImport(g, import_file, accept_identity_changes, accept_same_person);
  else if (*agent_rekey) CmdAgentRekey(g, rekey_old, rekey_new);
  else if (trials_commands.Run(g)) {
  }
  else if (notices_commands.Run(g)) {
  }
  else if (*agent_withdraw) CmdAgentWithdraw(g, withdraw_rn, withdraw_reason);
  else if (*synth) {
    auto res = fedreg::synth::WriteExports(so);
    if (!res.ok()) Die(std::string(res.status().message()));
    for (const auto& f : res->files) std::cout << f << "\n";
    std::cout << res->rows << " rows (" << res->malformed << " deliberately malformed, " << res->shared_persons
              << " persons registered at two hospitals) in " << res->files.size() << " files\n";
  }
  return 0;
}
