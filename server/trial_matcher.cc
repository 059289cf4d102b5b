#include "server/trial_matcher.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>

#include "common/oncotree.h"
#include "common/trial_definition.h"

namespace fedreg::server {
namespace {

// The two sides of a stored fusion ("EML4::ALK", "ALK::intergenic",
// "ALK rearrangement"); a side that is no gene comes back as is.
std::pair<std::string, std::string> FusionSides(const v1::Alteration& a) {
  const std::string& f = a.fusion();
  size_t sep = f.find("::");
  if (sep != std::string::npos) return {f.substr(0, sep), f.substr(sep + 2)};
  return {a.gene(), ""};
}

bool InCategory(v1::AlterationKind kind, v1::VariantCategory cat) {
  switch (cat) {
    case v1::VARIANT_CATEGORY_ANY: return true;
    case v1::VARIANT_CATEGORY_MUTATION: return kind == v1::ALTERATION_KIND_SNV || kind == v1::ALTERATION_KIND_INDEL;
    case v1::VARIANT_CATEGORY_COPY_NUMBER: return kind == v1::ALTERATION_KIND_AMP || kind == v1::ALTERATION_KIND_DEL;
    case v1::VARIANT_CATEGORY_STRUCTURAL: return kind == v1::ALTERATION_KIND_FUSION;
    default: return false;
  }
}

// "p.V600E" is a single-residue substitution at codon "V600"; a delins,
// frameshift, stop, deletion or synonymous change there is not.
bool SubstitutionAtCodon(const std::string& protein_change, const std::string& codon) {
  const std::string prefix = "p." + codon;
  return protein_change.size() == prefix.size() + 1 && protein_change.compare(0, prefix.size(), prefix) == 0 &&
         std::isupper(static_cast<unsigned char>(protein_change.back()));
}

bool AlterationMatches(const v1::GenomicCriterion& g, const v1::Alteration& a) {
  const bool fusion = a.kind() == v1::ALTERATION_KIND_FUSION;
  auto [left, right] = fusion ? FusionSides(a) : std::make_pair(a.gene(), std::string());
  const bool gene = a.gene() == g.gene() || (fusion && (left == g.gene() || right == g.gene()));
  if (!gene || !InCategory(a.kind(), g.category())) return false;
  if (!g.protein_change().empty() && a.protein_change() != g.protein_change()) return false;
  if (!g.codon().empty() && !SubstitutionAtCodon(a.protein_change(), g.codon())) return false;
  if (g.cnv_call() != v1::ALTERATION_KIND_UNSPECIFIED && a.kind() != g.cnv_call()) return false;
  if (g.fusion()) {
    if (!fusion) return false;
    if (!g.fusion_partner().empty()) {
      // Either order: the side that is not the criterion's gene is the partner.
      const std::string& other = left == g.gene() ? right : left;
      if (other != g.fusion_partner()) return false;
    }
  }
  if (g.exon() > 0 && a.exon() != g.exon()) return false;
  return true;
}

std::string DescribeAlteration(const v1::Alteration& a, const v1::GenomicTest& t) {
  std::string what;
  switch (a.kind()) {
    case v1::ALTERATION_KIND_FUSION: what = a.fusion() + " fusion"; break;
    case v1::ALTERATION_KIND_AMP: what = a.gene() + " amplification"; break;
    case v1::ALTERATION_KIND_DEL: what = a.gene() + " deletion"; break;
    default:
      what = a.gene() + " " +
             (!a.protein_change().empty() ? a.protein_change()
                                          : !a.hgvs_c().empty() ? a.hgvs_c()
                                                                : "exon " + std::to_string(a.exon()) + " " + a.exon_event());
  }
  return what + (t.assay().empty() ? "" : " (test " + t.assay() + ")");
}

struct Evaluation {
  std::vector<std::string> why;
  bool variant_level = false;
  bool exact_cancer_type = false;
};

std::string Line(const v1::MatchNode& n) { return "line " + std::to_string(n.line()) + ": "; }

class Evaluator {
 public:
  Evaluator(const v1::Case& c, absl::CivilDay day) : c_(c), day_(day) {}

