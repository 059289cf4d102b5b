// Synthetic patients and their clinical rows. See synth_case.h.
#include "common/synth_case.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/synth_data.h"
#include "common/synth_genomics.h"

namespace fedreg::synth {
namespace {

// The share of tested cases whose tumour is tested again later (a
// metastasis or a liquid biopsy at progression), when there is time for it;
// about 10% of all cases. A few of those are tested a third time.
constexpr double kLaterTestRate = 0.14;
constexpr double kThirdTestRate = 0.15;

int DrawAge(Rng& rng, const CaseMixEntry& e, bool pediatric_site) {
  double mean = e.age_mean;
  double sd = e.age_sd;
  int hi = 89;
  if (pediatric_site) {
    hi = 29;
    if (mean >= 25) {
      mean = 14;
      sd = 6;
    }
  }
  const double drawn = rng.Normal(mean, sd);
  int age = static_cast<int>(std::clamp(std::lround(drawn), 1L, static_cast<long>(hi)));
  if (!pediatric_site && e.age_mean >= 50 && rng.Chance(0.006)) {
    age = static_cast<int>(rng.Int(90, 97));
  }
  return age;
}

int64_t DrawBirthDay(Rng& rng, int age, int64_t reg_day) {
  const Civil reg = CivilFromDays(reg_day);
  const int m = static_cast<int>(rng.Int(1, 12));
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int d = static_cast<int>(rng.Int(1, kDays[m - 1]));
  const bool birthday_passed = m < reg.m || (m == reg.m && d <= reg.d);
  const int y = reg.y - age - (birthday_passed ? 0 : 1);
  return DaysFromCivil(y, m, d);
}

char DrawSex(Rng& rng, std::string_view code) {
  if (code == "JSCB") return rng.Chance(0.9) ? 'F' : 'M';
  const double r = rng.Uniform();
  if (r < 0.505) return 'M';
  if (r < 0.99) return 'F';
  if (r < 0.993) return 'O';
  return 'U';
}

int64_t SiteFirstDay(const SiteProfile& site) {
  return std::max(kFirstRegistrationDay, DaysFromCivil(site.first_year, site.first_month, 1));
}

int64_t DrawRegistrationDay(Rng& rng, const SiteProfile& site) {
  const int64_t first = SiteFirstDay(site);
  const double u = std::pow(rng.Uniform(), 0.7);  // the registry grows over time
  return first + static_cast<int64_t>(u * static_cast<double>(kLastRegistrationDay - first + 1));
}

// Days from registration to death: exponential, with a mean by how
// aggressive the cancer type is (patients come to comprehensive genomic
// profiling with advanced disease) and halved for a poor performance status.
int64_t DrawSurvivalDays(Rng& rng, std::string_view code, int ecog) {
  static constexpr std::string_view kIndolent =
      "GIST PANET CHDM THYM WM HCL EHAE ASPS PECOMA ACYC LCH ECD SM MUCC";
  static constexpr std::string_view kAggressive =
      "ANGS THAP GBC PLMESO CUPNOS AML BPDCN EHCH IHCH DSRCT GB MCC";
  double mean = InCodeList(kIndolent, code) ? 4000 : InCodeList(kAggressive, code) ? 750 : 1500;
  if (ecog >= 2) mean *= 0.5;
  return 1 + std::llround(rng.Exponential(mean));  // at least a day after registration
}

std::string DrawResponse(Rng& rng, bool matched, int line) {
  static const auto* matched_w = new std::vector<double>{5, 45, 30, 15, 5};
  static const auto* first_w = new std::vector<double>{3, 22, 40, 28, 7};
  static const auto* later_w = new std::vector<double>{1, 12, 37, 42, 8};
  static const char* const kNames[] = {"CR", "PR", "SD", "PD", "NE"};
  return kNames[rng.Weighted(matched ? *matched_w : line == 1 ? *first_w : *later_w)];
}

const TherapyCategory& CategoryFor(std::string_view code) {
  for (const TherapyCategory& c : TherapyCategories()) {
    if (c.codes.empty() || InCodeList(c.codes, code)) return c;
  }
  return TherapyCategories().back();
}

// The matched therapy a treated case receives, or nullptr.
const MatchedTherapy* DrawMatchedTherapy(Rng& rng, std::string_view code, const TestRow* test) {
  const bool msi_high = test != nullptr && ReportsMsiHigh(*test);
  const bool tmb_high = test != nullptr && ReportsTmbHigh(*test);
  for (const MatchedTherapy& mt : MatchedTherapies()) {
    if (!mt.codes.empty() && !InCodeList(mt.codes, code)) continue;
    bool eligible = mt.gene.empty();
    if (mt.gene == "MSI-H") eligible = msi_high;
    if (mt.gene == "TMB-H") eligible = tmb_high;
    if (test != nullptr) {
      for (const AlterationRow& a : test->alterations) {
        if (a.gene == mt.gene && (mt.change_contains.empty() ||
                                  a.change.find(mt.change_contains) != std::string::npos)) {
          eligible = true;
        }
      }
    }
    if (eligible && rng.Chance(mt.use_rate)) return &mt;
  }
  return nullptr;
}

// Lines of systemic therapy from `start` until `limit` (the last contact).
// Returns the day the matched line started (kNoDay when none was given).
int64_t DrawTreatments(Rng& rng, std::string_view code, const MatchedTherapy* matched,
                       int64_t start, int64_t limit, bool dead, Row* row) {
  const TherapyCategory& category = CategoryFor(code);
  static const auto* lines_w = new std::vector<double>{40, 30, 18, 12};
  const int planned = static_cast<int>(rng.Weighted(*lines_w)) + 1;
  const int matched_line = matched == nullptr                  ? 0
                           : planned == 1 || rng.Chance(0.35) ? 1
                                                               : static_cast<int>(rng.Int(2, planned));
  int64_t matched_start = kNoDay;
  std::vector<std::string> given;  // regimens so far; not repeated
  for (int line = 1; line <= planned && start <= limit; ++line) {
    TreatmentRow t;
    t.line = std::to_string(line);
    const bool is_matched = line == matched_line;
    if (is_matched) {
      t.drugs = std::string(matched->drugs);
      matched_start = start;
      if (!matched->trial_id.empty() && start >= kTrialsFromDay && rng.Chance(matched->trial_rate)) {
        t.trial = std::string(matched->trial_id);
      }
    } else if (line == 1) {
      t.drugs = std::string(rng.Pick(category.first_line));
    } else {
      std::vector<std::string_view> options;
      for (std::string_view r : category.later_lines) {
        if (std::find(given.begin(), given.end(), r) == given.end()) options.push_back(r);
      }
      if (options.empty()) break;  // nothing left to try: supportive care
      t.drugs = std::string(category.in_order ? options.front() : rng.Pick(options));
    }
    given.push_back(t.drugs);
    t.start = FormatDate(start);
    const int64_t duration = std::min<int64_t>(
        1200, std::llround(is_matched ? 60 + rng.Exponential(300) : 30 + rng.Exponential(150)));
    const int64_t end = start + duration;
    if (end > limit) {
      if (dead) {
        t.end = FormatDate(limit);
        t.response = DrawResponse(rng, is_matched, line);
      } else {
        // Still on treatment at last contact.
        t.response = limit - start < 56 ? "NA" : DrawResponse(rng, is_matched, line);
      }
      row->treatments.push_back(std::move(t));
      break;
    }
    t.end = FormatDate(end);
    t.response = DrawResponse(rng, is_matched, line);
    row->treatments.push_back(std::move(t));
    start = end + rng.Int(7, 45);
  }
  return matched_start;
}

}  // namespace

Person NewPerson(Rng& rng, int site, const std::vector<double>& code_weights) {
  const SiteProfile& profile = SiteProfiles()[site];
  Person p;
  p.site = site;
  p.code = static_cast<int>(rng.Weighted(code_weights));
  const CaseMixEntry& e = CaseMix()[p.code];
  p.reg_day = DrawRegistrationDay(rng, profile);
  const int age = DrawAge(rng, e, profile.pediatric);
  p.birth_day = DrawBirthDay(rng, age, p.reg_day);
  p.sex = DrawSex(rng, e.code);
  p.name = DrawName(rng, CivilFromDays(p.birth_day).y, p.sex);
  if (!rng.Chance(0.05)) {
    int64_t lag = rng.Chance(0.7) ? rng.Int(0, 180) : rng.Int(180, 1500);
    if (rng.Chance(0.1)) lag = rng.Int(1000, 3500);  // recurrence years later
    p.diag_day = std::max(p.reg_day - lag, p.birth_day + 1);
  }
  static const auto* ecog_w = new std::vector<double>{35, 40, 12, 4, 1, 8};  // the last: unknown
  const size_t ecog = rng.Weighted(*ecog_w);
  p.ecog = ecog < 5 ? static_cast<int>(ecog) : -1;
  const int64_t death = p.reg_day + DrawSurvivalDays(rng, e.code, p.ecog);
  p.death_day = death <= kExportDay ? death : kNoDay;
  return p;
}

bool SecondRegistrationWindow(const Person& p, int site, int64_t* lo, int64_t* hi) {
  *lo = std::max({SiteFirstDay(SiteProfiles()[site]), p.birth_day + 366,
                  p.diag_day == kNoDay ? p.birth_day : p.diag_day});
  *hi = p.death_day == kNoDay ? kLastRegistrationDay
                              : std::min(kLastRegistrationDay, p.death_day - 1);
  return *lo <= *hi;
}

Row MakeRow(Rng& rng, const Person& p, RowOptions options) {
  const CaseMixEntry& e = CaseMix()[p.code];
  const std::string_view code = e.code;
  const int64_t reg_day = options.reg_day;
  Row row;
  row.reg_day = reg_day;
  row.family_name = std::move(options.family_name);
  row.given_name = std::move(options.given_name);
  row.birth_date = FormatDate(p.birth_day);
  row.sex = std::string(1, p.sex);
  row.registration_date = FormatDate(reg_day);
  if (p.diag_day != kNoDay) row.diagnosis_date = FormatDate(std::min(p.diag_day, reg_day));
  row.oncotree_code = std::string(code);

  // Extent and performance status.
  if (e.hematologic) {
    const double r = rng.Uniform();
    row.extent = r < 0.8 ? "not_applicable" : r < 0.9 ? "unknown" : "";
  } else {
    static const auto* extent_w = new std::vector<double>{20, 50, 20, 5, 5};
    static const char* const kExtent[] = {"locally_advanced", "metastatic", "recurrent",
                                          "unknown", ""};
    row.extent = kExtent[rng.Weighted(*extent_w)];
  }
  if (p.ecog >= 0) row.ecog = std::to_string(p.ecog);

  // Follow-up. The first hospital knows of a death; a second one may not,
  // and then last saw the patient alive.
  int64_t last_contact = reg_day;
  const bool dead = p.death_day != kNoDay && p.death_day > reg_day &&
                    (options.first_registration || rng.Chance(0.7));
  if (dead) {
    row.vital_status = "dead";
    row.death_date = FormatDate(p.death_day);
    last_contact = std::max(reg_day, p.death_day - rng.Int(0, 60));
  } else if (p.death_day != kNoDay) {
    row.vital_status = rng.Chance(0.5) ? "alive" : "unknown";
    last_contact = reg_day + rng.Int(0, std::max<int64_t>(0, p.death_day - 1 - reg_day));
  } else if (rng.Chance(0.05)) {
    row.vital_status = "unknown";  // lost to follow-up
    last_contact = rng.Int(reg_day, std::max(reg_day, kExportDay - 180));
  } else {
    row.vital_status = "alive";
    last_contact = std::max(reg_day, kExportDay - rng.Int(0, 120));
  }
  row.last_contact_date = FormatDate(last_contact);

  // The genomic test at registration, reported by the last contact.
  Tumour tumour;
  int64_t first_treatment_day = reg_day + rng.Int(7, 60);
  int64_t report_day = kNoDay;
  if (rng.Chance(e.hematologic ? 0.6 : 0.9)) {
    report_day = std::clamp(reg_day + rng.Int(10, 60), reg_day, last_contact);
    row.tests.push_back(DrawFirstTest(rng, e, report_day, &tumour));
    first_treatment_day = report_day + rng.Int(7, 45);
  }

  // Treatment lines.
  int64_t matched_start = kNoDay;
  const MatchedTherapy* matched = nullptr;
  if (rng.Chance(CategoryFor(code).treated_rate)) {
    matched = DrawMatchedTherapy(rng, code, row.tests.empty() ? nullptr : &row.tests.front());
    matched_start = DrawTreatments(rng, code, matched, first_treatment_day, last_contact,
                                   dead, &row);
  }

  // Later tests of the same tumour, at least two months apart, by the last
  // contact.
  if (options.later_tests && !row.tests.empty() && rng.Chance(kLaterTestRate)) {
    int64_t previous = report_day;
    for (int k = 0; k < 2; ++k) {
      const int64_t lo = previous + 60;
      if (lo > last_contact || (k > 0 && !rng.Chance(kThirdTestRate))) break;
      const int64_t day = lo + rng.Int(0, std::min<int64_t>(last_contact - lo, 900));
      const bool on_matched_drug = matched != nullptr && matched_start != kNoDay &&
                                   matched_start < day && !matched->gene.empty() &&
                                   matched->gene != "MSI-H" && matched->gene != "TMB-H";
      row.tests.push_back(DrawLaterTest(rng, e, row.tests.front(), tumour, day,
                                        on_matched_drug ? matched->gene : std::string_view()));
      previous = day;
    }
  }
  return row;
}

}  // namespace fedreg::synth
