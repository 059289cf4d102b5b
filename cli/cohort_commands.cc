#include "cli/cohort_commands.h"

#include <iostream>
#include <set>

#include "cli/table.h"
#include "common/trial_definition.h"

namespace fedreg::cli {
namespace {

std::string Count(int64_t n, bool suppressed, int k) { return suppressed ? "<" + std::to_string(k) : std::to_string(n); }

void CmdCohort(const Globals& g, const std::optional<v1::MatchNode>& criteria, const std::string& by,
               const std::vector<std::string>& sites, bool list, uint32_t limit) {
  auto stub = AdminStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  v1::CohortRequest req;
  if (criteria) *req.mutable_criteria() = *criteria;
  req.set_by(by);
  for (const auto& s : sites) req.add_sites(s);
  req.set_list_cases(list);
  req.set_limit(limit);
  v1::CohortResponse resp;
  DieOnRpc(stub->Cohort(&ctx, req, &resp), "cohort");
  if (g.json) return PrintJson(resp);
  const int k = resp.suppression_k();
  std::cout << "cohort:" << (criteria ? "\n" + CriteriaText(*criteria, false) : " every current case\n");
  std::cout << Count(resp.cases(), resp.cases_suppressed(), k) << " cases";
  if (!resp.cases_suppressed() && resp.persons() > 0) std::cout << " (" << resp.persons() << " persons)";
  if (resp.scanned() > 0)
    std::cout << " of " << resp.scanned() << " current cases" << (sites.empty() ? "" : " at the sites named");
  std::cout << ", ages as of " << resp.as_of_day() << (k > 0 ? "; counts below " + std::to_string(k) + " hidden" : "")
            << "\n";
  if (!by.empty()) {
    Table t({by, "cases"});
    for (const auto& grp : resp.groups()) t.AddRow({grp.value(), Count(grp.cases(), grp.suppressed(), k)});
    std::cout << "\n" << t.Render();
    if (by == "gene") std::cout << "(a case counts under each gene it carries)\n";
  }
  if (list) {
    if (resp.case_ids_size() == 0 && resp.cases() > 0) std::cout << "\n(case ids are not shown to this role)\n";
    else if (resp.case_ids_size() > 0) {
      Table t({"site", "case id"});
      for (const auto& c : resp.case_ids()) t.AddRow({c.site_id(), c.case_id()});
      std::cout << "\n" << t.Render();
      if (resp.case_ids_size() < resp.cases())
        std::cout << resp.case_ids_size() << " of " << resp.cases() << " listed (--limit)\n";
    }
  }
}

void CmdPersons(const Globals& g, uint32_t limit) {
  auto stub = AdminStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  v1::ListMultiSitePersonsRequest req;
  req.set_limit(limit);
  v1::ListMultiSitePersonsResponse resp;
  DieOnRpc(stub->ListMultiSitePersons(&ctx, req, &resp), "persons --multi-site");
  if (g.json) return PrintJson(resp);
  std::cout << Count(resp.persons(), resp.persons_suppressed(), resp.suppression_k())
            << " persons are registered at more than one hospital\n";
  for (const auto& [n, persons] : resp.by_site_count())
    std::cout << "  at " << n << " hospitals: " << persons << "\n";
  if (resp.list_size() == 0) return;
  Table t({"person", "hospitals", "case ids"});
  int i = 0;
  for (const auto& p : resp.list()) {
    std::set<std::string> seen;
    std::string sites, ids;
    for (const auto& c : p.cases()) {
      if (seen.insert(c.site_id()).second) sites += (sites.empty() ? "" : ", ") + c.site_id();
      ids += (ids.empty() ? "" : ", ") + c.case_id();
    }
    t.AddRow({"#" + std::to_string(++i), sites, ids});
  }
  std::cout << "\n" << t.Render();
  if (resp.list_size() < resp.persons()) std::cout << resp.list_size() << " of " << resp.persons() << " listed (--limit)\n";
}

}  // namespace

CohortCommands::CohortCommands(CLI::App& app) {
  cohort_ = app.add_subcommand("cohort", "count the cases meeting criteria, by group (docs/cohorts.md)");
  criteria_.AddTo(cohort_);
  cohort_->add_option("--by", by_, "group by site, oncotree, tissue, month, gene, gene_kind or class");
  cohort_->add_option("--site", sites_, "only this hospital's cases (repeatable)");
  cohort_->add_flag("--list", list_, "list the case ids too (operator, auditor)");
  cohort_->add_option("--limit", limit_, "case ids to list")->capture_default_str();
  cohort_->add_flag("--show-criteria", show_criteria_, "print the inline flags as a criteria file and stop");
  persons_ = app.add_subcommand("persons", "persons registered at more than one hospital");
  persons_->add_flag("--multi-site", multi_site_, "persons with cases at two or more hospitals")->required();
  persons_->add_option("--limit", limit_, "persons to list")->capture_default_str();
}

bool CohortCommands::Run(const Globals& g) const {
  if (*cohort_) {
    if (show_criteria_) {
      std::cout << criteria_.InlineYaml() << "\n";
      return true;
    }
    CmdCohort(g, criteria_.Build(), by_, sites_, list_, limit_);
  } else if (*persons_) {
    CmdPersons(g, limit_);
  } else {
    return false;
  }
  return true;
}

}  // namespace fedreg::cli
