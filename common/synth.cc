// Synthetic hospital exports. See synth.h.
//
// This file lays the exports out: how many rows each site gets, which
// persons are registered at two hospitals, which rows are made malformed,
// and the files, rows ordered by registration date. The rest is one job a
// file: synth_case (a patient and their clinical row), synth_genomics (the
// genomic tests), synth_spectrum (protein changes and fusion partners),
// synth_names (patient names), synth_defects (export forms and deliberate
// defects), synth_row (CSV and NDJSON lines), synth_random (the Rng),
// synth_dates (calendar), synth_data (the compiled-in facts).
//
// Generation happens in a fixed order from one Rng, so a seed always gives
// the same bytes. Every row is rendered to its final lines as soon as it is
// made; only the lines and a little about each person are kept, so large
// runs stay small.
#include "common/synth.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/oncotree.h"
#include "common/sites.h"
#include "common/synth_case.h"
#include "common/synth_data.h"
#include "common/synth_dates.h"
#include "common/synth_defects.h"
#include "common/synth_names.h"
#include "common/synth_random.h"
#include "common/synth_row.h"
#include "common/synth_spectrum.h"

namespace fedreg::synth {
namespace {

constexpr int kMaxTotalCases = 2'000'000;

struct OutputLine {
  int64_t sort_day;
  std::string record_number;
  size_t test;  // a case's lines keep the order of its tests
  std::string text;
};

absl::Status CheckTables() {
  const auto& sites = Sites();
  const auto& profiles = SiteProfiles();
  if (sites.size() != profiles.size()) return absl::InternalError("synth: site tables differ");
  for (size_t i = 0; i < sites.size(); ++i) {
    if (sites[i].id != profiles[i].id) return absl::InternalError("synth: site tables differ");
  }
  for (const CaseMixEntry& e : CaseMix()) {
    if (FindOncoTree(e.code) == nullptr) {
      return absl::InternalError("synth: case-mix code not in the OncoTree table: " +
                                 std::string(e.code));
    }
  }
  // An option without its change draws it from a spectrum: it must exist.
  for (const AlterationPrior& prior : AlterationPriors()) {
    for (const AlterationOption& o : prior.options) {
      if (!o.change.empty() || o.kind == "AMP" || o.kind == "DEL") continue;
      const std::string_view name = o.spectrum.empty() ? o.gene : o.spectrum;
      const bool found = o.kind == "FUSION" ? FindFusions(name) != nullptr
                                            : FindSpectrum(name) != nullptr;
      if (!found) {
        return absl::InternalError("synth: no spectrum for " + std::string(name) + " " +
                                   std::string(o.kind));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SynthResult> WriteExports(const SynthOptions& options) {
  if (options.out_dir.empty()) return absl::InvalidArgumentError("synth: out_dir is empty");
  if (options.total_cases < 0 || options.total_cases > kMaxTotalCases) {
    return absl::InvalidArgumentError("synth: total_cases must be 0.." +
                                      std::to_string(kMaxTotalCases));
  }
  if (!(options.shared_person_rate >= 0 && options.shared_person_rate <= 1) ||
      !(options.malformed_rate >= 0 && options.malformed_rate <= 1)) {
    return absl::InvalidArgumentError("synth: rates must be within [0, 1]");
  }
  if (absl::Status s = CheckTables(); !s.ok()) return s;

  // The selected sites, as indices into Sites().
  const auto& all_sites = Sites();
  std::vector<int> selected;
  if (options.sites.empty()) {
    for (size_t i = 0; i < all_sites.size(); ++i) selected.push_back(static_cast<int>(i));
  } else {
    for (const std::string& id : options.sites) {
      const SiteInfo* info = FindSite(id);
      if (info == nullptr) return absl::InvalidArgumentError("synth: unknown site: " + id);
      const int index = static_cast<int>(info - all_sites.data());
      if (std::find(selected.begin(), selected.end(), index) != selected.end()) {
        return absl::InvalidArgumentError("synth: site listed twice: " + id);
      }
      selected.push_back(index);
    }
    std::sort(selected.begin(), selected.end());
  }

  Rng rng(options.seed);
  std::vector<std::vector<double>> code_weights(all_sites.size());  // per Sites() index
  for (int s : selected) {
    for (const CaseMixEntry& e : CaseMix()) {
      double w = e.weight;
      if (SiteProfiles()[s].pediatric) w *= e.age_mean < 30 ? 12 : 0.4;
      code_weights[s].push_back(w);
    }
  }

  // Rows per site: largest remainder over the site weights.
  const int64_t total = options.total_cases;
  std::vector<int64_t> counts(all_sites.size(), 0);
  {
    double weight_sum = 0;
    for (int s : selected) weight_sum += SiteProfiles()[s].weight;
    int64_t assigned = 0;
    std::vector<std::pair<double, int>> remainders;
    for (int s : selected) {
      const double exact = static_cast<double>(total) * SiteProfiles()[s].weight / weight_sum;
      counts[s] = static_cast<int64_t>(std::floor(exact));
      assigned += counts[s];
      remainders.push_back({exact - std::floor(exact), s});
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t k = 0; assigned < total; ++k, ++assigned) {
      ++counts[remainders[k % remainders.size()].second];
    }
  }

  // Slots: one per row. Some become second registrations of a person first
  // registered at another site.
  struct Slot {
    int site;
    int64_t source = -1;  // index into `persons` for a second registration
  };
  std::vector<Slot> slots;
  for (int s : selected) {
    for (int64_t k = 0; k < counts[s]; ++k) slots.push_back({s});
  }
  int64_t shared_target = 0;
  int sites_with_rows = 0;
  for (int s : selected) sites_with_rows += counts[s] > 0;
  if (sites_with_rows >= 2) {
    shared_target = std::llround(static_cast<double>(total) * options.shared_person_rate /
                                 (1.0 + options.shared_person_rate));
    shared_target = std::min(shared_target, total / 3);
  }
  std::vector<size_t> order(slots.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  rng.Shuffle(order);
  std::vector<bool> secondary(slots.size(), false);
  for (int64_t k = 0; k < shared_target; ++k) secondary[order[k]] = true;

  // First registrations. Two patients of one hospital never share name
  // reading, birth date and sex (the importer would hold the second as the
  // same person): a clash moves the birth date a day back.
  std::vector<std::unordered_set<std::string>> identities(all_sites.size());
  auto identity = [](const Person& p) {
    return NameKey(p.name) + "|" + std::to_string(p.birth_day) + "|" + p.sex;
  };
  auto new_person = [&](int site) {
    Person p = NewPerson(rng, site, code_weights[site]);
    while (!identities[site].insert(identity(p)).second) --p.birth_day;
    return p;
  };
  std::vector<Person> persons;
  std::vector<size_t> person_slot;  // slot of each person's first registration
  std::vector<int64_t> slot_person(slots.size(), -1);
  for (size_t i = 0; i < slots.size(); ++i) {
    if (secondary[i]) continue;
    slot_person[i] = static_cast<int64_t>(persons.size());
    persons.push_back(new_person(slots[i].site));
    person_slot.push_back(i);
  }

  // Sources for the second registrations: a different site, each person once;
  // a children's hospital only takes young patients; nobody after their death.
  std::vector<bool> used_as_source(persons.size(), false);
  int64_t shared_persons = 0;
  auto can_share = [&](size_t c, int site) {
    if (used_as_source[c] || persons[c].site == site) return false;
    int64_t lo = 0;
    int64_t hi = 0;
    if (!SecondRegistrationWindow(persons[c], site, &lo, &hi)) return false;
    if (identities[site].count(identity(persons[c])) > 0) return false;
    return !SiteProfiles()[site].pediatric ||
           persons[c].reg_day - persons[c].birth_day < int64_t{25} * 365;
  };
  for (size_t i = 0; i < slots.size(); ++i) {
    if (!secondary[i]) continue;
    int64_t source = -1;
    for (int attempt = 0; attempt < 64 && source < 0 && !persons.empty(); ++attempt) {
      const int64_t c = rng.Int(0, static_cast<int64_t>(persons.size()) - 1);
      if (can_share(static_cast<size_t>(c), slots[i].site)) source = c;
    }
    for (size_t c = 0; source < 0 && c < persons.size(); ++c) {
      if (can_share(c, slots[i].site)) source = static_cast<int64_t>(c);
    }
    if (source < 0) {
      // Nobody left to share: an ordinary first registration instead.
      secondary[i] = false;
      slot_person[i] = static_cast<int64_t>(persons.size());
      persons.push_back(new_person(slots[i].site));
      used_as_source.push_back(false);
      person_slot.push_back(i);
      continue;
    }
    used_as_source[source] = true;
    identities[slots[i].site].insert(identity(persons[source]));
    slots[i].source = source;
    ++shared_persons;
  }

  // Malformed rows: first registrations of persons who are not shared, so
  // that every shared person stays linkable.
  std::vector<int> defect_of(slots.size(), -1);
  int64_t malformed = 0;
  {
    std::vector<size_t> candidates;
    for (size_t p = 0; p < persons.size(); ++p) {
      if (!used_as_source[p]) candidates.push_back(person_slot[p]);
    }
    std::sort(candidates.begin(), candidates.end());
    rng.Shuffle(candidates);
    const int64_t target = std::min<int64_t>(
        std::llround(static_cast<double>(total) * options.malformed_rate),
        static_cast<int64_t>(candidates.size()));
    std::vector<int> kinds(kNumDefects);
    for (int k = 0; k < kNumDefects; ++k) kinds[k] = k;
    rng.Shuffle(kinds);
    for (int64_t k = 0; k < target; ++k) defect_of[candidates[k]] = kinds[k % kNumDefects];
    malformed = target;
  }

  // Make and render every row, in slot order. A row with several genomic
  // tests is several lines; a malformed row has one test at most.
  std::vector<std::vector<OutputLine>> lines(all_sites.size());
  std::vector<std::unordered_set<int64_t>> numbers(all_sites.size());
  int64_t later_tests = 0;
  for (size_t i = 0; i < slots.size(); ++i) {
    const int site = slots[i].site;
    const SiteProfile& profile = SiteProfiles()[site];
    RowOptions ro;
    ro.later_tests = defect_of[i] < 0;
    const Person* p = nullptr;
    if (slots[i].source >= 0) {
      p = &persons[slots[i].source];
      // Registered again, before or after the first hospital (referral).
      int64_t lo = 0;
      int64_t hi = 0;
      SecondRegistrationWindow(*p, site, &lo, &hi);  // true: checked by can_share
      ro.reg_day = std::clamp(p->reg_day + rng.Int(-300, 700), lo, hi);
      ro.first_registration = false;
      std::tie(ro.family_name, ro.given_name) = VariantNames(p->name, rng);
    } else {
      p = &persons[slot_person[i]];
      ro.reg_day = p->reg_day;
      std::tie(ro.family_name, ro.given_name) = Names(p->name);
    }
    Row row = MakeRow(rng, *p, std::move(ro));
    // Record number, unique within the site.
    const int64_t hi = std::max<int64_t>(9'999'999, std::min<int64_t>(99'999'999, counts[site] * 10));
    int64_t number = 0;
    do {
      number = rng.Int(1, hi);
    } while (!numbers[site].insert(number).second);
    char buf[48];
    std::snprintf(buf, sizeof(buf), "%s-%08lld", std::string(profile.record_prefix).c_str(),
                  static_cast<long long>(number));
    row.record_number = buf;
    const std::string sort_key = row.record_number;
    ApplyExportForms(rng, site, row);
    if (defect_of[i] >= 0) ApplyDefect(rng, static_cast<Defect>(defect_of[i]), row);

    const bool csv = site % 2 == 0;
    const size_t tests = std::max<size_t>(1, row.tests.size());
    later_tests += static_cast<int64_t>(tests) - 1;
    for (size_t t = 0; t < tests; ++t) {
      std::string text = csv ? CsvLine(row, t, profile.style, rng)
                             : NdjsonLine(row, t, profile.style, rng);
      if (!csv && profile.style.blank_lines && rng.Chance(0.01)) text += "\n";
      lines[site].push_back({row.reg_day, sort_key, t, std::move(text)});
    }
  }

  // Write the files, rows ordered by registration date.
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) {
    return absl::InternalError("synth: cannot create " + options.out_dir + ": " + ec.message());
  }
  SynthResult result;
  for (int s : selected) {
    const SiteProfile& profile = SiteProfiles()[s];
    const bool csv = s % 2 == 0;
    auto& site_lines = lines[s];
    std::sort(site_lines.begin(), site_lines.end(), [](const OutputLine& a, const OutputLine& b) {
      if (a.sort_day != b.sort_day) return a.sort_day < b.sort_day;
      if (a.record_number != b.record_number) return a.record_number < b.record_number;
      return a.test < b.test;
    });
    const std::string path = (std::filesystem::path(options.out_dir) /
                              (std::string(profile.id) + (csv ? ".csv" : ".ndjson")))
                                 .string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return absl::InternalError("synth: cannot open " + path);
    if (csv) out << CsvHeader(profile.style);
    for (const OutputLine& l : site_lines) out << l.text;
    out.close();
    if (!out) return absl::InternalError("synth: cannot write " + path);
    result.files.push_back(path);
    result.rows += static_cast<int64_t>(site_lines.size());
  }
  result.malformed = malformed;
  result.shared_persons = shared_persons;
  result.later_tests = later_tests;
  return result;
}

}  // namespace fedreg::synth
