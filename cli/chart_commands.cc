#include "cli/chart_commands.h"

#include <sys/wait.h>

#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "absl/time/clock.h"
#include "cli/svg_charts.h"

namespace fedreg::cli {
namespace {

std::string Today() { return absl::FormatTime("%Y-%m-%d", absl::Now(), absl::LocalTimeZone()); }

void Refuse(const std::string& chart) {
  Die("chart " + chart +
      ": this role sees some of the counts suppressed (below k); a chart draws exact counts only, so none was drawn");
}

v1::CohortResponse Cohort(const Globals& g, const std::string& by, const std::string& site) {
  auto stub = AdminStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  v1::CohortRequest req;
  req.set_by(by);
  if (!site.empty()) req.add_sites(site);
  v1::CohortResponse resp;
  DieOnRpc(stub->Cohort(&ctx, req, &resp), "cohort by " + by);
  return resp;
}

// Writes the SVG (and the PNG when asked) and says where.
void Save(const std::string& svg, const std::string& path, bool png) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) Die(path + ": cannot be written");
    out << svg;
    if (!out.flush()) Die(path + ": write failed");
  }
  std::cout << "wrote " << path << "\n";
  if (!png) return;
  std::string png_path = path.size() > 4 && path.compare(path.size() - 4, 4, ".svg") == 0
                             ? path.substr(0, path.size() - 4) + ".png"
                             : path + ".png";
  // Arguments quoted for sh: single quotes, with any single quote closed and escaped.
  auto quote = [](const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
  };
  const std::string cmd = "rsvg-convert -o " + quote(png_path) + " -- " + quote(path);
  const int rc = std::system(cmd.c_str());
  if (WIFEXITED(rc) && WEXITSTATUS(rc) == 127)
    Die("--png: rsvg-convert is not installed; it comes with Debian's librsvg2-bin: apt-get install librsvg2-bin");
  if (rc != 0) Die("--png: rsvg-convert could not convert " + path + " (exit " +
                   std::to_string(WIFEXITED(rc) ? WEXITSTATUS(rc) : rc) + ")");
  std::cout << "wrote " << png_path << "\n";
}

void CmdRegistrations(const Globals& g, const std::string& by, const std::string& out, bool png) {
  RegistrationsInput in;
  std::map<std::string, std::map<std::string, int64_t>> per_series;  // series -> month -> count
  int64_t total = 0;
  if (by.empty()) {
    // The national view's own counters ("YYYY-MM solid"): what `stats` shows.
    auto stub = AdminStub(g);
    grpc::ClientContext ctx;
    WithDeadline(&ctx, g.timeout_s);
    v1::GetStatsResponse stats;
    DieOnRpc(stub->GetStats(&ctx, v1::GetStatsRequest(), &stats), "stats");
    for (const auto& c : stats.counts()) {
      if (c.dimension() != "month") continue;
      if (c.suppressed()) Refuse("registrations");
      const auto sp = c.value().find(' ');
      const std::string cls = c.value().substr(sp + 1);
      per_series[cls == "hematologic" ? "Hematologic" : cls == "solid" ? "Solid" : "Unknown"][c.value().substr(0, sp)] +=
          c.count();
      total += c.count();
    }
    in.stacked = true;
    in.title = "Cumulative registrations, solid and hematologic";
  } else if (by == "site") {
    auto sites = Cohort(g, "site", "");
    for (const auto& s : sites.groups()) {
      if (s.suppressed()) Refuse("registrations --by site");
      auto months = Cohort(g, "month", s.value());
      for (const auto& m : months.groups()) {
        if (m.suppressed()) Refuse("registrations --by site");
        per_series[s.value()][m.value()] += m.cases();
        total += m.cases();
      }
    }
    in.stacked = false;
    in.title = "Cumulative registrations by hospital";
  } else {
    Die("chart registrations --by: only 'site' (or nothing for solid and hematologic)");
  }
  if (per_series.empty()) Die("chart registrations: the centre holds no cases yet");
  std::string first = "9999-99", last = "0000-00";
  for (const auto& [name, months] : per_series) {
    first = std::min(first, months.begin()->first);
    last = std::max(last, months.rbegin()->first);
  }
  in.months = MonthRange(first, last);
  for (const auto& [name, months] : per_series) {
    Series s{name, {}};
    for (const auto& m : in.months) {
      auto it = months.find(m);
      s.per_month.push_back(it == months.end() ? 0 : it->second);
    }
    in.series.push_back(std::move(s));
  }
  if (by.empty()) {  // solid first, as the press figure stacks them
    std::stable_sort(in.series.begin(), in.series.end(),
                     [](const Series& a, const Series& b) { return a.name == "Solid" && b.name != "Solid"; });
  }
  in.note = "Source: fedreg national view, " + Today() + "; " + std::to_string(total) + " current cases";
  Save(RegistrationsChart(in), out.empty() ? "registrations.svg" : out, png);
}

