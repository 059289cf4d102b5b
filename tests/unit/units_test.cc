// VAF cells, the per-file VAF unit decision, and TMB cells.
#include "common/units.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace fedreg {
namespace {

using ::testing::HasSubstr;

std::string VafRefusal(std::string_view cell, VafUnit unit) {
  absl::StatusOr<double> v = ParseVaf(cell, unit);
  EXPECT_FALSE(v.ok()) << cell << " was accepted as " << (v.ok() ? *v : 0);
  if (v.ok()) return "";
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(v.status().message());
}

std::string TmbRefusal(std::string_view cell) {
  absl::StatusOr<double> v = ParseTmb(cell);
  EXPECT_FALSE(v.ok()) << cell << " was accepted as " << (v.ok() ? *v : 0);
  if (v.ok()) return "";
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(v.status().message());
}

// --- ClassifyVafCell -------------------------------------------------------

TEST(ClassifyVafCell, PlainValuesUpToOneReadAsFractions) {
  for (const char* cell : {"0", "0.31", "1", "1.0", ".5", " 0.31 ", "1e-04"}) {
    absl::StatusOr<VafCell> c = ClassifyVafCell(cell);
    ASSERT_TRUE(c.ok()) << cell << ": " << c.status();
    EXPECT_EQ(c->reading, VafCell::Reading::kFraction) << cell;
    EXPECT_FALSE(c->percent_sign);
  }
  EXPECT_DOUBLE_EQ(ClassifyVafCell("0.31")->number, 0.31);
}

TEST(ClassifyVafCell, PercentSignOrAValueAboveOneReadsAsPercent) {
  absl::StatusOr<VafCell> sign = ClassifyVafCell("31%");
  ASSERT_TRUE(sign.ok());
  EXPECT_EQ(sign->reading, VafCell::Reading::kPercent);
  EXPECT_TRUE(sign->percent_sign);
  EXPECT_DOUBLE_EQ(sign->number, 31);
  EXPECT_EQ(ClassifyVafCell("0.5 %")->reading,
            VafCell::Reading::kPercent);  // small, but signed
  EXPECT_EQ(ClassifyVafCell("３１％")->reading,
            VafCell::Reading::kPercent);  // full-width
  absl::StatusOr<VafCell> large = ClassifyVafCell("12.5");
  ASSERT_TRUE(large.ok());
  EXPECT_EQ(large->reading, VafCell::Reading::kPercent);
  EXPECT_FALSE(large->percent_sign);
  EXPECT_EQ(ClassifyVafCell("100")->reading, VafCell::Reading::kPercent);
}

TEST(ClassifyVafCell, RefusesTextNegativesAndValuesAbove100) {
  for (const char* cell : {"", "NA", "high", "0.3.1", "31%%", "0,31"}) EXPECT_FALSE(ClassifyVafCell(cell).ok()) << cell;
  EXPECT_THAT(std::string(ClassifyVafCell("-0.1").status().message()), HasSubstr("is negative"));
  EXPECT_THAT(std::string(ClassifyVafCell("150").status().message()), HasSubstr("is above 100"));
  EXPECT_THAT(std::string(ClassifyVafCell("101%").status().message()), HasSubstr("is above 100 %"));
}

// --- VafUnitDecider ---------------------------------------------------------

// One export, two assays: GUARDANT360 writes percentages (with and without the
// sign), F1CDX fractions. The decision is per assay.
TEST(VafUnitDecider, DecidesPercentOrFractionPerAssayForTheWholeFile) {
  VafUnitDecider decider;
  for (const char* cell : {"12.5", "0.8", "0.35", "31%", ""}) decider.Observe("GUARDANT360", cell);
  decider.Observe("F1CDX", "0.31");
  decider.Observe("F1CDX", "0.05");

  absl::StatusOr<VafUnit> g = decider.UnitFor("GUARDANT360");
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(*g, VafUnit::kPercent);
  EXPECT_EQ(*ParseVaf("12.5", *g), 0.125);
  EXPECT_EQ(*ParseVaf("0.8", *g), 0.008);
  EXPECT_EQ(*ParseVaf("0.35", *g), 0.0035);  // 0.35 %, not 35 %
  EXPECT_EQ(*ParseVaf("31%", *g), 0.31);

  absl::StatusOr<VafUnit> f = decider.UnitFor("F1CDX");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(*f, VafUnit::kFraction);
  EXPECT_EQ(*ParseVaf("0.31", *f), 0.31);
}

TEST(VafUnitDecider, OnlySignedValuesMeanPercent) {
  VafUnitDecider decider;
  decider.Observe("GUARDANT360", "0.4%");
  decider.Observe("GUARDANT360", "12%");
  EXPECT_EQ(*decider.UnitFor("GUARDANT360"), VafUnit::kPercent);
}

TEST(VafUnitDecider, SignedValuesBesidePlainValuesUpToOneAreInDoubt) {
  VafUnitDecider decider;
  decider.Observe("X", "0.35");
  decider.Observe("X", "12.5%");
  decider.Observe("X", "0.2");
  absl::StatusOr<VafUnit> u = decider.UnitFor("X");
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(u.status().message()),
            "VAF unit in doubt for assay X in this file: 2 values 0..1 (e.g. 0.35) beside 1 with '%' (e.g. 12.5%): a "
            "plain 0.35 may be 35 % or 0.35 %. The VAFs of this assay were not stored; write all of them as fractions "
            "0..1 or all with '%', and import again");
}

