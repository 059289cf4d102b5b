#include "cli/centre_commands.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <vector>

#include "cli/svg_charts.h"
#include "cli/table.h"

namespace fedreg::cli {
namespace {

std::string FixedMs(int64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f ms", static_cast<double>(us) / 1000.0);
  return buf;
}

void CmdSites(const Globals& g) {
  auto stub = AdminStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  fedreg::v1::ListSitesResponse resp;
  DieOnRpc(stub->ListSites(&ctx, {}, &resp), "sites");
  if (g.json) return PrintJson(resp);
  fedreg::cli::Table t(
      {"SITE", "STREAM", "LAST SEEN", "APPLIED SEQ", "CASES", "BATCHES", "REJECTED", "AGENT", "LAST ERROR"});
  int64_t total = 0;
  for (const auto& s : resp.sites()) {
    t.AddRow({s.site_id(), s.connected() ? "up" : "down", Ago(s.last_seen_unix()), std::to_string(s.applied_seq()),
              std::to_string(s.cases()), std::to_string(s.batches()), std::to_string(s.rejected()),
              s.agent_version().empty() ? "-" : s.agent_version(), s.last_error().empty() ? "-" : s.last_error()});
    total += s.cases();
  }
  std::cout << t.Render() << resp.sites_size() << " sites, " << total << " cases\n";
  if (resp.recent_freshness_us_size() > 0) {
    std::vector<int64_t> us(resp.recent_freshness_us().begin(), resp.recent_freshness_us().end());
    std::sort(us.begin(), us.end());
    // Nearest rank: the smallest sample with at least q of them at or below it.
    auto ms = [&](double q) {
      const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(us.size())));
      return FixedMs(us[std::max<size_t>(rank, 1) - 1]);
    };
    std::cout << "freshness of the last " << us.size() << " changes (committed at the site -> visible here): p50 "
              << ms(0.5) << ", p99 " << ms(0.99) << ", max " << ms(1.0) << "\n";
  }
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
      // The months in a row, gaps as 0, as one line of the terminal.
      std::vector<int64_t> per_month;
      const auto range = fedreg::cli::MonthRange(months.begin()->first, months.rbegin()->first);
      for (const auto& m : range) {
        auto it = months.find(m);
        per_month.push_back(it == months.end() ? 0 : it->second.first + it->second.second);
      }
      int64_t peak = 0;
      for (int64_t v : per_month) peak = std::max(peak, v);
      std::cout << "\nmonthly registrations " << range.front() << " " << fedreg::cli::Sparkline(per_month) << " "
                << range.back() << " (peak " << peak << " a month)\n";
    }
    if (verify) {
      if (resp.verified()) std::cout << "\nverify: every counter equals its recomputation from the cases\n";
      for (const auto& m : resp.mismatches()) std::cout << "verify MISMATCH " << m << "\n";
    }
  }
  if (verify && !resp.verified()) Die("verify: " + std::to_string(resp.mismatches_size()) + " counters differ");
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

}  // namespace

CentreCommands::CentreCommands(CLI::App& app) {
  sites_ = app.add_subcommand("sites", "per-hospital sync state at the centre");
  sites_rebase_ = sites_->add_subcommand("rebase", "let a reinstalled agent replace the site's cases by snapshot");
  sites_rebase_->add_option("SITE", site_, "site id")->required();
  reconcile_ = app.add_subcommand("reconcile", "compare a site's cases at the centre with its agent's report");
  reconcile_->add_option("SITE", site_, "site id")->required();
  stats_ = app.add_subcommand("stats", "the national view");
  stats_->add_flag("--verify", verify_, "recompute every counter from the cases and compare");
  stats_->add_option("--top", top_, "rows per long section (0 = all)")->capture_default_str();
  auto* audit = app.add_subcommand("audit", "the centre's hash-chained audit log");
  audit->require_subcommand(1);
  audit_list_ = audit->add_subcommand("list", "show entries (the latest by default)");
  audit_list_->add_option("--from", audit_from_, "first seq (0 = the latest --limit)");
  audit_list_->add_option("--limit", audit_limit_, "entries to show")->capture_default_str();
  audit_verify_ = audit->add_subcommand("verify", "recompute every link of the chain");
}

bool CentreCommands::Run(const Globals& g) const {
  if (*sites_rebase_) CmdRebase(g, site_);
  else if (*sites_) CmdSites(g);
  else if (*reconcile_) CmdReconcile(g, site_);
  else if (*stats_) CmdStats(g, verify_, top_);
  else if (*audit_list_) CmdAuditList(g, audit_from_, audit_limit_);
  else if (*audit_verify_) CmdAuditVerify(g);
  else return false;
  return true;
}

}  // namespace fedreg::cli
