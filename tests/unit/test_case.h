// A valid pseudonymized case for tests, built directly (not via an import).
#pragma once

#include <string>

#include "fedreg/v1/case.pb.h"

namespace fedreg::testing {

inline v1::Case ValidCase(const std::string& site = "ncch", const std::string& suffix = "0000000001") {
  v1::Case c;
  c.set_case_id(site + "-" + suffix);
  c.set_site_id(site);
  c.set_record_version(1);
  c.set_consent(v1::CONSENT_ACTIVE);
  c.add_link_tokens("T1:" + std::string(64, 'a'));
  c.add_link_tokens("T2:" + std::string(64, 'b'));
  c.set_registration_month("2023-04");
  c.set_age_at_registration(54);
  c.set_birth_year(1969);
  c.set_sex(v1::SEX_FEMALE);
  c.set_ecog(1);
  c.set_vital_status(v1::VITAL_STATUS_ALIVE);
  c.set_last_contact_day(200);
  c.set_oncotree_code("LMS");
  c.set_oncotree_version("oncotree_2025_10_03");
  c.set_cancer_class(v1::CANCER_CLASS_SOLID);
  c.set_tissue("Soft Tissue");
  c.set_extent(v1::EXTENT_METASTATIC);
  auto* t = c.add_tests();
  t->set_assay("NCC-ONCOPANEL");
  t->set_specimen(v1::SPECIMEN_PRIMARY);
  t->set_report_day(20);
  t->set_tmb(3.1);
  t->set_msi(v1::MSI_STABLE);
  auto* a = t->add_alterations();
  a->set_gene("BRAF");
  a->set_kind(v1::ALTERATION_KIND_SNV);
  a->set_protein_change("p.V600E");
  a->set_vaf(0.3);
  auto* l = c.add_treatments();
  l->set_line(1);
  l->add_drugs("doxorubicin");
  l->set_start_day(30);
  l->set_has_end(true);
  l->set_end_day(120);
  l->set_best_response(v1::RESPONSE_PR);
  return c;
}

}  // namespace fedreg::testing
