// Charts fedregctl writes itself, as standalone SVG documents: pure functions
// from counts to a string, no I/O, no RPC, no dependency beyond the standard
// library (and common/utf8 for safe text). Callers write the string to a file.
//
// Every document is UTF-8, well-formed XML (all text and attribute values
// escaped, invalid UTF-8 replaced by U+FFFD, control characters dropped),
// kChartWidth x kChartHeight user units (px), font-family "sans-serif", white
// background. Units are counts of cases (registrations, alterations, trial
// matches); percentages are of a stated denominator. Axis ticks are round
// numbers (1, 2 or 5 x 10^n); labels that would collide are thinned or cut
// with "...", never drawn over each other.
//
// Each drawn number also carries machine-readable attributes, so tests and
// users can check the picture against the data (values are plain decimal
// integers unless stated):
//   RegistrationsChart  <rect class="bar" data-month="2024-03" data-series="Solid" data-count="17">
//                         one per month and series with a non-zero count (in
//                         the unstacked form one per month, data-series="Total");
//                       <path class="cumulative" data-series="Solid" data-total="812"
//                             data-cumulative="3,7,...">  one per series: the running
//                         total after each month, comma-separated;
//                       <circle class="cumulative-point" data-series="All|<name>"
//                               data-month="<last month>" data-total="N">  the end of the
//                         stack (stacked: one, "All") or of each curve (unstacked).
//   AlterationsChart    <g class="gene" data-gene="TP53" data-total="N" data-cases-altered="M">
//                       <rect class="bar" data-gene="TP53" data-kind="missense" data-count="N">
//   FunnelChart         <rect class="bar" data-stage="referred" data-count="18" data-suppressed="false">
//                         a suppressed stage has data-count="<10" (its label), never
//                         the number.
//
// Sources: the alteration colours are cBioPortal's OncoPrint palette,
// cBioPortal/cbioportal-frontend
// packages/cbioportal-frontend-commons/src/lib/AlterationColors.ts (commit
// 04261fd5; earlier in src/shared/components/oncoprint/geneticrules.ts):
// missense #008000, truncating #000000, inframe #993404, splice #e5802b,
// other mutation #cf58bc, fusion (structural variant) #8B00C9,
// amplification #ff0000, deep deletion #0000ff. Series and site colours are
// Tableau 10 (plus one dark blue for the 11th site).
//
// Thread-safe: no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fedreg::cli {

inline constexpr int kChartWidth = 960;
inline constexpr int kChartHeight = 540;

// ---- Registrations over time --------------------------------------------

// One line of the registrations chart: new registrations in each month, in
// the order of RegistrationsInput::months (months with none are 0).
struct Series {
  std::string name;  // "Solid", "Hematologic", or a hospital id ("ncch")
  std::vector<int64_t> per_month;
};

struct RegistrationsInput {
  // "YYYY-MM", consecutive, oldest first (MonthRange builds them).
  std::vector<std::string> months;
  // A series shorter than `months` counts 0 for the missing months; extra
  // values are ignored. REQUIRES: counts >= 0 (negative ones are drawn as 0).
  std::vector<Series> series;
  // true: the national figure (default series "Solid" and "Hematologic"):
  // the series' cumulative counts as stacked areas, and each month's new
  // registrations as stacked bars in a lower band.
  // false: "by site": one cumulative line per series (11 hospitals), a
  // legend ordered by total, and the lower band shows each month's total of
  // all series as grey bars (data-series="Total").
  bool stacked = true;
  std::string title;  // Default: "Cumulative registrations"
  std::string note;   // small grey footnote, e.g. "Source: fedreg national view, 2026-10-31"
};

// The registrations chart: cumulative registrations per month (upper panel,
// left axis) and new registrations per month (lower band, its own axis),
// months on a shared x axis labelled every Nth month ("2019-01", N = 1, 2, 3,
// 4, 6, 12 or a multiple of 12, aligned to January). Empty months or series
// give a chart that says "No registrations".
std::string RegistrationsChart(const RegistrationsInput& in);

