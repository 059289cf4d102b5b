#include "agent/case_builder.h"

#include <cctype>
#include <cstdlib>

#include "absl/time/civil_time.h"
#include "common/crypto.h"
#include "common/normalize.h"
#include "common/oncotree.h"
#include "common/validate.h"

namespace fedreg::agent {
namespace {

bool Fail(BuildError* e, std::string field, std::string reason) {
  e->field = std::move(field);
  e->reason = std::move(reason);
  return false;
}

bool ParseInt(const std::string& s, int64_t* v) {
  if (s.empty() || s.size() > 18) return false;
  char* end = nullptr;
  long long x = std::strtoll(s.c_str(), &end, 10);
  if (end != s.c_str() + s.size()) return false;
  *v = x;
  return true;
}

bool ParseDouble(const std::string& s, double* v) {
  if (s.empty() || s.size() > 32) return false;
  char* end = nullptr;
  double x = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || x != x) return false;
  *v = x;
  return true;
}

// A day offset from registration for an optional date field.
bool Offset(const SourceRecord& row, const std::string& field, const std::string& value, int64_t reg_days,
            bool* present, int32_t* out, BuildError* e) {
  *present = false;
  if (value.empty()) return true;
  int64_t d;
  if (!ParseDate(value, &d)) return Fail(e, field, "not a date (YYYY-MM-DD)");
  *present = true;
  *out = static_cast<int32_t>(d - reg_days);
  return true;
}

}  // namespace

bool ParseDate(const std::string& text, int64_t* days) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  int64_t y, m, d;
  if (!ParseInt(text.substr(0, 4), &y) || !ParseInt(text.substr(5, 2), &m) || !ParseInt(text.substr(8, 2), &d))
    return false;
  if (y < 1900 || y > 2100) return false;
  absl::CivilDay day(y, static_cast<int>(m), static_cast<int>(d));
  // CivilDay normalizes out-of-range parts (2023-02-30 -> 2023-03-02): reject those.
  if (day.year() != y || day.month() != m || day.day() != d) return false;
  *days = day - absl::CivilDay(1970, 1, 1);
  return true;
}

std::string ReidKey(const std::string& reid_key, const std::string& record_number) {
  return "r" + crypto::HmacSha256(reid_key, "record_number:" + record_number);
}

bool ComputeLinkTokens(const std::string& linkage_key, const std::string& family, const std::string& given,
                       const std::string& birth_yyyymmdd, const std::string& sex_code,
                       std::vector<std::string>* tokens, BuildError* error) {
  auto fam = NormalizeName(family);
  if (!fam.ok()) return Fail(error, "family_name", "not valid UTF-8");
  auto giv = NormalizeName(given);
  if (!giv.ok()) return Fail(error, "given_name", "not valid UTF-8");
  if (fam->empty()) return Fail(error, "family_name", "empty after normalization");
  if (giv->empty()) return Fail(error, "given_name", "empty after normalization");
  // Rule fields are joined with a separator that normalization removes from
  // names, so "AB"+"C" and "A"+"BC" cannot collide.
  tokens->clear();
  tokens->push_back("T1:" + crypto::ToHex(crypto::HmacSha256(
                                linkage_key, "T1|" + *fam + "|" + *giv + "|" + birth_yyyymmdd + "|" + sex_code)));
  tokens->push_back(
      "T2:" + crypto::ToHex(crypto::HmacSha256(linkage_key, "T2|" + *fam + "|" + birth_yyyymmdd + "|" + sex_code)));
  return true;
}

