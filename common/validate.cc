#include "common/validate.h"

#include <regex>

#include "common/fusion.h"
#include "common/gene_symbols.h"
#include "common/hgvs.h"
#include "common/oncotree.h"
#include "common/utf8.h"

namespace fedreg {
namespace {

bool IsUpperAlnum(char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'); }

// One amino acid, three-letter codes are not used in the short form.
const std::regex& HgvsRegex() {
  // p.V600E  p.R273H  p.Q61*  p.S310fs  p.W288Cfs*12  p.E746_A750del  p.V560_Y578delinsD
  // p.A767_V769dup  p.N771_P772insH  p.(=)
  static const auto* re = [] {
    const std::string aa = "[ACDEFGHIKLMNPQRSTVWY]";
    const std::string pos = aa + "\\d{1,5}";
    const std::string single = pos + "(" + aa + "|\\*|=|\\?|" + aa + "?fs(\\*\\d+)?|del|dup|delins" + aa +
                               "+|ins" + aa + "+)";
    const std::string range = pos + "_" + pos + "(del|dup|delins" + aa + "+|ins" + aa + "+)";
    return new std::regex("p\\.(\\(=\\)|=|" + single + "|" + range + ")");
  }();
  return *re;
}

}  // namespace

bool IsSiteId(std::string_view s) {
  if (s.size() < 2 || s.size() > 32) return false;
  if (!(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (char ch : s) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) return false;
  }
  return true;
}

bool IsValidCaseId(std::string_view case_id, std::string_view site_id) {
  if (case_id.size() != site_id.size() + 11) return false;
  if (case_id.substr(0, site_id.size()) != site_id) return false;
  if (case_id[site_id.size()] != '-') return false;
  for (char ch : case_id.substr(site_id.size() + 1)) {
    if (!IsUpperAlnum(ch)) return false;
  }
  return true;
}

bool IsHgncLikeSymbol(std::string_view g) {
  // HGNC symbols: upper-case letters and digits, may contain '-' (e.g. HLA-A),
  // start with a letter, at most 20 characters.
  if (g.empty() || g.size() > 20) return false;
  if (!(g[0] >= 'A' && g[0] <= 'Z')) return false;
  for (char ch : g) {
    if (!IsUpperAlnum(ch) && ch != '-') return false;
  }
  return true;
}

bool IsHgvsProteinShort(std::string_view change) {
  if (change.size() > 64) return false;
  return std::regex_match(change.begin(), change.end(), HgvsRegex());
}

bool IsLinkToken(std::string_view t) {
  // "T1:<64 hex>" (name rules 1), "T1v2:<64 hex>", "K1v2:<64 hex>".
  auto colon = t.find(':');
  if (colon == std::string_view::npos || t.size() != colon + 65) return false;
  std::string_view label = t.substr(0, colon);
  if (label.size() < 2 || (label[0] != 'T' && label[0] != 'K') || !(label[1] >= '1' && label[1] <= '9')) return false;
  if (label.size() > 2) {
    if (label[2] != 'v' || label.size() < 4 || label.size() > 5) return false;
    for (char ch : label.substr(3)) if (!(ch >= '0' && ch <= '9')) return false;
  }
  for (char ch : t.substr(colon + 1))
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  return true;
}

bool IsApprovedGene(std::string_view gene) {
  GeneMatch m = LookUpGene(gene);
  return m.kind == GeneMatch::Kind::kApproved && m.symbol == gene;
}

bool IsFusionName(std::string_view f) {
  auto pos = f.find("::");
  if (pos == std::string_view::npos) return false;
  return IsHgncLikeSymbol(f.substr(0, pos)) && IsHgncLikeSymbol(f.substr(pos + 2));
}

std::vector<FieldError> ValidateCase(const v1::Case& c) {
  std::vector<FieldError> errs;
  auto add = [&errs](std::string field, std::string reason) {
    errs.push_back({std::move(field), std::move(reason)});
  };
  if (!IsSiteId(c.site_id())) add("site_id", "not a site id");
  if (!IsValidCaseId(c.case_id(), c.site_id()))
    add("case_id", "must be '<site>-' followed by 10 of [0-9A-Z]");
  if (c.record_version() == 0) add("record_version", "must be at least 1");
  if (c.consent() != v1::CONSENT_ACTIVE) add("consent", "only active cases are stored");
  for (size_t i = 0; i < static_cast<size_t>(c.link_tokens_size()); ++i) {
    const std::string& t = c.link_tokens(i);
    if (!IsLinkToken(t))
      add("link_tokens[" + std::to_string(i) + "]", "must be '<T|K><n>[v<rules>]:' and 64 hex chars");
  }
  const std::string& m = c.registration_month();
  bool month_ok = m.size() == 7 && m[4] == '-';
  for (size_t i = 0; month_ok && i < 7; ++i) {
    if (i != 4 && !(m[i] >= '0' && m[i] <= '9')) month_ok = false;
  }
  if (month_ok) {
    int year = std::stoi(m.substr(0, 4)), mon = std::stoi(m.substr(5, 2));
    month_ok = year >= 1950 && year <= 2100 && mon >= 1 && mon <= 12;
  }
  if (!month_ok) add("registration_month", "must be YYYY-MM");
  if (c.age_at_registration() < 0 || c.age_at_registration() > 90)
    add("age_at_registration", "must be 0..90 (90 = 90 or older)");
  if (!v1::Sex_IsValid(c.sex()) || c.sex() == v1::SEX_UNSPECIFIED) add("sex", "missing or out of range");
  if (c.ecog() < -1 || c.ecog() > 4) add("ecog", "must be 0..4 or unknown");
  if (!v1::VitalStatus_IsValid(c.vital_status()) || c.vital_status() == v1::VITAL_STATUS_UNSPECIFIED)
    add("vital_status", "missing or out of range");
  if (c.has_death_day()) {
    if (c.vital_status() != v1::VITAL_STATUS_DEAD) add("death_day", "set but vital status is not dead");
    if (c.death_day() < c.last_contact_day()) add("death_day", "before last contact");
  }
  const OncoTreeEntry* onco = FindOncoTree(c.oncotree_code());
  if (onco == nullptr) {
    add("oncotree_code", "unknown OncoTree code '" + Utf8Prefix(c.oncotree_code(), 24) + "'");
  } else {
    if (c.cancer_class() != onco->cancer_class) add("cancer_class", "does not match the OncoTree tissue");
    if (c.tissue() != onco->tissue) add("tissue", "does not match the OncoTree table");
  }
  if (!v1::Extent_IsValid(c.extent())) add("extent", "out of range");

  for (int ti = 0; ti < c.tests_size(); ++ti) {
    const auto& t = c.tests(ti);
    std::string tp = "tests[" + std::to_string(ti) + "]";
    if (t.assay().empty() || t.assay().size() > 32) add(tp + ".assay", "missing or too long");
    if (!v1::Specimen_IsValid(t.specimen()) || t.specimen() == v1::SPECIMEN_UNSPECIFIED)
      add(tp + ".specimen", "missing or out of range");
    if (!v1::Msi_IsValid(t.msi())) add(tp + ".msi", "out of range");
    if (t.tmb() > 10000) add(tp + ".tmb", "implausibly high");
    for (int ai = 0; ai < t.alterations_size(); ++ai) {
      const auto& a = t.alterations(ai);
      std::string ap = tp + ".alterations[" + std::to_string(ai) + "]";
      if (!IsApprovedGene(a.gene()))
        add(ap + ".gene", "'" + Utf8Prefix(a.gene(), 32) + "' is not an approved gene symbol (" +
                              std::string(GeneTableVersion()) + ")");
      switch (a.kind()) {
        case v1::ALTERATION_KIND_SNV:
        case v1::ALTERATION_KIND_INDEL:
          if (!a.protein_change().empty()) {
            if (!IsCanonicalProteinChange(a.protein_change()))
              add(ap + ".protein_change", "'" + Utf8Prefix(a.protein_change(), 40) +
                                              "' is not HGVS protein short form (e.g. p.V600E)");
          } else if (a.hgvs_c().empty() && a.exon() <= 0) {
            add(ap + ".protein_change", "an SNV or INDEL needs a protein change, a c. HGVS change or an exon");
          }
          if (!a.hgvs_c().empty() && !IsCanonicalCodingChange(a.hgvs_c()))
            add(ap + ".hgvs_c", "'" + Utf8Prefix(a.hgvs_c(), 40) + "' is not a canonical c. HGVS change");
          if (a.exon() < 0 || a.exon() > 400) add(ap + ".exon", "out of range");
          break;
        case v1::ALTERATION_KIND_FUSION: {
          auto f = ParseFusion(a.fusion());
          if (!f.ok() || f->canonical != a.fusion())
            add(ap + ".fusion", "'" + Utf8Prefix(a.fusion(), 64) + "' is not a canonical fusion (GENE::GENE)");
          else if (a.gene() != f->gene_5p && a.gene() != f->gene_3p && a.gene() != f->gene)
            add(ap + ".fusion", "does not name the gene");
          break;
        }
        case v1::ALTERATION_KIND_AMP:
        case v1::ALTERATION_KIND_DEL:
          break;
        default:
          add(ap + ".kind", "missing or out of range");
      }
      if (!(a.vaf() >= 0.0 && a.vaf() <= 1.0)) add(ap + ".vaf", "must be 0..1");
    }
  }
  for (int li = 0; li < c.treatments_size(); ++li) {
    const auto& t = c.treatments(li);
    std::string lp = "treatments[" + std::to_string(li) + "]";
    if (t.line() != li + 1) add(lp + ".line", "lines must be numbered 1..n in order");
    if (t.drugs_size() == 0) add(lp + ".drugs", "no drug");
    if (t.has_end() && t.end_day() < t.start_day()) add(lp + ".end_day", "before start");
    if (!v1::Response_IsValid(t.best_response())) add(lp + ".best_response", "out of range");
    if (t.progressed() && t.progression_day() < t.start_day())
      add(lp + ".progression_day", "before start");
  }
  for (int ri = 0; ri < c.referrals_size(); ++ri) {
    if (!v1::ReferralStatus_IsValid(c.referrals(ri).status()))
      add("referrals[" + std::to_string(ri) + "].status", "out of range");
  }
  return errs;
}

std::string FormatErrors(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "; ";
    out += e.field + ": " + e.reason;
  }
  return out;
}

}  // namespace fedreg