  bool Eval(const v1::MatchNode& n, Evaluation* ev) {
    if (n.has_all_of()) {
      for (const auto& child : n.all_of().nodes())
        if (!Eval(child, ev)) return false;
      return true;
    }
    if (n.has_any_of()) {
      for (const auto& child : n.any_of().nodes()) {
        Evaluation attempt;
        if (Eval(child, &attempt)) {  // the first satisfied branch explains the match
          ev->why.insert(ev->why.end(), attempt.why.begin(), attempt.why.end());
          ev->variant_level = ev->variant_level || attempt.variant_level;
          ev->exact_cancer_type = ev->exact_cancer_type || attempt.exact_cancer_type;
          return true;
        }
      }
      return false;
    }
    if (n.has_none_of()) {
      Evaluation inner;
      if (Eval(n.none_of(), &inner)) return false;
      ev->why.push_back(Line(n) + "not (" + DescribeCriterion(n.none_of()) + "): none found");
      return true;
    }
    if (n.has_genomic()) return Genomic(n, ev);
    if (n.has_biomarker()) return Biomarker(n, ev);
    if (n.has_clinical()) return Clinical(n, ev);
    return false;  // an empty node never matches
  }

 private:
  bool Genomic(const v1::MatchNode& n, Evaluation* ev) {
    const auto& g = n.genomic();
    for (const auto& t : c_.tests()) {
      for (const auto& a : t.alterations()) {
        if (!AlterationMatches(g, a)) continue;
        ev->why.push_back(Line(n) + DescribeCriterion(n) + ": " + DescribeAlteration(a, t));
        ev->variant_level = ev->variant_level || !g.protein_change().empty() || !g.codon().empty();
        return true;
      }
    }
    return false;
  }

  bool Biomarker(const v1::MatchNode& n, Evaluation* ev) {
    const auto& b = n.biomarker();
    std::string found;
    for (const auto& t : c_.tests()) {
      const bool msi = !b.msi_high() || t.msi() == v1::MSI_HIGH;
      const bool tmb = !b.has_tmb_min() || (t.tmb() >= 0 && t.tmb() >= b.tmb_min());
      if (msi && tmb) {
        std::ostringstream s;
        if (b.msi_high()) s << "MSI-H";
        if (b.has_tmb_min()) s << (b.msi_high() ? ", " : "") << "TMB " << t.tmb() << " mut/Mb";
        s << " (test " << t.assay() << ")";
        ev->why.push_back(Line(n) + DescribeCriterion(n) + ": " + s.str());
        return true;
      }
    }
    return false;
  }

  bool Clinical(const v1::MatchNode& n, Evaluation* ev) {
    const auto& k = n.clinical();
    const std::string& code = c_.oncotree_code();
    std::vector<std::string> met;
    if (k.oncotree_size() > 0) {
      bool within = false, exact = false;
      for (const auto& listed : k.oncotree()) {
        if (IsOncoTreeDescendant(code, listed)) {
          within = true;
          exact = exact || code == listed;
        }
      }
      if (!within) return false;
      ev->exact_cancer_type = ev->exact_cancer_type || exact;
      met.push_back("oncotree " + code);
    }
    for (const auto& excluded : k.exclude_oncotree())
      if (IsOncoTreeDescendant(code, excluded)) return false;
    if (k.cancer_class() != v1::CANCER_CLASS_UNSPECIFIED && c_.cancer_class() != k.cancer_class()) return false;
    if (k.has_min_age() || k.has_max_age()) {
      int lo = 0, hi = 0;
      if (!AgeRangeOn(c_, day_, &lo, &hi)) return false;
      if (k.has_min_age() && lo < k.min_age()) return false;
      if (k.has_max_age() && (hi < 0 || hi > k.max_age())) return false;
      met.push_back(lo == hi ? "age " + std::to_string(lo) : "age " + std::to_string(lo) + "-" + (hi < 0 ? "" : std::to_string(hi)));
    }
    if (k.sex() != v1::SEX_UNSPECIFIED && c_.sex() != k.sex()) return false;
    if (k.has_ecog_max()) {
      if (c_.ecog() < 0 || c_.ecog() > k.ecog_max()) return false;
      met.push_back("ECOG " + std::to_string(c_.ecog()));
    }
    if (k.alive() && c_.vital_status() != v1::VITAL_STATUS_ALIVE) return false;
    const int lines = c_.treatments_size();
    if (k.has_min_prior_lines() && lines < k.min_prior_lines()) return false;
    if (k.has_max_prior_lines() && lines > k.max_prior_lines()) return false;
    if (k.has_min_prior_lines() || k.has_max_prior_lines()) met.push_back(std::to_string(lines) + " prior lines");
    std::string what;
    for (size_t i = 0; i < met.size(); ++i) what += (i == 0 ? "" : ", ") + met[i];
    ev->why.push_back(Line(n) + DescribeCriterion(n) + (what.empty() ? "" : ": " + what));
    return true;
  }