// One typo above 1 among many fractions does not turn the whole column into
// percentages (maftools' max > 1 rule would make every VAF 100 times too small).
TEST(VafUnitDecider, AFewValuesAboveOneAmongFractionsAreInDoubtNotPercent) {
  VafUnitDecider decider;
  for (int i = 0; i < 30; ++i) decider.Observe("F1CDX", "0.31", 2 + i);
  decider.Observe("F1CDX", "1.7", 40);
  absl::StatusOr<VafUnit> u = decider.UnitFor("F1CDX");
  ASSERT_FALSE(u.ok());
  EXPECT_NE(std::string(u.status().message()).find("30 values 0..1 and 1 above 1 (e.g. 1.7 at line 40"),
            std::string::npos)
      << u.status();
  // A percent column of cfDNA VAFs: most below 1 %, enough above 1.
  VafUnitDecider cfdna;
  for (const char* v : {"0.8", "0.35", "0.12", "0.5", "12.5", "3.1"}) cfdna.Observe("GUARDANT360", v);
  EXPECT_EQ(*cfdna.UnitFor("GUARDANT360"), VafUnit::kPercent);
}

TEST(VafUnitDecider, IgnoresEmptyAndUnreadableCellsAndDefaultsToFraction) {
  VafUnitDecider decider;
  decider.Observe("F1CDX", "");
  decider.Observe("F1CDX", "  ");
  decider.Observe("F1CDX", "NA");
  decider.Observe("F1CDX", "250");  // unreadable: ParseVaf refuses it, it does
                                    // not make the file percent
  decider.Observe("F1CDX", "0.31");
  EXPECT_EQ(*decider.UnitFor("F1CDX"), VafUnit::kFraction);
  EXPECT_EQ(*decider.UnitFor("NEVER-SEEN"), VafUnit::kFraction);
}

// --- ParseVaf ---------------------------------------------------------------

TEST(ParseVaf, ReadsFractionsAndPercentagesExactly) {
  EXPECT_EQ(*ParseVaf("0.31", VafUnit::kFraction), 0.31);
  EXPECT_EQ(*ParseVaf(" 0.31 ", VafUnit::kFraction), 0.31);
  EXPECT_EQ(*ParseVaf("０．３１", VafUnit::kFraction), 0.31);
  EXPECT_EQ(*ParseVaf("1", VafUnit::kFraction), 1.0);
  EXPECT_EQ(*ParseVaf("0", VafUnit::kFraction), 0.0);
  EXPECT_EQ(*ParseVaf("1e-04", VafUnit::kFraction), 0.0001);
  EXPECT_EQ(*ParseVaf("31%", VafUnit::kFraction), 0.31);  // a '%' is explicit
  EXPECT_EQ(*ParseVaf("３１％", VafUnit::kPercent), 0.31);
  EXPECT_EQ(*ParseVaf("100", VafUnit::kPercent), 1.0);
  EXPECT_EQ(*ParseVaf("0.1", VafUnit::kPercent), 0.001);
}

TEST(ParseVaf, RefusesAPercentageWhereFractionsAreExpected) {
  EXPECT_EQ(
      VafRefusal("12.5", VafUnit::kFraction),
      "VAF '12.5' is above 1 and looks like a percentage, but this file's VAFs are fractions 0..1: write 0.125 (or 12.5%)");
}

