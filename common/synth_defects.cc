// Export forms and deliberate defects of synthetic rows. See synth_defects.h.
#include "common/synth_defects.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/oncotree.h"
#include "common/synth_data.h"
#include "common/synth_dates.h"

namespace fedreg::synth {
namespace {

// "p.V600E" / "p.R213*" in three-letter codes ("p.Val600Glu", "p.Arg213Ter");
// any other change is returned as it is.
std::string ThreeLetterProtein(const std::string& change) {
  // IUPAC-IUB one- to three-letter codes (HGVS "Standards: amino acids").
  static const auto* codes = new std::map<char, const char*>{
      {'A', "Ala"}, {'R', "Arg"}, {'N', "Asn"}, {'D', "Asp"}, {'C', "Cys"}, {'Q', "Gln"},
      {'E', "Glu"}, {'G', "Gly"}, {'H', "His"}, {'I', "Ile"}, {'L', "Leu"}, {'K', "Lys"},
      {'M', "Met"}, {'F', "Phe"}, {'P', "Pro"}, {'S', "Ser"}, {'T', "Thr"}, {'W', "Trp"},
      {'Y', "Tyr"}, {'V', "Val"}, {'*', "Ter"}};
  if (change.size() < 5 || change.rfind("p.", 0) != 0) return change;
  const char ref = change[2];
  const char alt = change.back();
  const std::string pos = change.substr(3, change.size() - 4);
  if (pos.empty() || pos.find_first_not_of("0123456789") != std::string::npos) return change;
  auto r = codes->find(ref);
  auto a = codes->find(alt);
  if (r == codes->end() || a == codes->end()) return change;
  return std::string("p.") + r->second + pos + a->second;
}

// True for a one-residue substitution "p.V600E" or "p.R213*".
bool IsSubstitution(const std::string& change) {
  return ThreeLetterProtein(change) != change;
}

void EnsureTest(Row& row) {
  if (!row.tests.empty()) return;
  TestRow t;
  t.assay = "F1CDX";
  t.specimen = "primary";
  t.report_date = FormatDate(row.reg_day + 21);
  row.tests.push_back(std::move(t));
}

// A date in a form the importer refuses (docs/export-format.md, "Dates"):
// impossible, day-first, a spreadsheet serial number or a time of day.
// (Slash, compact and Japanese era dates are accepted forms, not defects.)
std::string BreakDate(Rng& rng, const std::string& date) {
  const std::string y = date.substr(0, 4);
  const std::string m = date.substr(5, 2);
  const std::string d = date.substr(8, 2);
  switch (rng.Int(0, 4)) {
    case 0: return y + "-02-30";
    case 1: return y + "-13-" + d;
    case 2: return d + "/" + m + "/" + y;
    case 3: {
      // Excel's 1900 date system: days since 1899-12-30.
      const int64_t day = DaysFromCivil(std::atoi(y.c_str()), std::atoi(m.c_str()),
                                        std::atoi(d.c_str()));
      return std::to_string(day - DaysFromCivil(1899, 12, 30));
    }
    default: return date + " 14:30:00";
  }
}

}  // namespace

void ApplyExportForms(Rng& rng, int site, Row& row) {
  for (TestRow& t : row.tests) {
    const bool liquid = t.specimen == "cfdna";
    for (AlterationRow& a : t.alterations) {
      if (a.kind == "SNV" && rng.Chance(0.06)) a.change = ThreeLetterProtein(a.change);
      if (a.kind == "SNV" && rng.Chance(0.02) && IsSubstitution(a.change)) {
        a.change = "p.(" + a.change.substr(2) + ")";
      }
      if (a.gene == "ERBB2" && site % 4 == 2) a.gene = "HER2";  // the clinical name, file-wide
      if (rng.Chance(0.01)) {
        for (char& c : a.gene) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      // Liquid-biopsy reports print VAF in percent: some sites keep it so (file-wide).
      if (liquid && site % 3 == 1 && !a.vaf.empty()) {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%.4g", std::atof(a.vaf.c_str()) * 100);
        a.vaf = buf;
      }
    }
  }
  // Dates re-formatted by Excel in a Japanese locale (yyyy/m/d), file-wide at some sites.
  if (site % 5 == 3 && row.birth_date.size() == 10 && row.birth_date[4] == '-') {
    const int y = std::atoi(row.birth_date.c_str());
    const int m = std::atoi(row.birth_date.c_str() + 5);
    const int d = std::atoi(row.birth_date.c_str() + 8);
    row.birth_date = std::to_string(y) + "/" + std::to_string(m) + "/" + std::to_string(d);
  }
}

void ApplyDefect(Rng& rng, Defect defect, Row& row) {
  switch (defect) {
    case Defect::kUnknownOncoTree: {
      std::vector<std::string_view> codes;
      for (std::string_view c : UnknownOncoTreeCodes()) {
        if (FindOncoTree(c) == nullptr) codes.push_back(c);
      }
      row.oncotree_code = std::string(codes.empty() ? "XXXX" : rng.Pick(codes));
      break;
    }
    case Defect::kBadHgvs: {
      EnsureTest(row);
      static const auto* bad = new std::vector<std::string_view>{"p.V600", "p.600E", "p.V600E)"};
      row.tests.front().alterations.push_back({"BRAF", "SNV", std::string(rng.Pick(*bad)), "0.31"});
      break;
    }
    case Defect::kMissingRequired: {
      static const auto* required = new std::vector<std::string Row::*>{
          &Row::record_number, &Row::family_name,       &Row::given_name,    &Row::birth_date,
          &Row::sex,           &Row::registration_date, &Row::oncotree_code, &Row::vital_status};
      (row.*rng.Pick(*required)).clear();
      break;
    }
    case Defect::kNonNumericEcog: {
      static const auto* bad = new std::vector<std::string_view>{"PS1", "1-2", "one"};
      row.ecog = std::string(rng.Pick(*bad));
      break;
    }
    case Defect::kBadDate: {
      static const auto* dates = new std::vector<std::string Row::*>{
          &Row::birth_date, &Row::registration_date, &Row::diagnosis_date, &Row::last_contact_date};
      std::string* field = &(row.*rng.Pick(*dates));
      // Only a YYYY-MM-DD cell (a site may write birth dates as yyyy/m/d).
      if (field->size() != 10 || (*field)[4] != '-') field = &row.registration_date;
      *field = BreakDate(rng, *field);
      break;
    }
    case Defect::kDeathBeforeLastContact: {
      const int64_t last_contact = row.reg_day + rng.Int(90, 400);
      row.vital_status = "dead";
      row.last_contact_date = FormatDate(last_contact);
      row.death_date = FormatDate(last_contact - rng.Int(1, 60));
      break;
    }
    case Defect::kInvalidUtf8Name: {
      switch (rng.Int(0, 2)) {
        case 0: row.family_name = "\x8E\x52\x93\x63"; break;  // 山田 in Shift_JIS
        case 1: row.family_name = "\x8D\xB2\x93\xA1"; break;  // 佐藤 in Shift_JIS
        default:
          // A UTF-8 name cut inside its last character.
          row.given_name = std::string(GivenNames()[0].kanji);
          row.given_name.pop_back();
          break;
      }
      break;
    }
    case Defect::kTooFewColumns:
      row.truncated = true;
      break;
    case Defect::kBadSex: {
      static const auto* bad = new std::vector<std::string_view>{"male", "X", "2"};
      row.sex = std::string(rng.Pick(*bad));
      break;
    }
    case Defect::kDeathWhileAlive: {
      row.vital_status = "alive";
      const int64_t last_contact = row.reg_day + rng.Int(30, 400);
      row.last_contact_date = FormatDate(last_contact);
      row.death_date = FormatDate(last_contact + rng.Int(1, 30));
      break;
    }
    case Defect::kBadRecordNumber: {
      const std::string number = row.record_number;
      const size_t dash = number.find('-');
      switch (rng.Int(0, 2)) {
        case 0: row.record_number[dash] = ' '; break;
        case 1: row.record_number[dash] = '_'; break;
        default: row.record_number = number + "-REV-" + number + "-OLD"; break;  // > 32 chars
      }
      break;
    }
    case Defect::kEcogOutOfRange:
      row.ecog = rng.Chance(0.5) ? "5" : "9";
      break;
    case Defect::kBadVaf:
      EnsureTest(row);
      // Unreadable or impossible at any unit (a value above 1 would instead put
      // the whole file's assay column in doubt: common/units.h).
      row.tests.front().alterations.push_back(
          {"TP53", "SNV", "p.R273H", rng.Chance(0.5) ? "-0.2" : "0.3x"});
      break;
    case Defect::kBadAlterationKind:
      EnsureTest(row);
      row.tests.front().alterations.push_back(
          {"KRAS", rng.Chance(0.5) ? "MUT" : "SNP", "p.G12D", "0.22"});
      break;
    case Defect::kBadResponse:
      if (row.treatments.empty()) {
        row.treatments.push_back({"1", "doxorubicin", FormatDate(row.reg_day + 30),
                                  FormatDate(row.reg_day + 120), "", ""});
      }
      row.treatments.back().response = rng.Chance(0.5) ? "PARTIAL" : "iCR";
      break;
    case Defect::kNonNumericTmb: {
      EnsureTest(row);
      static const auto* bad = new std::vector<std::string_view>{"high", "<1", "12,5"};
      row.tests.front().tmb = std::string(rng.Pick(*bad));
      break;
    }
  }
}

}  // namespace fedreg::synth