void CmdAlterations(const Globals& g, size_t top, const std::string& out, bool png) {
  auto genes = Cohort(g, "gene", "");
  auto kinds = Cohort(g, "gene_kind", "");
  auto all = Cohort(g, "", "");
  if (all.cases_suppressed()) Refuse("alterations");
  AlterationsInput in;
  in.cases = all.cases();
  in.top_n = top;
  std::map<std::string, GeneBar> bars;
  for (const auto& gr : genes.groups()) {
    if (gr.suppressed()) continue;  // a gene seen by fewer than k: not among the top, never drawn
    bars[gr.value()].gene = gr.value();
    bars[gr.value()].cases_altered = gr.cases();
  }
  for (const auto& kr : kinds.groups()) {
    const auto sp = kr.value().find(' ');
    auto bar = bars.find(kr.value().substr(0, sp));
    if (bar == bars.end()) continue;
    if (kr.suppressed()) Refuse("alterations");
    auto kind = ParseAlterationKind(kr.value().substr(sp + 1));
    if (!kind) Die("chart alterations: the centre sent an unknown alteration kind '" + kr.value() + "'");
    bar->second.by_kind.emplace_back(*kind, kr.cases());
  }
  // A hidden gene's count is unknown: if it could rank among the top, the
  // chart would be wrong.
  bool any_hidden = false;
  for (const auto& gr : genes.groups()) any_hidden = any_hidden || gr.suppressed();
  if (any_hidden && bars.size() <= top) Refuse("alterations");
  for (auto& [gene, bar] : bars) in.genes.push_back(std::move(bar));
  if (in.genes.empty()) Die("chart alterations: no alterations at the centre yet");
  in.note = "Source: fedreg national view, " + Today() + "; cases with at least one such alteration, of " +
            std::to_string(all.cases()) + " current cases";
  Save(AlterationsChart(in), out.empty() ? "alterations.svg" : out, png);
}

void CmdFunnel(const Globals& g, const std::string& trial_id, const std::string& out, bool png) {
  auto stub = AdminStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  v1::GetTrialRequest req;
  req.set_trial_id(trial_id);
  v1::GetTrialResponse resp;
  DieOnRpc(stub->GetTrial(&ctx, req, &resp), "trials show " + trial_id);
  const auto& t = resp.funnel().total();
  const std::set<std::string> hidden(t.suppressed().begin(), t.suppressed().end());
  FunnelInput in;
  in.trial_id = trial_id;
  in.suppression_k = resp.funnel().suppression_k() > 0 ? resp.funnel().suppression_k() : 10;
  for (const auto& [name, count] : std::vector<std::pair<std::string, int64_t>>{{"matched", t.matched()},
                                                                                {"contacted", t.contacted()},
                                                                                {"referred", t.referred()},
                                                                                {"screening", t.screening()},
                                                                                {"enrolled", t.enrolled()}})
    in.stages.push_back({name, count, hidden.count(name) > 0});
  in.note = "Source: fedreg, " + Today() + "; " + resp.trial().trial().title();
  Save(FunnelChart(in), out.empty() ? "funnel-" + trial_id + ".svg" : out, png);
}

}  // namespace

ChartCommands::ChartCommands(CLI::App& app) {
  auto* chart = app.add_subcommand("chart", "SVG charts of the national view (docs/charts.md)");
  chart->require_subcommand(1);
  registrations_ = chart->add_subcommand("registrations", "cumulative registrations per month, with monthly bars");
  registrations_->add_option("--by", by_, "site: one curve per hospital");
  alterations_ = chart->add_subcommand("alterations", "the most frequently altered genes, by kind of alteration");
  alterations_->add_option("--top", top_, "genes to draw")->capture_default_str();
  funnel_ = chart->add_subcommand("funnel", "a trial's referral funnel");
  funnel_->add_option("TRIAL", trial_id_, "trial id")->required();
  for (auto* sub : {registrations_, alterations_, funnel_}) {
    sub->add_option("--out", out_, "SVG file to write (default: the chart's name in this directory)");
    sub->add_flag("--png", png_, "also a PNG beside it (rsvg-convert, Debian's librsvg2-bin)");
  }
}

bool ChartCommands::Run(const Globals& g) const {
  if (*registrations_) CmdRegistrations(g, by_, out_, png_);
  else if (*alterations_) CmdAlterations(g, top_, out_, png_);
  else if (*funnel_) CmdFunnel(g, trial_id_, out_, png_);
  else return false;
  return true;
}

}  // namespace fedreg::cli