bool BuildCase(const SourceRecord& row, const std::string& site_id, const std::string& case_id,
               const SiteKeys& keys, BuiltCase* out, BuildError* e) {
  // Protobuf strings must be UTF-8: a bad byte would make the record
  // unreadable downstream, so it is refused here, naming the field.
  for (const auto& [name, value] : row.fields) {
    if (!IsValidUtf8(value)) return Fail(e, name, "not valid UTF-8");
  }
  for (size_t i = 0; i < row.alterations.size(); ++i) {
    const auto& a = row.alterations[i];
    if (!IsValidUtf8(a.gene) || !IsValidUtf8(a.kind) || !IsValidUtf8(a.change) || !IsValidUtf8(a.vaf))
      return Fail(e, "alterations[" + std::to_string(i + 1) + "]", "not valid UTF-8");
  }
  for (size_t i = 0; i < row.treatments.size(); ++i) {
    const auto& t = row.treatments[i];
    for (const std::string* v : {&t.line, &t.drugs, &t.start, &t.end, &t.response, &t.trial}) {
      if (!IsValidUtf8(*v)) return Fail(e, "treatments[" + std::to_string(i + 1) + "]", "not valid UTF-8");
    }
  }
  for (const char* f : {"record_number", "family_name", "given_name", "birth_date", "sex", "registration_date",
                        "oncotree_code", "vital_status"}) {
    if (row.Get(f).empty()) return Fail(e, f, "required field is missing");
  }
  const std::string& rn = row.Get("record_number");
  if (rn.size() > 32) return Fail(e, "record_number", "longer than 32 characters");
  for (char c : rn) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
      return Fail(e, "record_number", "may hold only letters, digits and '-'");
  }
  int64_t birth, reg;
  if (!ParseDate(row.Get("birth_date"), &birth)) return Fail(e, "birth_date", "not a date (YYYY-MM-DD)");
  if (!ParseDate(row.Get("registration_date"), &reg)) return Fail(e, "registration_date", "not a date (YYYY-MM-DD)");
  if (birth > reg) return Fail(e, "birth_date", "after registration");

  v1::Case& c = out->record;
  c.Clear();
  c.set_case_id(case_id);
  c.set_site_id(site_id);
  c.set_consent(v1::CONSENT_ACTIVE);

  const std::string& sex = row.Get("sex");
  if (sex == "M") c.set_sex(v1::SEX_MALE);
  else if (sex == "F") c.set_sex(v1::SEX_FEMALE);
  else if (sex == "O") c.set_sex(v1::SEX_OTHER);
  else if (sex == "U") c.set_sex(v1::SEX_UNKNOWN);
  else return Fail(e, "sex", "must be M, F, O or U");

  const std::string& bd = row.Get("birth_date");
  std::string birth_compact = bd.substr(0, 4) + bd.substr(5, 2) + bd.substr(8, 2);
  std::vector<std::string> tokens;
  if (!ComputeLinkTokens(keys.linkage_key, row.Get("family_name"), row.Get("given_name"), birth_compact, sex,
                         &tokens, e))
    return false;
  for (auto& t : tokens) c.add_link_tokens(std::move(t));

  const std::string& rd = row.Get("registration_date");
  c.set_registration_month(rd.substr(0, 7));
  absl::CivilDay bday = absl::CivilDay(1970, 1, 1) + birth, rday = absl::CivilDay(1970, 1, 1) + reg;
  int64_t age = rday.year() - bday.year() - ((rday.month() < bday.month() ||
                                              (rday.month() == bday.month() && rday.day() < bday.day())) ? 1 : 0);
  if (age >= 90) {
    c.set_age_at_registration(90);  // top-coded: birth year would narrow it down
  } else {
    c.set_age_at_registration(static_cast<int32_t>(age));
    c.set_birth_year(static_cast<int32_t>(bday.year()));
  }
  if (!row.Get("diagnosis_date").empty()) {
    int64_t dd;
    if (!ParseDate(row.Get("diagnosis_date"), &dd)) return Fail(e, "diagnosis_date", "not a date (YYYY-MM-DD)");
    c.set_diagnosis_year(static_cast<int32_t>((absl::CivilDay(1970, 1, 1) + dd).year()));
  }

  const std::string& ecog = row.Get("ecog");
  if (ecog.empty()) {
    c.set_ecog(-1);
  } else {
    int64_t v;
    if (!ParseInt(ecog, &v) || v < 0 || v > 4) return Fail(e, "ecog", "must be an integer 0..4");
    c.set_ecog(static_cast<int32_t>(v));
  }
  const std::string& vs = row.Get("vital_status");
  if (vs == "alive") c.set_vital_status(v1::VITAL_STATUS_ALIVE);
  else if (vs == "dead") c.set_vital_status(v1::VITAL_STATUS_DEAD);
  else if (vs == "unknown") c.set_vital_status(v1::VITAL_STATUS_UNKNOWN);
  else return Fail(e, "vital_status", "must be alive, dead or unknown");

  bool present;
  int32_t off;
  if (!Offset(row, "last_contact_date", row.Get("last_contact_date"), reg, &present, &off, e)) return false;
  if (present) c.set_last_contact_day(off);
  if (!Offset(row, "death_date", row.Get("death_date"), reg, &present, &off, e)) return false;
  if (present) {
    if (c.vital_status() != v1::VITAL_STATUS_DEAD) return Fail(e, "death_date", "given but vital_status is not dead");
    if (off < c.last_contact_day()) return Fail(e, "death_date", "before last_contact_date");
    c.set_has_death_day(true);
    c.set_death_day(off);
  }

  const std::string& code = row.Get("oncotree_code");
  const OncoTreeEntry* onco = FindOncoTree(code);
  if (onco == nullptr) return Fail(e, "oncotree_code", "unknown OncoTree code '" + code.substr(0, 16) + "'");
  c.set_oncotree_code(std::string(onco->code));
  c.set_oncotree_version(std::string(kOncoTreeVersion));
  c.set_cancer_class(onco->cancer_class);
  c.set_tissue(std::string(onco->tissue));

  const std::string& ext = row.Get("extent");
  if (ext.empty() || ext == "unknown") c.set_extent(v1::EXTENT_UNKNOWN);
  else if (ext == "locally_advanced") c.set_extent(v1::EXTENT_LOCALLY_ADVANCED);
  else if (ext == "metastatic") c.set_extent(v1::EXTENT_METASTATIC);
  else if (ext == "recurrent") c.set_extent(v1::EXTENT_RECURRENT);
  else if (ext == "not_applicable") c.set_extent(v1::EXTENT_NOT_APPLICABLE);
  else return Fail(e, "extent", "must be locally_advanced, metastatic, recurrent, not_applicable or unknown");

  const std::string& assay = row.Get("assay");
  if (assay.empty()) {
    if (!row.alterations.empty()) return Fail(e, "alterations", "given without an assay");
  } else {
    bool assay_ok = assay.size() <= 32;
    for (char ch : assay) assay_ok = assay_ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.');
    if (!assay_ok) return Fail(e, "assay", "assay code: up to 32 letters, digits, '-' and '.'");
    v1::GenomicTest* t = c.add_tests();
    t->set_assay(assay);
    t->set_genome_build("GRCh38");
    const std::string& sp = row.Get("specimen");
    if (sp == "primary") t->set_specimen(v1::SPECIMEN_PRIMARY);
    else if (sp == "metastasis") t->set_specimen(v1::SPECIMEN_METASTASIS);
    else if (sp == "cfdna") t->set_specimen(v1::SPECIMEN_CFDNA);
    else if (sp == "heme") t->set_specimen(v1::SPECIMEN_HEME);
    else return Fail(e, "specimen", "must be primary, metastasis, cfdna or heme");
    if (!Offset(row, "report_date", row.Get("report_date"), reg, &present, &off, e)) return false;
    if (!present) return Fail(e, "report_date", "required with an assay");
    t->set_report_day(off);
    const std::string& tmb = row.Get("tmb");
    if (tmb.empty()) {
      t->set_tmb(-1);
    } else {
      double v;
      if (!ParseDouble(tmb, &v) || v < 0 || v > 10000) return Fail(e, "tmb", "must be a number of mut/Mb");
      t->set_tmb(v);
    }
    const std::string& msi = row.Get("msi");
    if (msi.empty() || msi == "not_tested") t->set_msi(v1::MSI_NOT_TESTED);
    else if (msi == "MSI-H") t->set_msi(v1::MSI_HIGH);
    else if (msi == "MSS") t->set_msi(v1::MSI_STABLE);
    else if (msi == "indeterminate") t->set_msi(v1::MSI_INDETERMINATE);
    else return Fail(e, "msi", "must be MSI-H, MSS, indeterminate or not_tested");
    for (size_t i = 0; i < row.alterations.size(); ++i) {
      const SourceAlteration& sa = row.alterations[i];
      std::string p = "alterations[" + std::to_string(i + 1) + "]";
      v1::Alteration* a = t->add_alterations();
      if (!IsHgncLikeSymbol(sa.gene)) return Fail(e, p + ".gene", "not an HGNC gene symbol");
      a->set_gene(sa.gene);
      a->set_origin(v1::ORIGIN_SOMATIC);
      if (sa.kind == "SNV" || sa.kind == "INDEL") {
        a->set_kind(sa.kind == "SNV" ? v1::ALTERATION_KIND_SNV : v1::ALTERATION_KIND_INDEL);
        if (!IsHgvsProteinShort(sa.change))
          return Fail(e, p + ".change", "not HGVS protein short form (e.g. p.V600E)");
        a->set_protein_change(sa.change);
      } else if (sa.kind == "FUSION") {
        a->set_kind(v1::ALTERATION_KIND_FUSION);
        if (!IsFusionName(sa.change)) return Fail(e, p + ".change", "fusion must be GENE::GENE");
        a->set_fusion(sa.change);
      } else if (sa.kind == "AMP" || sa.kind == "DEL") {
        a->set_kind(sa.kind == "AMP" ? v1::ALTERATION_KIND_AMP : v1::ALTERATION_KIND_DEL);
        if (!sa.change.empty()) return Fail(e, p + ".change", "must be empty for AMP and DEL");
      } else {
        return Fail(e, p + ".kind", "must be SNV, INDEL, FUSION, AMP or DEL");
      }
      if (!sa.vaf.empty()) {
        double v;
        if (!ParseDouble(sa.vaf, &v) || v < 0 || v > 1) return Fail(e, p + ".vaf", "must be a number 0..1");
        a->set_vaf(v);
      }
    }
  }

  for (size_t i = 0; i < row.treatments.size(); ++i) {
    const SourceTreatment& st = row.treatments[i];
    std::string p = "treatments[" + std::to_string(i + 1) + "]";
    v1::TreatmentLine* t = c.add_treatments();
    int64_t line;
    if (!ParseInt(st.line, &line) || line != static_cast<int64_t>(i + 1))
      return Fail(e, p + ".line", "lines must be numbered 1..n in order");
    t->set_line(static_cast<int32_t>(line));
    if (st.drugs.empty()) return Fail(e, p + ".drugs", "no drug");
    size_t start = 0;
    while (start <= st.drugs.size()) {
      size_t pos = st.drugs.find('+', start);
      std::string drug = st.drugs.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
      if (drug.empty() || drug.size() > 64) return Fail(e, p + ".drugs", "empty or overlong drug name");
      for (char ch : drug) {
        if (!(std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) ||
              ch == '-' || ch == ' '))
          return Fail(e, p + ".drugs", "drug names are lower-case INN");
      }
      t->add_drugs(drug);
      if (pos == std::string::npos) break;
      start = pos + 1;
    }
    if (!Offset(row, p + ".start", st.start, reg, &present, &off, e)) return false;
    if (!present) return Fail(e, p + ".start", "required");
    t->set_start_day(off);
    if (!Offset(row, p + ".end", st.end, reg, &present, &off, e)) return false;
    if (present) {
      if (off < t->start_day()) return Fail(e, p + ".end", "before start");
      t->set_has_end(true);
      t->set_end_day(off);
    }
    const std::string& r = st.response;
    if (r.empty() || r == "NA") t->set_best_response(v1::RESPONSE_NA);
    else if (r == "CR") t->set_best_response(v1::RESPONSE_CR);
    else if (r == "PR") t->set_best_response(v1::RESPONSE_PR);
    else if (r == "SD") t->set_best_response(v1::RESPONSE_SD);
    else if (r == "PD") t->set_best_response(v1::RESPONSE_PD);
    else if (r == "NE") t->set_best_response(v1::RESPONSE_NE);
    else return Fail(e, p + ".response", "must be CR, PR, SD, PD, NE or NA");
    if (t->best_response() != v1::RESPONSE_NA)
      t->set_response_criteria(c.cancer_class() == v1::CANCER_CLASS_HEMATOLOGIC ? "Lugano" : "RECIST 1.1");
    if (!st.trial.empty()) {
      bool ok = st.trial.size() <= 32;
      for (char ch : st.trial) ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-');
      if (!ok) return Fail(e, p + ".trial", "trial id: up to 32 letters, digits and '-'");
      t->set_trial_id(st.trial);
      t->set_biomarker_matched(true);
    }
  }

  // The shared validator is the last word, as it will be at the centre.
  c.set_record_version(1);
  auto errs = ValidateCase(c);
  c.set_record_version(0);
  if (!errs.empty()) return Fail(e, errs[0].field, errs[0].reason);

  out->reid.set_record_number(rn);
  out->reid.set_case_id(case_id);
  out->reid.set_registration_date(rd);
  out->reid.set_birth_date(bd);
  return true;
}

}  // namespace fedreg::agent
