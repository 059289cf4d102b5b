#include "agent/case_builder.h"

#include <cctype>
#include <cstdlib>
#include <optional>

#include "absl/time/civil_time.h"
#include "agent/alteration_builder.h"
#include "agent/record_number.h"
#include "common/crypto.h"
#include "common/dates.h"
#include "common/gene_symbols.h"
#include "common/normalize.h"
#include "common/oncotree.h"
#include "common/text_fold.h"
#include "common/units.h"
#include "common/utf8.h"
#include "common/validate.h"

namespace fedreg::agent {
namespace {

bool Fail(BuildError* e, std::string field, std::string reason, std::string kind = "field") {
  e->field = std::move(field);
  e->reason = std::move(reason);
  e->kind = std::move(kind);
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

// Reads one date cell (common/dates.h); counts a rewritten form.
bool Date(const std::string& field, const std::string& value, BuiltCase* out, int64_t* days, std::string* iso,
          BuildError* e) {
  auto d = ParseDateField(value);
  if (!d.ok()) return Fail(e, field, std::string(d.status().message()), "date");
  if (d->rewritten) ++out->normalised["date"];
  *days = d->days;
  if (iso != nullptr) *iso = d->iso;
  return true;
}

// A day offset from registration for an optional date field; *offset is
// empty when the cell is. One value for both, so that no caller can read an
// offset that was never set.
bool Offset(const std::string& field, const std::string& value, int64_t reg_days, BuiltCase* out,
            std::optional<int32_t>* offset, BuildError* e) {
  offset->reset();
  if (value.empty()) return true;
  int64_t d;
  if (!Date(field, value, out, &d, nullptr, e)) return false;
  *offset = static_cast<int32_t>(d - reg_days);
  return true;
}

// An enumeration cell folded for matching (spaces, width, case: "Ｍ", "m ",
// "Alive"); counted as normalised when it was not written in the documented
// form (docs/export-format.md: sex and assay codes upper case, the other
// enumerations lower case, but MSI-H and MSS).
std::string Enum(const SourceRecord& row, const char* field, BuiltCase* out) {
  const std::string& raw = row.Get(field);
  std::string folded = FoldCode(raw);
  const std::string_view f = field;
  std::string documented = folded;
  if (f != "sex" && f != "assay" && folded != "MSI-H" && folded != "MSS") {
    for (char& c : documented) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (documented != raw) ++out->normalised["enum"];
  return folded;
}

std::string Quote(const std::string& v) { return "'" + VisibleSpaces(Utf8Prefix(v, 40)) + "'"; }

}  // namespace

absl::Status CheckCaseLimits(const v1::Case& c) {
  if (static_cast<size_t>(c.tests_size()) > kMaxTestsPerCase)
    return absl::InvalidArgumentError("tests: " + std::to_string(c.tests_size()) + " genomic tests, at most " +
                                      std::to_string(kMaxTestsPerCase) + " per case");
  if (static_cast<size_t>(c.treatments_size()) > kMaxTreatmentsPerCase)
    return absl::InvalidArgumentError("treatments: " + std::to_string(c.treatments_size()) + " lines, at most " +
                                      std::to_string(kMaxTreatmentsPerCase) + " per case");
  const size_t bytes = c.ByteSizeLong();
  if (bytes > kMaxCaseBytes)
    return absl::InvalidArgumentError("the case takes " + std::to_string(bytes) + " bytes, at most " +
                                      std::to_string(kMaxCaseBytes) + " per case (it must fit one sync batch)");
  return absl::OkStatus();
}

bool ParseDate(const std::string& text, int64_t* days) {
  auto d = ParseDateField(text);
  if (!d.ok()) return false;
  *days = d->days;
  return true;
}

std::string ReidKey(const std::string& reid_key, const std::string& record_number) {
  return "r" + crypto::HmacSha256(reid_key, "record_number:" + record_number);
}

bool ComputeLinkTokens(const std::string& linkage_key, const PersonFields& p, int rules_version,
                       std::vector<std::string>* tokens, BuildError* error) {
  auto name = [&](const char* field, const std::string& text, std::string* out) {
    auto n = NormalizeNameWithRules(rules_version, text);
    if (!n.ok()) return Fail(error, field, std::string(n.status().message()), "name");
    if (n->empty()) return Fail(error, field, "empty after normalisation", "name");
    *out = *std::move(n);
    return true;
  };
  std::string fam, giv;
  if (!name("family_name", p.family, &fam) || !name("given_name", p.given, &giv)) return false;
  // Version 1 tokens keep their first form ("T1:"); later versions carry the
  // rules version in the label and in the HMAC input, so tokens of two
  // versions never compare equal (docs/pseudonymization.md). Rule fields are
  // joined with a separator that normalisation removes from names, so
  // "AB"+"C" and "A"+"BC" cannot collide.
  const std::string v = rules_version == 1 ? "" : "v" + std::to_string(rules_version);
  auto token = [&](const std::string& label, const std::string& fields) {
    return label + v + ":" + crypto::ToHex(crypto::HmacSha256(linkage_key, label + v + "|" + fields));
  };
  tokens->clear();
  tokens->push_back(token("T1", fam + "|" + giv + "|" + p.birth_yyyymmdd + "|" + p.sex_code));
  tokens->push_back(token("T2", fam + "|" + p.birth_yyyymmdd + "|" + p.sex_code));
  if (rules_version >= 2 && (!p.family_kana.empty() || !p.given_kana.empty())) {
    // The reading, as Japanese hospital systems hold it: often the more
    // reliable key across hospitals (kanji variants, gaiji).
    auto fk = NormalizeKanaReading(p.family_kana);
    if (!fk.ok()) return Fail(error, "family_name_kana", std::string(fk.status().message()), "name");
    auto gk = NormalizeKanaReading(p.given_kana);
    if (!gk.ok()) return Fail(error, "given_name_kana", std::string(gk.status().message()), "name");
    tokens->push_back(token("K1", *fk + "|" + *gk + "|" + p.birth_yyyymmdd + "|" + p.sex_code));
  }
  return true;
}

bool ComputeLinkTokens(const std::string& linkage_key, const std::string& family, const std::string& given,
                       const std::string& birth_yyyymmdd, const std::string& sex_code,
                       std::vector<std::string>* tokens, BuildError* error) {
  PersonFields p;
  p.family = family;
  p.given = given;
  p.birth_yyyymmdd = birth_yyyymmdd;
  p.sex_code = sex_code;
  return ComputeLinkTokens(linkage_key, p, kNameRulesVersion, tokens, error);
}

bool BuildCase(const SourceRecord& row, const std::string& site_id, const std::string& case_id,
               const SiteKeys& keys, const FileContext& file, BuiltCase* out, BuildError* e) {
  out->person = PersonFields();
  out->held.clear();
  out->normalised.clear();
  // Limits first: a row that can never be sent is refused before any work.
  // The list limits come before the row's bytes: they name the field to fix.
  if (row.alterations.size() > kMaxAlterationsPerRow)
    return Fail(e, "alterations", std::to_string(row.alterations.size()) + " items, at most " +
                                      std::to_string(kMaxAlterationsPerRow) + " per case", "size");
  if (row.treatments.size() > kMaxTreatmentsPerCase)
    return Fail(e, "treatments", std::to_string(row.treatments.size()) + " items, at most " +
                                     std::to_string(kMaxTreatmentsPerCase) + " per case", "size");
  if (row.raw.size() > kMaxRowBytes)
    return Fail(e, "row", std::to_string(row.raw.size()) + " bytes, at most " + std::to_string(kMaxRowBytes) +
                              " per row", "size");
  // Protobuf strings must be UTF-8: a bad byte would make the record
  // unreadable downstream, so it is refused here, naming the field.
  for (const auto& [name, value] : row.fields) {
    if (!IsValidUtf8(value)) return Fail(e, name, "not valid UTF-8", "encoding");
  }
  for (size_t i = 0; i < row.alterations.size(); ++i) {
    const auto& a = row.alterations[i];
    if (!IsValidUtf8(a.gene) || !IsValidUtf8(a.kind) || !IsValidUtf8(a.change) || !IsValidUtf8(a.vaf))
      return Fail(e, "alterations[" + std::to_string(i + 1) + "]", "not valid UTF-8", "encoding");
  }
  for (size_t i = 0; i < row.treatments.size(); ++i) {
    const auto& t = row.treatments[i];
    for (const std::string* v : {&t.line, &t.drugs, &t.start, &t.end, &t.response, &t.trial}) {
      if (!IsValidUtf8(*v)) return Fail(e, "treatments[" + std::to_string(i + 1) + "]", "not valid UTF-8", "encoding");
    }
  }
  for (const char* f : {"record_number", "family_name", "given_name", "birth_date", "sex", "registration_date",
                        "oncotree_code", "vital_status"}) {
    if (row.Get(f).empty()) return Fail(e, f, "required field is missing");
  }
  const std::string& rn = row.Get("record_number");
  if (auto s = CheckRecordNumber(rn); !s.ok()) return Fail(e, "record_number", std::string(s.message()), "record_number");
  int64_t birth, reg;
  std::string birth_iso, reg_iso;
  if (!Date("birth_date", row.Get("birth_date"), out, &birth, &birth_iso, e)) return false;
  if (!Date("registration_date", row.Get("registration_date"), out, &reg, &reg_iso, e)) return false;
  if (birth > reg) return Fail(e, "birth_date", "after registration", "date");

  v1::Case& c = out->record;
  c.Clear();
  c.set_case_id(case_id);
  c.set_site_id(site_id);
  c.set_consent(v1::CONSENT_ACTIVE);

  const std::string sex = Enum(row, "sex", out);
  if (sex == "M") c.set_sex(v1::SEX_MALE);
  else if (sex == "F") c.set_sex(v1::SEX_FEMALE);
  else if (sex == "O") c.set_sex(v1::SEX_OTHER);
  else if (sex == "U") c.set_sex(v1::SEX_UNKNOWN);
  else return Fail(e, "sex", Quote(row.Get("sex")) + ": must be M, F, O or U");

  const std::string birth_compact = birth_iso.substr(0, 4) + birth_iso.substr(5, 2) + birth_iso.substr(8, 2);
  PersonFields person;
  person.family = row.Get("family_name");
  person.given = row.Get("given_name");
  person.family_kana = row.Get("family_name_kana");
  person.given_kana = row.Get("given_name_kana");
  person.birth_yyyymmdd = birth_compact;
  person.sex_code = sex;
  std::vector<std::string> tokens;
  if (!ComputeLinkTokens(keys.linkage_key, person, kNameRulesVersion, &tokens, e)) return false;
  for (auto& t : tokens) c.add_link_tokens(std::move(t));
  // Kept for the importer's identity check against a case stored under
  // older name rules (computed only then: it costs a second normalisation).
  out->person = std::move(person);

  c.set_registration_month(reg_iso.substr(0, 7));
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
    if (!Date("diagnosis_date", row.Get("diagnosis_date"), out, &dd, nullptr, e)) return false;
    c.set_diagnosis_year(static_cast<int32_t>((absl::CivilDay(1970, 1, 1) + dd).year()));
  }

  const std::string& ecog = row.Get("ecog");
  if (ecog.empty()) {
    c.set_ecog(-1);
  } else {
    int64_t v;
    if (!ParseInt(FoldCode(ecog), &v) || v < 0 || v > 4) return Fail(e, "ecog", Quote(ecog) + ": must be an integer 0..4");
    c.set_ecog(static_cast<int32_t>(v));
  }
  const std::string vs = Enum(row, "vital_status", out);
  if (vs == "ALIVE") c.set_vital_status(v1::VITAL_STATUS_ALIVE);
  else if (vs == "DEAD") c.set_vital_status(v1::VITAL_STATUS_DEAD);
  else if (vs == "UNKNOWN") c.set_vital_status(v1::VITAL_STATUS_UNKNOWN);
  else return Fail(e, "vital_status", Quote(row.Get("vital_status")) + ": must be alive, dead or unknown");

  std::optional<int32_t> off;
  if (!Offset("last_contact_date", row.Get("last_contact_date"), reg, out, &off, e)) return false;
  if (off) c.set_last_contact_day(*off);
  if (!Offset("death_date", row.Get("death_date"), reg, out, &off, e)) return false;
  if (off) {
    if (c.vital_status() != v1::VITAL_STATUS_DEAD) return Fail(e, "death_date", "given but vital_status is not dead");
    if (*off < c.last_contact_day()) return Fail(e, "death_date", "before last_contact_date", "date");
    c.set_has_death_day(true);
    c.set_death_day(*off);
  }

  auto onco = ResolveOncoTreeCode(row.Get("oncotree_code"));
  if (!onco.ok()) return Fail(e, "oncotree_code", std::string(onco.status().message()), "oncotree");
  if (onco->rewritten) ++out->normalised["oncotree"];
  c.set_oncotree_code(std::string(onco->entry->code));
  c.set_oncotree_version(std::string(kOncoTreeVersion));
  c.set_cancer_class(onco->entry->cancer_class);
  c.set_tissue(std::string(onco->entry->tissue));

  const std::string ext = Enum(row, "extent", out);
  if (ext.empty() || ext == "UNKNOWN") c.set_extent(v1::EXTENT_UNKNOWN);
  else if (ext == "LOCALLY_ADVANCED") c.set_extent(v1::EXTENT_LOCALLY_ADVANCED);
  else if (ext == "METASTATIC") c.set_extent(v1::EXTENT_METASTATIC);
  else if (ext == "RECURRENT") c.set_extent(v1::EXTENT_RECURRENT);
  else if (ext == "NOT_APPLICABLE") c.set_extent(v1::EXTENT_NOT_APPLICABLE);
  else return Fail(e, "extent", Quote(row.Get("extent")) + ": must be locally_advanced, metastatic, recurrent, "
                                                            "not_applicable or unknown");

  const std::string assay = Enum(row, "assay", out);
  if (assay.empty()) {
    if (!row.alterations.empty()) return Fail(e, "alterations", "given without an assay");
  } else {
    bool assay_ok = assay.size() <= 32;
    for (char ch : assay) assay_ok = assay_ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.');
    if (!assay_ok) return Fail(e, "assay", Quote(row.Get("assay")) + ": assay code: up to 32 letters, digits, '-' and '.'");
    v1::GenomicTest* t = c.add_tests();
    t->set_assay(assay);
    t->set_genome_build("GRCh38");
    const std::string sp = Enum(row, "specimen", out);
    if (sp == "PRIMARY") t->set_specimen(v1::SPECIMEN_PRIMARY);
    else if (sp == "METASTASIS") t->set_specimen(v1::SPECIMEN_METASTASIS);
    else if (sp == "CFDNA") t->set_specimen(v1::SPECIMEN_CFDNA);
    else if (sp == "HEME") t->set_specimen(v1::SPECIMEN_HEME);
    else return Fail(e, "specimen", Quote(row.Get("specimen")) + ": must be primary, metastasis, cfdna or heme");
    if (!Offset("report_date", row.Get("report_date"), reg, out, &off, e)) return false;
    if (!off) return Fail(e, "report_date", "required with an assay");
    t->set_report_day(*off);
    const std::string& tmb = row.Get("tmb");
    if (tmb.empty()) {
      t->set_tmb(-1);
    } else {
      auto v = ParseTmb(tmb);
      if (!v.ok()) return Fail(e, "tmb", std::string(v.status().message()), "tmb");
      if (FoldCode(tmb) != tmb || tmb.find_first_not_of("0123456789.") != std::string::npos) ++out->normalised["tmb"];
      t->set_tmb(*v);
    }
    const std::string msi = Enum(row, "msi", out);
    if (msi.empty() || msi == "NOT_TESTED") t->set_msi(v1::MSI_NOT_TESTED);
    else if (msi == "MSI-H") t->set_msi(v1::MSI_HIGH);
    else if (msi == "MSS") t->set_msi(v1::MSI_STABLE);
    else if (msi == "INDETERMINATE") t->set_msi(v1::MSI_INDETERMINATE);
    else return Fail(e, "msi", Quote(row.Get("msi")) + ": must be MSI-H, MSS, indeterminate or not_tested");
    const absl::StatusOr<VafUnit> unit =
        file.vaf_units != nullptr ? file.vaf_units->UnitFor(assay) : absl::StatusOr<VafUnit>(VafUnit::kFraction);
    for (size_t i = 0; i < row.alterations.size(); ++i) {
      v1::Alteration a;
      AlterationError ae;
      if (BuildAlteration(row.alterations[i], i + 1, unit, &a, &out->normalised, &ae)) {
        *t->add_alterations() = std::move(a);
      } else {
        BuildError held;
        held.field = ae.field;
        held.reason = ae.reason;
        held.kind = ae.kind;
        out->held.push_back(std::move(held));
      }
    }
    if (!row.alterations.empty()) c.set_gene_table_version(std::string(GeneTableVersion()));
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
          return Fail(e, p + ".drugs", Quote(drug) + ": drug names are lower-case INN");
      }
      t->add_drugs(drug);
      if (pos == std::string::npos) break;
      start = pos + 1;
    }
    if (!Offset(p + ".start", st.start, reg, out, &off, e)) return false;
    if (!off) return Fail(e, p + ".start", "required");
    t->set_start_day(*off);
    if (!Offset(p + ".end", st.end, reg, out, &off, e)) return false;
    if (off) {
      if (*off < t->start_day()) return Fail(e, p + ".end", "before start", "date");
      t->set_has_end(true);
      t->set_end_day(*off);
    }
    const std::string r = FoldCode(st.response);
    if (r.empty() || r == "NA") t->set_best_response(v1::RESPONSE_NA);
    else if (r == "CR") t->set_best_response(v1::RESPONSE_CR);
    else if (r == "PR") t->set_best_response(v1::RESPONSE_PR);
    else if (r == "SD") t->set_best_response(v1::RESPONSE_SD);
    else if (r == "PD") t->set_best_response(v1::RESPONSE_PD);
    else if (r == "NE") t->set_best_response(v1::RESPONSE_NE);
    else return Fail(e, p + ".response", Quote(st.response) + ": must be CR, PR, SD, PD, NE or NA");
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

  if (auto s = CheckCaseLimits(c); !s.ok()) return Fail(e, "row", std::string(s.message()), "size");
  // The shared validator is the last word, as it will be at the centre.
  c.set_record_version(1);
  auto errs = ValidateCase(c);
  c.set_record_version(0);
  if (!errs.empty()) return Fail(e, errs[0].field, errs[0].reason);

  out->reid.set_record_number(rn);
  out->reid.set_case_id(case_id);
  out->reid.set_registration_date(reg_iso);
  out->reid.set_birth_date(birth_iso);
  return true;
}

}  // namespace fedreg::agent