TEST(ParseVaf, RefusesTextNegativesAndMoreThan100Percent) {
  EXPECT_THAT(VafRefusal("150%", VafUnit::kPercent), HasSubstr("is above 100 %"));
  EXPECT_THAT(VafRefusal("150", VafUnit::kPercent), HasSubstr("is above 100"));
  EXPECT_THAT(VafRefusal("-0.2", VafUnit::kFraction), HasSubstr("'-0.2' is negative"));
  EXPECT_THAT(VafRefusal("-5%", VafUnit::kPercent), HasSubstr("is negative"));
  EXPECT_THAT(VafRefusal("NA", VafUnit::kFraction), HasSubstr("'NA' is not a number"));
  EXPECT_THAT(VafRefusal("high", VafUnit::kPercent), HasSubstr("is not a number"));
  EXPECT_THAT(VafRefusal("", VafUnit::kFraction), HasSubstr("empty VAF"));
  EXPECT_THAT(VafRefusal(" 0.3x ", VafUnit::kFraction), HasSubstr("'\xE2\x90\xA3"
                                                                  "0.3x\xE2\x90\xA3' is not a number"));
  EXPECT_THAT(VafRefusal("0.3\xFF", VafUnit::kFraction), HasSubstr("not valid UTF-8"));
}

// --- ParseTmb ---------------------------------------------------------------

TEST(ParseTmb, ReadsNumbersWithOrWithoutTheUnit) {
  const struct {
    const char* cell;
    double value;
  } cases[] = {
      {"12", 12},
      {"12.5", 12.5},
      {"12 mut/Mb", 12},
      {"12 mutations/Mb", 12},
      {"12mut/Mb", 12},
      {"12 Muts/Mb", 12},
      {"12 mut/MB", 12},
      {"12 /Mb", 12},
      {"12.5 mut / Mb", 12.5},
      {"12 mutations per megabase", 12},
      {"１２．５", 12.5},
      {"１２ mut/Mb", 12},
      {" 12.5 ", 12.5},
      {"\xE3\x80\x80"
       "4.2\xE3\x80\x80",
       4.2},
      {"0", 0},
      {"10000", 10000},
  };
  for (const auto& c : cases) {
    absl::StatusOr<double> v = ParseTmb(c.cell);
    ASSERT_TRUE(v.ok()) << c.cell << ": " << v.status();
    EXPECT_EQ(*v, c.value) << c.cell;
  }
}

TEST(ParseTmb, RefusesACategoryInPlaceOfTheValue) {
  EXPECT_EQ(
      TmbRefusal("TMB-H"),
      "TMB must be a number of mutations per megabase (e.g. 12.5); 'TMB-H' is a category: give the measured value");
  for (const char* cell : {"high", "TMB-L", "TMB-High", "tmb-low", "Low", "H", "TMB high"})
    EXPECT_THAT(TmbRefusal(cell), HasSubstr("is a category: give the measured value")) << cell;
}

TEST(ParseTmb, RefusesOtherUnitsBoundsNegativesAndImplausibleValues) {
  for (const char* cell : {"12 mut/exome", "12 mutations", "12%", "12 mut/kb", "12 Mb"})
    EXPECT_THAT(TmbRefusal(cell), HasSubstr("unit is not mut/Mb")) << cell;
  EXPECT_THAT(TmbRefusal("<1"), HasSubstr("is a bound, not a measured value"));
  EXPECT_THAT(TmbRefusal("≥10"), HasSubstr("is a bound"));
  EXPECT_THAT(TmbRefusal("-3"), HasSubstr("'-3' is negative"));
  EXPECT_THAT(TmbRefusal("10000.5"), HasSubstr("is above 10000 mut/Mb"));
  EXPECT_THAT(TmbRefusal("25000"), HasSubstr("not a plausible TMB"));
  EXPECT_THAT(TmbRefusal(""), HasSubstr("empty TMB"));
  EXPECT_THAT(TmbRefusal("unknown"), HasSubstr("'unknown' is not a number of mutations per megabase"));
  EXPECT_THAT(TmbRefusal("1e3"), HasSubstr("unit is not mut/Mb"));
}

}  // namespace
}  // namespace fedreg
