#include "server/cohort_query.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "common/validate.h"
#include "server/trial_matcher.h"
#include "server/views.h"

namespace fedreg::server {

const std::vector<std::string>& CohortDimensions() {
  static const std::vector<std::string> kDims = {"site", "oncotree", "tissue", "month", "gene", "gene_kind", "class"};
  return kDims;
}

std::string AlterationKindOf(const v1::Alteration& a) {
  switch (a.kind()) {
    case v1::ALTERATION_KIND_FUSION: return "fusion";
    case v1::ALTERATION_KIND_AMP: return "amplification";
    case v1::ALTERATION_KIND_DEL: return "deletion";
    default: break;
  }
  // MAF's Variant_Classification where intake set it (cBioPortal's
  // OncoPrint groups it the same way), else the protein change's shape.
  const std::string& vc = a.variant_class();
  if (vc == "Missense_Mutation") return "missense";
  // The registry's own classes beside MAF's (common/hgvs.h VariantClassName):
  // a frameshift whose direction is unknown, a delins, exon-level events.
  if (vc == "Nonsense_Mutation" || vc == "Frame_Shift_Del" || vc == "Frame_Shift_Ins" || vc == "Frame_Shift" ||
      vc == "Nonstop_Mutation" || vc == "Translation_Start_Site")
    return "truncating";
  if (vc == "In_Frame_Del" || vc == "In_Frame_Ins" || vc == "In_Frame_Delins" || vc == "Exon_Deletion" ||
      vc == "Exon_Insertion")
    return "inframe";
  if (vc == "Splice_Site" || vc == "Splice_Region" || vc == "Exon_Skipping") return "splice";
  if (!vc.empty()) return "other_mutation";
  const std::string& p = a.protein_change();
  if (p.find("fs") != std::string::npos || (!p.empty() && (p.back() == '*' || p.find("Ter") != std::string::npos)))
    return "truncating";
  if (p.find("splice") != std::string::npos) return "splice";
  if (p.find("del") != std::string::npos || p.find("ins") != std::string::npos || p.find("dup") != std::string::npos)
    return "inframe";
  if (p.size() > 3 && std::isupper(static_cast<unsigned char>(p[2])) && std::isupper(static_cast<unsigned char>(p.back())))
    return "missense";
  return "other_mutation";
}

std::vector<std::string> CohortValues(const v1::Case& c, const std::string& by) {
  if (by == "site") return {c.site_id()};
  if (by == "oncotree") return {c.oncotree_code()};
  if (by == "tissue") return {c.tissue()};
  if (by == "month") return {c.registration_month()};
  if (by == "class") return {ClassName(c.cancer_class())};
  if (by == "gene") {
    std::set<std::string> genes;
    for (const auto& t : c.tests())
      for (const auto& a : t.alterations()) genes.insert(a.gene());
    return {genes.begin(), genes.end()};
  }
  if (by == "gene_kind") {
    std::set<std::string> kinds;
    for (const auto& t : c.tests())
      for (const auto& a : t.alterations()) kinds.insert(a.gene() + " " + AlterationKindOf(a));
    return {kinds.begin(), kinds.end()};
  }
  return {};
}

absl::StatusOr<v1::CohortResponse> RunCohort(const CentreStore& store, const v1::CohortRequest& req,
                                             absl::CivilDay day, bool with_case_ids) {
  const auto& dims = CohortDimensions();
  if (!req.by().empty() && std::find(dims.begin(), dims.end(), req.by()) == dims.end())
    return absl::InvalidArgumentError("cannot group by '" + req.by() +
                                      "': use site, oncotree, tissue, month, gene, gene_kind or class");
  for (const auto& s : req.sites())
    if (!IsSiteId(s)) return absl::InvalidArgumentError("'" + s + "' is not a site id ([a-z][a-z0-9-]+)");
  const size_t limit = req.limit() == 0 ? 1000 : req.limit();
  v1::CohortResponse resp;
  std::map<std::string, int64_t> groups;
  std::set<std::string> persons;
  int64_t scanned = 0, cases = 0;
  auto visit = [&](const v1::Case& c) {
    ++scanned;
    if (req.has_criteria() && !MatchesCriteria(req.criteria(), c, day)) return absl::OkStatus();
    ++cases;
    persons.insert(PersonKey(c));
    if (!req.by().empty())
      for (const auto& v : CohortValues(c, req.by())) ++groups[v];
    if (with_case_ids && static_cast<size_t>(resp.case_ids_size()) < limit) {
      auto* id = resp.add_case_ids();
      id->set_site_id(c.site_id());
      id->set_case_id(c.case_id());
    }
    return absl::OkStatus();
  };
  if (req.sites().empty()) {
    if (auto s = store.ForEachCase("", visit); !s.ok()) return s;
  } else {
    // Each site is one key range; a site named twice is read once.
    const std::set<std::string> sites(req.sites().begin(), req.sites().end());
    for (const auto& site : sites)
      if (auto s = store.ForEachCase(site, visit); !s.ok()) return s;
  }
  resp.set_cases(cases);
  resp.set_persons(static_cast<int64_t>(persons.size()));
  resp.set_scanned(scanned);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", static_cast<int>(day.year()), day.month(), day.day());
  resp.set_as_of_day(buf);
  for (const auto& [value, n] : groups) {
    auto* g = resp.add_groups();
    g->set_value(value);
    g->set_cases(n);
  }
  return resp;
}

void SuppressCohort(int k, const std::string& by, v1::CohortResponse* resp) {
  resp->set_suppression_k(k);
  resp->clear_case_ids();
  // The cases read would give a site's exact count (--site) or, less the
  // cases found, the complement's; distinct persons would give, less the
  // cases, the people registered twice: neither is a sponsor's.
  resp->set_scanned(0);
  resp->set_persons(0);
  const bool total_hidden = resp->cases() > 0 && resp->cases() < k;
  if (total_hidden) {
    resp->set_cases_suppressed(true);
    resp->set_cases(0);
  }
  int hidden = 0;
  for (auto& g : *resp->mutable_groups()) {
    if (total_hidden || g.cases() < k) {
      g.set_suppressed(true);
      ++hidden;
    }
  }
  auto hide_smallest_visible = [&] {
    v1::CohortGroup* next = nullptr;
    for (auto& g : *resp->mutable_groups())
      if (!g.suppressed() && (next == nullptr || g.cases() < next->cases())) next = &g;
    if (next != nullptr) next->set_suppressed(true);
    return next != nullptr;
  };
  if (hidden == 1 && resp->groups_size() > 1) hide_smallest_visible();
  // Where each case is in exactly one group, the hidden groups add up to
  // the total less the visible ones: while that sum is itself a small
  // count (two hidden groups of 1 each), hide the next smallest.
  const bool disjoint = by != "gene" && by != "gene_kind";
  if (disjoint && !total_hidden) {
    while (true) {
      int64_t visible = 0;
      for (const auto& g : resp->groups())
        if (!g.suppressed()) visible += g.cases();
      const int64_t rest = resp->cases() - visible;
      if (rest < 1 || rest >= k || !hide_smallest_visible()) break;
    }
  }
  for (auto& g : *resp->mutable_groups())
    if (g.suppressed()) g.set_cases(0);
}

absl::StatusOr<v1::ListMultiSitePersonsResponse> ListMultiSitePersons(const CentreStore& store, size_t limit,
                                                                      bool with_cases) {
  auto persons = store.MultiSitePersons();
  if (!persons.ok()) return persons.status();
  v1::ListMultiSitePersonsResponse resp;
  resp.set_persons(static_cast<int64_t>(persons->size()));
  if (limit == 0) limit = 1000;
  for (const auto& cases : *persons) {
    std::set<std::string> sites;
    for (const auto& c : cases) sites.insert(c.first);
    ++(*resp.mutable_by_site_count())[static_cast<int32_t>(sites.size())];
    if (!with_cases || static_cast<size_t>(resp.list_size()) >= limit) continue;
    auto* p = resp.add_list();
    for (const auto& [site, case_id] : cases) {
      auto* id = p->add_cases();
      id->set_site_id(site);
      id->set_case_id(case_id);
    }
  }
  return resp;
}

void SuppressMultiSitePersons(int k, v1::ListMultiSitePersonsResponse* resp) {
  resp->set_suppression_k(k);
  resp->clear_list();
  resp->clear_by_site_count();
  if (resp->persons() > 0 && resp->persons() < k) {
    resp->set_persons_suppressed(true);
    resp->set_persons(0);
  }
}

}  // namespace fedreg::server