  const v1::Case& c_;
  absl::CivilDay day_;
};

}  // namespace

bool RanksBefore(const ArmMatch& a, const ArmMatch& b) {
  if (a.variant_level != b.variant_level) return a.variant_level;
  if (a.exact_cancer_type != b.exact_cancer_type) return a.exact_cancer_type;
  return a.arm_id < b.arm_id;
}

bool AgeRangeOn(const v1::Case& c, absl::CivilDay day, int* lo, int* hi) {
  int reg_year = 0, reg_month = 0;
  if (std::sscanf(c.registration_month().c_str(), "%d-%d", &reg_year, &reg_month) != 2 || reg_month < 1 ||
      reg_month > 12)
    return false;
  const absl::CivilDay reg_first(reg_year, reg_month, 1);
  const absl::CivilDay reg_last = absl::CivilDay(absl::CivilMonth(reg_first) + 1) - 1;
  if (c.birth_year() <= 0) {
    // Top-coded: at least 90 on some day of the registration month.
    if (c.age_at_registration() < 90) return false;
    int years = static_cast<int>(day.year() - reg_last.year());
    if (absl::CivilDay(day.year(), reg_last.month(), reg_last.day()) > day) --years;
    *lo = 90 + std::max(0, years);
    *hi = -1;
    return true;
  }
  const int by = c.birth_year();
  // The birthday's window within the year, from the age at registration: the
  // birthday had passed by the registration day (some day of its month), or
  // had not yet come.
  absl::CivilDay first(by, 1, 1), last(by, 12, 31);
  if (c.age_at_registration() == reg_year - by) {
    last = absl::CivilDay(by, reg_last.month(), reg_last.day());
  } else if (c.age_at_registration() == reg_year - by - 1) {
    first = absl::CivilDay(by, reg_first.month(), reg_first.day());
  }  // else inconsistent: keep the whole year
  auto age_if_born = [&](absl::CivilDay birth) {
    int age = static_cast<int>(day.year() - birth.year());
    if (absl::CivilDay(day.year(), birth.month(), birth.day()) > day) --age;
    return age;
  };
  // Age falls as the birthday moves later in the year.
  *hi = age_if_born(first);
  *lo = age_if_born(last);
  return true;
}

std::vector<ArmMatch> MatchTrial(const v1::Trial& trial, const v1::Case& c, absl::CivilDay day) {
  std::vector<ArmMatch> out;
  if (trial.status() != v1::TRIAL_STATUS_OPEN) return out;
  if (trial.sites_size() > 0 && std::find(trial.sites().begin(), trial.sites().end(), c.site_id()) == trial.sites().end())
    return out;
  Evaluator eval(c, day);
  Evaluation trial_level;
  if (trial.has_match() && !eval.Eval(trial.match(), &trial_level)) return out;
  for (const auto& arm : trial.arms()) {
    if (arm.suspended()) continue;
    Evaluation ev = trial_level;
    if (arm.has_match() && !eval.Eval(arm.match(), &ev)) continue;
    if (!trial.has_match() && !arm.has_match()) continue;
    ArmMatch m;
    m.arm_id = arm.arm_id();
    m.why = std::move(ev.why);
    m.variant_level = ev.variant_level;
    m.exact_cancer_type = ev.exact_cancer_type;
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(), RanksBefore);
  return out;
}

bool MatchesCriteria(const v1::MatchNode& criteria, const v1::Case& c, absl::CivilDay day,
                     std::vector<std::string>* why) {
  Evaluator eval(c, day);
  Evaluation ev;
  if (!eval.Eval(criteria, &ev)) return false;
  if (why != nullptr) *why = std::move(ev.why);
  return true;
}

}  // namespace fedreg::server
