#include "cli/trials_commands.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/match_text.h"
#include "cli/table.h"
#include "common/notice_status.h"
#include "common/trial_definition.h"

namespace fedreg::cli {
namespace {

std::string StatusName(v1::TrialStatus s) {
  switch (s) {
    case v1::TRIAL_STATUS_OPEN: return "open";
    case v1::TRIAL_STATUS_SUSPENDED: return "suspended";
    case v1::TRIAL_STATUS_CLOSED: return "closed";
    default: return "?";
  }
}

void PrintTrial(const v1::StoredTrial& s) {
  const v1::Trial& t = s.trial();
  std::cout << "trial " << t.trial_id() << ": " << t.title() << "\n"
            << "  status " << StatusName(t.status()) << ", sponsor " << t.sponsor()
            << (t.phase().empty() ? "" : ", phase " + t.phase()) << (t.nct_id().empty() ? "" : ", " + t.nct_id())
            << (t.jrct_id().empty() ? "" : ", " + t.jrct_id()) << "\n"
            << "  version " << s.version() << ", updated " << Ago(s.updated_unix()) << " by " << s.updated_by()
            << " from " << t.source() << "\n";
  std::string sites;
  for (const auto& site : t.sites()) sites += (sites.empty() ? "" : ", ") + site;
  std::cout << "  sites " << (sites.empty() ? "every hospital" : sites) << "\n";
  if (t.has_match()) std::cout << "  every arm:\n" << DescribeMatchTree(t.match(), 2);
  for (const auto& arm : t.arms()) {
    std::cout << "  arm " << arm.arm_id() << (arm.name().empty() ? "" : " (" + arm.name() + ")")
              << (arm.suspended() ? ", suspended" : "") << (arm.has_match() ? ":\n" : ": the trial's criteria alone\n");
    if (arm.has_match()) std::cout << DescribeMatchTree(arm.match(), 2);
  }
}

// Reads trial definition files here, as the centre will, and prints each
// trial's tree; exit 1 when any file has a problem (all are listed).
void CmdTrialsValidate(const Globals& g, const std::vector<std::string>& files) {
  bool all_ok = true;
  for (const auto& f : files) {
    auto t = ReadTrialDefinitionFile(f);
    if (!t.ok()) {
      std::cerr << t.status().message() << "\n";
      all_ok = false;
      continue;
    }
    if (g.json) {
      PrintJson(*t);
      continue;
    }
    std::cout << f << ": trial " << t->trial_id() << " (" << t->arms_size() << " arm" << (t->arms_size() == 1 ? "" : "s")
              << "), OK\n";
    if (t->has_match()) std::cout << "  every arm:\n" << DescribeMatchTree(t->match(), 2);
    for (const auto& arm : t->arms()) {
      std::cout << "  arm " << arm.arm_id() << (arm.suspended() ? " (suspended)" : "")
                << (arm.has_match() ? ":\n" : ": the trial's criteria alone\n");
      if (arm.has_match()) std::cout << DescribeMatchTree(arm.match(), 2);
    }
  }
  if (!all_ok) std::exit(1);
}

void CmdTrialsPut(const Globals& g, const std::string& file, v1::PutTrialRequest::Mode mode) {
  std::ifstream in(file, std::ios::binary);
  if (!in) Die(file + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  auto stub = AdminStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  v1::PutTrialRequest req;
  req.set_yaml(text.str());
  req.set_source(file);
  req.set_mode(mode);
  v1::PutTrialResponse resp;
  DieOnRpc(stub->PutTrial(&ctx, req, &resp), mode == v1::PutTrialRequest::MODE_ADD ? "trials add" : "trials update");
  if (g.json) return PrintJson(resp);
  std::cout << (mode == v1::PutTrialRequest::MODE_ADD ? "added" : "updated") << ": trial " << resp.trial().trial().trial_id()
            << " version " << resp.trial().version() << " (" << StatusName(resp.trial().trial().status()) << ")\n";
}

void CmdTrialsStatus(const Globals& g, const std::string& trial_id, const std::string& arm_id, v1::TrialStatus status) {
  auto stub = AdminStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  v1::SetTrialStatusRequest req;
  req.set_trial_id(trial_id);
  req.set_arm_id(arm_id);
  req.set_status(status);
  v1::SetTrialStatusResponse resp;
  DieOnRpc(stub->SetTrialStatus(&ctx, req, &resp), "trials " + StatusName(status));
  if (g.json) return PrintJson(resp);
  std::cout << "trial " << trial_id << (arm_id.empty() ? "" : " arm " + arm_id) << " is now " << StatusName(status)
            << " (version " << resp.trial().version() << ")\n";
}

std::string Cell(const v1::FunnelRow& r, const char* field, int64_t v, int k) {
  for (const auto& s : r.suppressed())
    if (s == field) return "<" + std::to_string(k);
  return std::to_string(v);
}

std::string Days(double d) {
  if (d < 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", d);
  return buf;
}

// Open matches per trial and hospital, from each trial's funnel.
void PrintMatchesBySite(const Globals& g, v1::Admin::Stub& stub, const v1::ListTrialsResponse& trials) {
  std::vector<std::string> sites;
  std::vector<v1::TrialFunnel> funnels;
  for (const auto& t : trials.trials()) {
    grpc::ClientContext ctx;
    WithDeadline(&ctx, g.timeout_s);
    v1::GetTrialRequest req;
    req.set_trial_id(t.trial().trial_id());
    v1::GetTrialResponse resp;
    DieOnRpc(stub.GetTrial(&ctx, req, &resp), "trials show " + t.trial().trial_id());
    for (const auto& r : resp.funnel().sites())
      if (std::find(sites.begin(), sites.end(), r.site_id()) == sites.end()) sites.push_back(r.site_id());
    funnels.push_back(resp.funnel());
  }
  std::sort(sites.begin(), sites.end());
  std::vector<std::string> header = {"TRIAL"};
  header.insert(header.end(), sites.begin(), sites.end());
  header.push_back("TOTAL");
  Table table(header);
  bool running = false;
  for (int i = 0; i < trials.trials_size(); ++i) {
    const v1::TrialFunnel& f = funnels[static_cast<size_t>(i)];
    std::vector<std::string> row = {trials.trials(i).trial().trial_id() + (f.rematch_running() ? " *" : "")};
    running = running || f.rematch_running();
    for (const auto& site : sites) {
      std::string cell = "0";
      for (const auto& r : f.sites())
        if (r.site_id() == site) cell = Cell(r, "open", r.open(), f.suppression_k());
      row.push_back(cell);
    }
    row.push_back(Cell(f.total(), "open", f.total().open(), f.suppression_k()));
    table.AddRow(row);
  }
  std::cout << "open matches per hospital:\n" << table.Render();
  if (running) std::cout << "(* every case is still being matched against this trial in the background)\n";
}

void CmdTrialsList(const Globals& g, bool by_site) {
  auto stub = AdminStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  v1::ListTrialsResponse resp;
  DieOnRpc(stub->ListTrials(&ctx, {}, &resp), "trials list");
  if (g.json) return PrintJson(resp);
  if (by_site) return PrintMatchesBySite(g, *stub, resp);
  Table table({"TRIAL", "STATUS", "SPONSOR", "PHASE", "ARMS", "VERSION", "TITLE"});
  for (const auto& s : resp.trials()) {
    const auto& t = s.trial();
    int open_arms = 0;
    for (const auto& a : t.arms()) open_arms += a.suspended() ? 0 : 1;
    table.AddRow({t.trial_id(), StatusName(t.status()), t.sponsor(), t.phase(),
                  std::to_string(open_arms) + "/" + std::to_string(t.arms_size()) + " open", std::to_string(s.version()),
                  t.title()});
  }
  std::cout << table.Render();
  if (resp.trials_size() == 0) std::cout << "(no trials defined: fedregctl trials add FILE)\n";
}

void PrintFunnel(const v1::TrialFunnel& f) {
  std::cout << "\nreferral funnel (stages reached; exits and open are current):\n";
  Table table({"SITE", "MATCHED", "OPEN", "CONTACTED", "REFERRED", "SCREENING", "ENROLLED", "SCREEN FAILED",
               "DECLINED", "NOT ELIGIBLE", "DEFERRED", "ENDED", "CANCELLED", "DAYS TO REFERRAL",
               "DAYS TO ENROLMENT"});
  const int k = f.suppression_k();
  auto row = [&](const v1::FunnelRow& r, const std::string& name) {
    table.AddRow({name, Cell(r, "matched", r.matched(), k), Cell(r, "open", r.open(), k),
                  Cell(r, "contacted", r.contacted(), k), Cell(r, "referred", r.referred(), k),
                  Cell(r, "screening", r.screening(), k), Cell(r, "enrolled", r.enrolled(), k),
                  Cell(r, "screen_failed", r.screen_failed(), k), Cell(r, "declined", r.declined(), k),
                  Cell(r, "not_eligible", r.not_eligible(), k), Cell(r, "deferred", r.deferred(), k),
                  Cell(r, "ended", r.ended(), k), Cell(r, "cancelled", r.cancelled(), k),
                  Days(r.median_days_to_referral()), Days(r.median_days_to_enrolment())});
  };
  for (const auto& r : f.sites()) row(r, r.site_id());
  row(f.total(), "total");
  std::cout << table.Render();
  if (k > 0) std::cout << "(cells below " << k << " are shown as <" << k << ")\n";
  if (f.rematch_running())
    std::cout << "matching every case against this version in the background: " << f.rematch().scanned()
              << " cases done so far\n";
}

void CmdTrialsShow(const Globals& g, const std::string& trial_id) {
  auto stub = AdminStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  v1::GetTrialRequest req;
  req.set_trial_id(trial_id);
  v1::GetTrialResponse resp;
  DieOnRpc(stub->GetTrial(&ctx, req, &resp), "trials show " + trial_id);
  if (g.json) return PrintJson(resp);
  PrintTrial(resp.trial());
  PrintFunnel(resp.funnel());
}

void CmdTrialsMatches(const Globals& g, const std::string& trial_id, const std::string& site, bool include_ended,
                      uint32_t limit) {
  auto stub = AdminStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  v1::ListMatchesRequest req;
  req.set_trial_id(trial_id);
  req.set_site_id(site);
  req.set_include_ended(include_ended);
  req.set_limit(limit);
  v1::ListMatchesResponse resp;
  DieOnRpc(stub->ListMatches(&ctx, req, &resp), "trials matches " + trial_id);
  if (g.json) return PrintJson(resp);
  for (const auto& m : resp.matches()) {
    std::cout << m.site_id() << " " << m.case_id() << "  " << MatchStateName(m.state()) << ", "
              << NoticeStatusName(m.status()) << (m.end_reason().empty() ? "" : " (" + m.end_reason() + ")") << "\n";
    PrintArms(m.arms(), "  ");
  }
  std::cout << resp.matches_size() << " of " << resp.total() << " " << (include_ended ? "" : "open ") << "matches"
            << (site.empty() ? "" : " at " + site) << "\n";
}

}  // namespace

TrialsCommands::TrialsCommands(CLI::App& app) {
  auto* trials = app.add_subcommand("trials", "trial definitions (docs/trials.md)");
  trials->require_subcommand(1);
  validate_ = trials->add_subcommand("validate", "check trial definition files here, before loading them");
  validate_->add_option("FILE", files_, "YAML trial definitions")->required();
  add_ = trials->add_subcommand("add", "define a new trial at the centre (operator)");
  add_->add_option("FILE", file_, "YAML trial definition")->required();
  update_ = trials->add_subcommand("update", "replace a trial's definition at the centre (operator)");
  update_->add_option("FILE", file_, "YAML trial definition")->required();
  for (auto** sub : {&open_, &suspend_, &close_}) {
    const char* name = sub == &open_ ? "open" : sub == &suspend_ ? "suspend" : "close";
    *sub = trials->add_subcommand(name, std::string(name) + " a trial" + (sub == &close_ ? "" : " or one arm") +
                                            " (operator)");
    (*sub)->add_option("TRIAL", trial_id_, "trial id")->required();
    if (sub != &close_) (*sub)->add_option("--arm", arm_id_, "only this arm");
  }
  list_ = trials->add_subcommand("list", "the trials (a sponsor sees its own)");
  list_->add_flag("--by-site", by_site_, "open matches of each trial per hospital instead");
  show_ = trials->add_subcommand("show", "one trial: status, sites, arms and criteria");
  show_->add_option("TRIAL", trial_id_, "trial id")->required();
  matches_ = trials->add_subcommand("matches", "a trial's matches, case by case, with why (operator, auditor)");
  matches_->add_option("TRIAL", trial_id_, "trial id")->required();
  matches_->add_option("--site", site_, "only this site");
  matches_->add_flag("--all", include_ended_, "ended and cancelled matches too");
  matches_->add_option("--limit", limit_, "matches to list")->capture_default_str();
}

bool TrialsCommands::Run(const Globals& g) const {
  if (*validate_) CmdTrialsValidate(g, files_);
  else if (*add_) CmdTrialsPut(g, file_, v1::PutTrialRequest::MODE_ADD);
  else if (*update_) CmdTrialsPut(g, file_, v1::PutTrialRequest::MODE_UPDATE);
  else if (*open_) CmdTrialsStatus(g, trial_id_, arm_id_, v1::TRIAL_STATUS_OPEN);
  else if (*suspend_) CmdTrialsStatus(g, trial_id_, arm_id_, v1::TRIAL_STATUS_SUSPENDED);
  else if (*close_) CmdTrialsStatus(g, trial_id_, "", v1::TRIAL_STATUS_CLOSED);
  else if (*list_) CmdTrialsList(g, by_site_);
  else if (*show_) CmdTrialsShow(g, trial_id_);
  else if (*matches_) CmdTrialsMatches(g, trial_id_, site_, include_ended_, limit_);
  else return false;
  return true;
}

}  // namespace fedreg::cli
