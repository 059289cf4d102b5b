// Units of the numeric fields of a hospital export: the variant allele
// fraction (VAF) of an alteration and the tumour mutational burden (TMB).
//
// Every reader accepts what NFKC folds to the plain form (full-width digits,
// `．`, `％`) and surrounding spaces (ASCII, U+3000). Errors are
// INVALID_ARGUMENT whose message quotes the cell ('...' around Utf8Prefix of
// it, leading and trailing spaces shown by VisibleSpaces) and says what to
// write. All functions are thread-safe; VafUnitDecider is a plain value (one
// per file, used by one thread).
#pragma once

#include <functional>
#include <map>
#include <vector>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fedreg {

// ---------------------------------------------------------------------------
// VAF. Stored as a fraction 0..1 (docs/export-format.md: "VAF is 0..1").
// Exports write it either as a fraction (F1CDX: 0.31) or as a percentage
// (GUARDANT360: 12.5, 0.35, sometimes 31%), and a file rarely says which.

enum class VafUnit { kFraction, kPercent };

// One cell read on its own, before the file's unit is known.
struct VafCell {
  enum class Reading {
    kFraction,  // a plain number 0..1: a fraction, unless the file is percent
    kPercent,   // written with '%', or a plain number above 1 (up to 100)
  };
  Reading reading = Reading::kFraction;
  double number = 0;          // as written: 12.5 for "12.5" and for "12.5%"
  bool percent_sign = false;  // written with '%'
};

// Classifies one non-empty cell. Refused (INVALID_ARGUMENT): empty or text
// ("NA", "high"), negatives, above 100 (with or without '%').
absl::StatusOr<VafCell> ClassifyVafCell(std::string_view cell);

// Decides, for one file, whether each assay's VAF cells are fractions or
// percentages, from all of that assay's cells in the file. maftools reads
// VAF "as in fractions (0-1) or as in percentage (0-100)" and divides the
// whole column by 100 when its maximum is above 1 (PoisonAlien/maftools#185,
// vafCompare(): `if(max(t_vaf, na.rm = TRUE) > 1) t_vaf = t_vaf/100`). One
// typo above 1 in a column of fractions would then make every VAF 100 times
// too small, so fedreg asks for more evidence, per assay (one export mixes
// assays that report differently):
//   - cells with '%' and plain values above 1, or '%' cells only => percent;
//   - plain values only, at least 1 in 10 of them above 1         => percent
//     (so 0.35 there is 0.35 %, i.e. 0.0035);
//   - plain values 0..1 only                                      => fraction;
//   - otherwise (a few plain values above 1 among fractions, or '%' cells
//     beside plain values 0..1 and none above 1) => in doubt: UnitFor
//     refuses, naming how many of each and one value and line of each, and
//     the importer stores that assay's alterations without their VAF.
// A cell with '%' is always a percentage. Empty and unreadable cells are
// ignored here (ParseVaf refuses the unreadable ones). An assay with no
// readable cell is kFraction (there is nothing to convert).
class VafUnitDecider {
 public:
  // `line` (optional) is the cell's line in the file, for messages.
  void Observe(std::string_view assay, std::string_view cell, int64_t line = 0);

  // After all rows of the file. INVALID_ARGUMENT, e.g. "VAF unit in doubt
  // for assay F1CDX in this file: 1138 values 0..1 and 1 above 1 (1.7 at
  // line 2005): ...".
  absl::StatusOr<VafUnit> UnitFor(std::string_view assay) const;

  // The assays observed, in order.
  std::vector<std::string> Assays() const;

 private:
  struct Seen {
    std::string plain_small;  // first plain value 0..1, as written (trimmed)
    std::string plain_large;  // first plain value above 1
    std::string with_sign;    // first value with '%'
    int64_t small = 0, large = 0, signed_ = 0;
    int64_t large_line = 0, sign_line = 0;
  };
  std::map<std::string, Seen, std::less<>> seen_;  // by assay
};

// The VAF as a fraction 0..1. `unit` applies to cells without '%' (a '%'
// cell is a percentage in any case). Refused: empty, text, negatives, above
// 100 %, and under kFraction a plain value above 1, with "looks like a
// percentage" in the message. The percent-to-fraction division is exact in
// decimal ("0.35" % gives the double nearest 0.0035).
absl::StatusOr<double> ParseVaf(std::string_view cell, VafUnit unit);

// ---------------------------------------------------------------------------
// TMB, in mutations per megabase, named "mut/Mb" as cBioPortal's
// TMB_NONSYNONYMOUS sample attribute ("TMB (nonsynonymous)") and the
// assays' reports (FoundationOne "Muts/Mb"). UCUM has no unit for bases
// (and "b" is UCUM's barn), so "mut/Mb" is a name, not a UCUM expression.

// Upper bound of a plausible TMB: hypermutated tumours (POLE, MMR loss, UV)
// reach a few hundred mut/Mb; 10000 leaves room and catches unit slips
// (a count per exome, per genome).
inline constexpr double kMaxTmb = 10000;

// Reads "12", "12.5", "12 mut/Mb", "12 mutations/Mb", "12mut/Mb",
// "12 Muts/Mb", "12 mut/MB", "12 /Mb", "12 mut/megabase". Refused: a
// category instead of a value ("TMB-H", "high", "TMB-L": "TMB must be a
// number of mutations per megabase (e.g. 12.5); 'TMB-H' is a category: give
// the measured value"), a bound ("<1"), another unit ("mut/exome",
// "mutations" without "/Mb", "%"), negatives, above kMaxTmb, empty, text.
absl::StatusOr<double> ParseTmb(std::string_view cell);

}  // namespace fedreg
