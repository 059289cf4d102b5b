#include "server/views.h"

#include <algorithm>
#include <cstdlib>

namespace fedreg::server {
namespace {

std::string Key(const std::string& dim, const std::string& value) { return dim + kViewSep + value; }

std::string MsiName(v1::Msi m) {
  switch (m) {
    case v1::MSI_HIGH: return "MSI-H";
    case v1::MSI_STABLE: return "MSS";
    case v1::MSI_INDETERMINATE: return "indeterminate";
    default: return "not tested";
  }
}

std::string VitalName(v1::VitalStatus v) {
  switch (v) {
    case v1::VITAL_STATUS_ALIVE: return "alive";
    case v1::VITAL_STATUS_DEAD: return "dead";
    default: return "unknown";
  }
}

std::string AlterationName(const v1::Alteration& a) {
  switch (a.kind()) {
    case v1::ALTERATION_KIND_SNV:
    case v1::ALTERATION_KIND_INDEL:
      // The protein short form when there is one (p.V600E, p.?, p.X123_splice),
      // else the c. change (TERT c.-124C>T), else the exon event.
      if (!a.protein_change().empty()) return a.gene() + " " + a.protein_change();
      if (!a.hgvs_c().empty()) return a.gene() + " " + a.hgvs_c();
      return a.gene() + " exon " + std::to_string(a.exon()) + " " + a.exon_event();
    case v1::ALTERATION_KIND_FUSION: return a.fusion() + " fusion";
    case v1::ALTERATION_KIND_AMP: return a.gene() + " amplification";
    case v1::ALTERATION_KIND_DEL: return a.gene() + " deletion";
    default: return a.gene();
  }
}

}  // namespace

std::string ClassName(v1::CancerClass c) {
  return c == v1::CANCER_CLASS_HEMATOLOGIC ? "hematologic" : c == v1::CANCER_CLASS_SOLID ? "solid" : "unknown";
}

std::string PersonsViewKey() { return Key("persons", ""); }

std::string PersonKey(const v1::Case& c) {
  // The T1 token of the newest name rules the case carries ("T1v2:" before
  // "T1:"): persons are counted within one rules version, never across
  // (docs/pseudonymization.md).
  std::string best;
  int best_version = 0;
  for (const auto& t : c.link_tokens()) {
    if (t.rfind("T1", 0) != 0) continue;
    int version = t.rfind("T1:", 0) == 0 ? 1 : t.rfind("T1v", 0) == 0 ? std::atoi(t.c_str() + 3) : 0;
    if (version > best_version) {
      best_version = version;
      best = t;
    }
  }
  return best.empty() ? "case:" + c.case_id() : best;
}

std::vector<std::string> ViewKeys(const v1::Case& c) {
  std::vector<std::string> keys = {
      Key("cases", ""),
      Key("site", c.site_id()),
      Key("class", ClassName(c.cancer_class())),
      Key("oncotree", c.oncotree_code()),
      Key("tissue", c.tissue()),
      Key("month", c.registration_month() + " " + ClassName(c.cancer_class())),
      Key("vital", VitalName(c.vital_status())),
  };
  // Genes and alterations each once (a case's tests may repeat them); a
  // sorted vector rather than two sets: a few entries, no node per entry.
  const size_t fixed = keys.size();
  v1::Msi msi = v1::MSI_NOT_TESTED;
  double tmb = -1;
  for (const auto& t : c.tests()) {
    for (const auto& a : t.alterations()) {
      keys.push_back(Key("gene", a.gene()));
      keys.push_back(Key("alteration", AlterationName(a)));
    }
    if (t.msi() != v1::MSI_NOT_TESTED && t.msi() != v1::MSI_UNSPECIFIED) msi = t.msi();
    if (t.tmb() >= 0) tmb = std::max(tmb, t.tmb());
  }
  std::sort(keys.begin() + static_cast<std::ptrdiff_t>(fixed), keys.end());
  keys.erase(std::unique(keys.begin() + static_cast<std::ptrdiff_t>(fixed), keys.end()), keys.end());
  keys.push_back(Key("msi", MsiName(msi)));
  keys.push_back(Key("tmb", tmb < 0 ? "not measured" : tmb >= 10 ? "high (>=10)" : "low (<10)"));
  return keys;
}

}  // namespace fedreg::server