// Every month from `first` to `last` inclusive, as "YYYY-MM". Empty when
// either is not a valid "YYYY-MM" (year 1..9999, month 01..12) or first > last.
std::vector<std::string> MonthRange(std::string_view first, std::string_view last);

// ---- Gene alterations -----------------------------------------------------

// The kinds a gene's bar is split into, in the order they are drawn (left to
// right) and listed in the legend.
enum class AlterationKind {
  kMissense,
  kTruncating,
  kInframe,
  kSplice,
  kOtherMutation,
  kFusion,
  kAmplification,
  kDeletion,  // deep (homozygous) deletion
};
inline constexpr AlterationKind kAlterationKinds[] = {
    AlterationKind::kMissense,      AlterationKind::kTruncating,    AlterationKind::kInframe,
    AlterationKind::kSplice,        AlterationKind::kOtherMutation, AlterationKind::kFusion,
    AlterationKind::kAmplification, AlterationKind::kDeletion,
};

// The machine name, used in data-kind: "missense", "truncating", "inframe",
// "splice", "other_mutation", "fusion", "amplification", "deletion".
std::string_view AlterationKindName(AlterationKind kind);
// The inverse of AlterationKindName; nullopt for any other text.
std::optional<AlterationKind> ParseAlterationKind(std::string_view name);
// The OncoPrint colour ("#008000" for missense; see the header comment).
std::string_view AlterationKindColor(AlterationKind kind);

struct GeneBar {
  std::string gene;  // HGNC symbol, drawn in italics
  // Count of each kind (a kind listed twice is added up; zeros are not drawn).
  std::vector<std::pair<AlterationKind, int64_t>> by_kind;
  // Distinct cases with any alteration in the gene: the rank, the label and
  // its percentage. Default (-1): the sum of by_kind (exact when no case has
  // two kinds).
  int64_t cases_altered = -1;
};

struct AlterationsInput {
  std::vector<GeneBar> genes;  // any order; ranked by cases altered, largest first
  int64_t cases = 0;           // the denominator of the percentages; 0: no percentages
  size_t top_n = 15;           // genes drawn (the rest are left out, and said so)
  std::string title;           // Default: "Most frequently altered genes"
  std::string note;
};

// Horizontal bars, one per gene (the top_n by cases altered, then by the sum
// of by_kind, then by name), each as long as the sum of by_kind, split by kind
// in kAlterationKinds order and coloured with the OncoPrint palette, and
// labelled with the cases altered and their share of `cases` ("85 (8.5%)").
// Legend: the kinds present.
std::string AlterationsChart(const AlterationsInput& in);

// ---- Trial referral funnel ------------------------------------------------

struct FunnelStage {
  std::string name;  // "matched", "contacted", "referred", "screening", "enrolled"
  int64_t count = 0;
  // Hidden by small-cell suppression (sponsor view): drawn hatched up to k
  // and labelled "<k"; `count` is never drawn or written.
  bool suppressed = false;
};

struct FunnelInput {
  std::string trial_id;             // in the title: "Referral funnel: <trial_id>"
  std::vector<FunnelStage> stages;  // in funnel order, the first is the 100% base
  int suppression_k = 10;           // the k of "<k"
  std::string note;
};

// One horizontal bar per stage, labelled with its count and its percentage
// of the first stage ("18 (45% of matched)"). No percentage is given for a
// suppressed stage, nor for any stage when the first is suppressed or 0.
std::string FunnelChart(const FunnelInput& in);

// ---- Terminal ---------------------------------------------------------------

// One of "▁▂▃▄▅▆▇█" per value, scaled from the minimum (▁) to the maximum (█);
// all values equal: "▄" each. Empty input: "".
std::string Sparkline(const std::vector<int64_t>& values);

}  // namespace fedreg::cli
