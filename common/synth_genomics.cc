// Genomic tests of synthetic cases. See synth_genomics.h.
#include "common/synth_genomics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/synth_dates.h"
#include "common/synth_spectrum.h"
#include "common/synth_data.h"

namespace fedreg::synth {
namespace {

// Tumours whose TMB is low even among non-hypermutated ones: pediatric and
// fusion-driven types (Chalmers et al. 2017, see synth_data.cc).
constexpr std::string_view kLowTmbCodes =
    "SYNS ES ASPS DSRCT CCS IFS NBL MBL LIHB JSCB HNMASC EHAE EPM";
// UV-driven hypermutation: higher TMB when high.
constexpr std::string_view kUvCodes = "MCC ANGS";

std::string Decimal(double x, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, x);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

double RateFor(double default_rate, const std::vector<RateOverride>& overrides,
               std::string_view code) {
  for (const RateOverride& o : overrides) {
    if (o.code == code) return o.rate;
  }
  return default_rate;
}

std::string DrawVaf(Rng& rng, std::string_view kind, const std::string& specimen, bool heme) {
  if (kind == "AMP" || kind == "DEL") return "";
  if (kind == "FUSION") return rng.Chance(0.7) ? "" : Decimal(rng.Uniform(0.1, 0.5), 2);
  if (rng.Chance(0.08)) return "";
  if (specimen == "cfdna") {
    return Decimal(std::min(0.6, 0.002 + rng.Exponential(0.05)), 3);
  }
  return Decimal(heme ? rng.Uniform(0.1, 0.9) : rng.Uniform(0.05, 0.6), 2);
}

// The concrete alteration of option `o` for a tumour of `code`.
AlterationRow Realize(const AlterationOption& o, std::string_view code, Rng& rng) {
  const std::string_view name = o.spectrum.empty() ? o.gene : o.spectrum;
  if (o.kind == "FUSION" && o.change.empty()) {
    if (const FusionSpectrum* f = FindFusions(name)) {
      const FusionOption& fo = DrawFusion(*f, code, rng);
      return {std::string(fo.gene), "FUSION", std::string(fo.fusion), ""};
    }
  } else if ((o.kind == "SNV" || o.kind == "INDEL") && o.change.empty()) {
    if (const GeneSpectrum* s = FindSpectrum(name)) {
      DrawnChange c = DrawChange(*s, code, rng);
      return {std::string(o.gene), std::move(c.kind), std::move(c.change), ""};
    }
  }
  return {std::string(o.gene), std::string(o.kind), std::string(o.change), ""};
}

bool HasGene(const std::vector<AlterationRow>& alterations, std::string_view gene) {
  return std::any_of(alterations.begin(), alterations.end(),
                     [&](const AlterationRow& a) { return a.gene == gene; });
}

// Draws alterations from the priors at `scale` times their rates onto `out`,
// skipping genes already there.
void DrawAlterations(Rng& rng, const CaseMixEntry& e, const std::string& specimen, double scale,
                     std::vector<AlterationRow>* out) {
  const bool cfdna = specimen == "cfdna";
  std::vector<int> groups_used;
  for (const AlterationPrior& prior : AlterationPriors()) {
    double rate = RateFor(prior.default_rate, prior.overrides, e.code) * scale;
    const AlterationOption& first = prior.options.front();
    if (cfdna && first.kind != "SNV" && first.kind != "INDEL") rate *= 0.5;
    if (rate <= 0 || !rng.Chance(rate)) continue;
    if (prior.exclusive_group != 0 &&
        std::find(groups_used.begin(), groups_used.end(), prior.exclusive_group) !=
            groups_used.end()) {
      continue;
    }
    std::vector<double> ow;
    double total = 0;
    for (const AlterationOption& o : prior.options) {
      const bool allowed = (o.only_codes.empty() || InCodeList(o.only_codes, e.code)) &&
                           !InCodeList(o.except_codes, e.code);
      ow.push_back(allowed ? o.weight : 0);
      total += ow.back();
    }
    if (total <= 0) continue;
    AlterationRow a = Realize(prior.options[rng.Weighted(ow)], e.code, rng);
    if (HasGene(*out, a.gene)) continue;
    if (prior.exclusive_group != 0) groups_used.push_back(prior.exclusive_group);
    a.vaf = DrawVaf(rng, a.kind, specimen, e.hematologic);
    out->push_back(std::move(a));
  }
}

// The frameshifts at coding repeats of an MSI-H tumour.
void DrawMsiFrameshifts(Rng& rng, const std::string& specimen, bool heme,
                        std::vector<AlterationRow>* out) {
  for (const MsiFrameshift& f : MsiFrameshifts()) {
    if (!rng.Chance(f.rate) || HasGene(*out, f.gene)) continue;
    out->push_back({std::string(f.gene), "INDEL", std::string(f.change),
                    DrawVaf(rng, "INDEL", specimen, heme)});
  }
}

double DrawTumourTmb(Rng& rng, std::string_view code, bool msi_high) {
  if (msi_high) return std::min(300.0, 10.0 + std::exp(rng.Normal(std::log(25.0), 0.6)));
  if (rng.Chance(TmbHighRate(code))) {
    return std::min(150.0, 10.0 + rng.Exponential(InCodeList(kUvCodes, code) ? 25.0 : 10.0));
  }
  const double median = InCodeList(kLowTmbCodes, code) ? 1.2 : 2.5;
  return std::min(9.9, std::exp(rng.Normal(std::log(median), 0.7)));
}

// The MSI cell: most tests report it; some leave it empty, untested or
// indeterminate.
std::string MsiText(Rng& rng, bool high) {
  const double m = rng.Uniform();
  if (m < 0.04) return "";
  if (m < 0.08) return "not_tested";
  if (m < 0.10) return "indeterminate";
  return high ? "MSI-H" : "MSS";
}

}  // namespace

TestRow DrawFirstTest(Rng& rng, const CaseMixEntry& e, int64_t report_day, Tumour* tumour) {
  TestRow t;
  std::vector<std::pair<std::string_view, double>> assays;
  if (e.hematologic) {
    assays = {{"NCC-ONCOPANEL", 0.5}, {"F1CDX", 0.5}};
  } else if (report_day < kF1cdxFromDay) {
    assays = {{"NCC-ONCOPANEL", 0.8}, {"F1CDX", 0.2}};
  } else {
    assays = {{"NCC-ONCOPANEL", 0.30}, {"F1CDX", 0.45}};
    if (report_day >= kF1lcdxFromDay) assays.push_back({"F1LCDX", 0.15});
    if (report_day >= kGuardantFromDay) assays.push_back({"GUARDANT360", 0.10});
  }
  std::vector<double> w;
  for (const auto& a : assays) w.push_back(a.second);
  t.assay = std::string(assays[rng.Weighted(w)].first);
  if (t.assay == "F1LCDX" || t.assay == "GUARDANT360") {
    t.specimen = "cfdna";
  } else if (e.hematologic) {
    t.specimen = "heme";
  } else {
    t.specimen = rng.Chance(0.62) ? "primary" : "metastasis";
  }
  t.report_date = FormatDate(report_day);

  DrawAlterations(rng, e, t.specimen, 1.0, &t.alterations);

  // MSI and TMB, tied to the cancer type and to each other.
  tumour->msi_high = rng.Chance(MsiHighRate(e.code));
  tumour->tmb = DrawTumourTmb(rng, e.code, tumour->msi_high);
  if (tumour->msi_high) DrawMsiFrameshifts(rng, t.specimen, e.hematologic, &t.alterations);
  t.msi = MsiText(rng, tumour->msi_high);
  if (rng.Chance(0.92)) t.tmb = Decimal(tumour->tmb, 1);
  return t;
}

TestRow DrawLaterTest(Rng& rng, const CaseMixEntry& e, const TestRow& first, const Tumour& tumour,
                      int64_t report_day, std::string_view treated_driver) {
  TestRow t;
  if (e.hematologic) {
    t.assay = rng.Chance(0.5) ? "NCC-ONCOPANEL" : "F1CDX";
    t.specimen = "heme";
  } else if (report_day >= kF1lcdxFromDay && rng.Chance(0.55)) {
    t.assay = report_day >= kGuardantFromDay && rng.Chance(0.4) ? "GUARDANT360" : "F1LCDX";
    t.specimen = "cfdna";
  } else {
    t.assay = report_day >= kF1cdxFromDay && rng.Chance(0.6) ? "F1CDX" : "NCC-ONCOPANEL";
    t.specimen = rng.Chance(0.8) ? "metastasis" : "primary";  // or a local recurrence
  }
  t.report_date = FormatDate(report_day);

  // Shared: most of the first test's alterations. A liquid biopsy misses
  // more, copy-number changes and fusions most.
  const bool cfdna = t.specimen == "cfdna";
  for (const AlterationRow& a : first.alterations) {
    const bool copy_number = a.kind == "AMP" || a.kind == "DEL";
    const double keep = !cfdna ? 0.92 : copy_number ? 0.4 : a.kind == "FUSION" ? 0.6 : 0.8;
    if (!rng.Chance(keep)) continue;
    AlterationRow again = a;
    again.vaf = DrawVaf(rng, a.kind, t.specimen, e.hematologic);
    t.alterations.push_back(std::move(again));
  }
  // New: subclonal or acquired alterations, at a quarter of the priors' rates.
  std::vector<AlterationRow> fresh = first.alterations;  // so that their genes are skipped
  const size_t first_count = fresh.size();
  DrawAlterations(rng, e, t.specimen, 0.25, &fresh);
  for (size_t i = first_count; i < fresh.size(); ++i) t.alterations.push_back(fresh[i]);
  // Acquired under a drug matched to a driver of the first test.
  if (!treated_driver.empty() && HasGene(first.alterations, treated_driver) && rng.Chance(0.6)) {
    std::vector<const AcquiredChange*> options;
    std::vector<double> weights;
    for (const AcquiredChange& c : AcquiredChanges()) {
      if (c.driver != treated_driver) continue;
      options.push_back(&c);
      weights.push_back(c.weight);
    }
    if (!options.empty()) {
      const AcquiredChange& c = *options[rng.Weighted(weights)];
      const bool present = std::any_of(
          t.alterations.begin(), t.alterations.end(),
          [&](const AlterationRow& a) { return a.gene == c.gene && a.change == c.change; });
      if (!present) {
        t.alterations.push_back({std::string(c.gene), std::string(c.kind), std::string(c.change),
                                 DrawVaf(rng, c.kind, t.specimen, e.hematologic)});
      }
    }
  }

  // A later test may find nothing (a cfDNA test below its detection
  // limit) or find something where the first found nothing: the importer
  // merges such rows into one case (IntakeTest.ARepeatWithoutAlterations...).

  t.msi = MsiText(rng, tumour.msi_high);
  if (rng.Chance(0.9)) {
    double tmb = tumour.tmb * rng.Uniform(0.8, 1.25);
    if (tumour.msi_high) tmb = std::max(tmb, 10.0);
    t.tmb = Decimal(tmb, 1);
  }
  return t;
}

bool ReportsMsiHigh(const TestRow& test) { return test.msi == "MSI-H"; }

bool ReportsTmbHigh(const TestRow& test) {
  if (test.tmb.empty()) return false;
  char* end = nullptr;
  const double v = std::strtod(test.tmb.c_str(), &end);
  return end != nullptr && *end == '\0' && v >= 10.0;
}

}  // namespace fedreg::synth
