#include "common/validate.h"

#include <gtest/gtest.h>

#include "tests/unit/test_case.h"

namespace fedreg {
namespace {

bool HasErrorOn(const v1::Case& c, const std::string& field) {
  for (const auto& e : ValidateCase(c)) {
    if (e.field == field) return true;
  }
  return false;
}

TEST(ValidateCase, AcceptsAWellFormedCase) { EXPECT_TRUE(ValidateCase(testing::ValidCase()).empty()); }

TEST(ValidateCase, RejectsUnknownOncoTreeCode) {
  auto c = testing::ValidCase();
  c.set_oncotree_code("NOTACODE");
  EXPECT_TRUE(HasErrorOn(c, "oncotree_code"));
}

TEST(ValidateCase, RejectsClassThatContradictsTissue) {
  auto c = testing::ValidCase();
  c.set_cancer_class(v1::CANCER_CLASS_HEMATOLOGIC);
  EXPECT_TRUE(HasErrorOn(c, "cancer_class"));
}

TEST(ValidateCase, RejectsCaseIdOfAnotherSite) {
  auto c = testing::ValidCase();
  c.set_case_id("kyoto-0000000001");
  EXPECT_TRUE(HasErrorOn(c, "case_id"));
  c.set_case_id("ncch-00000000a1");  // lower case is outside the charset
  EXPECT_TRUE(HasErrorOn(c, "case_id"));
}

TEST(ValidateCase, RejectsBadHgvs) {
  auto c = testing::ValidCase();
  c.mutable_tests(0)->mutable_alterations(0)->set_protein_change("V600E");
  EXPECT_TRUE(HasErrorOn(c, "tests[0].alterations[0].protein_change"));
  c.mutable_tests(0)->mutable_alterations(0)->set_protein_change("p.V600");
  EXPECT_TRUE(HasErrorOn(c, "tests[0].alterations[0].protein_change"));
}

TEST(ValidateCase, OrdersDayOffsets) {
  auto c = testing::ValidCase();
  c.set_vital_status(v1::VITAL_STATUS_DEAD);
  c.set_has_death_day(true);
  c.set_death_day(100);  // before last contact (200)
  EXPECT_TRUE(HasErrorOn(c, "death_day"));
  auto d = testing::ValidCase();
  d.mutable_treatments(0)->set_end_day(10);  // before start (30)
  EXPECT_TRUE(HasErrorOn(d, "treatments[0].end_day"));
}

TEST(ValidateCase, RequiresTreatmentLinesNumberedInOrder) {
  auto c = testing::ValidCase();
  c.mutable_treatments(0)->set_line(2);
  EXPECT_TRUE(HasErrorOn(c, "treatments[0].line"));
}

TEST(ValidateCase, RejectsOutOfRangeEnums) {
  auto c = testing::ValidCase();
  c.set_sex(static_cast<v1::Sex>(42));
  EXPECT_TRUE(HasErrorOn(c, "sex"));
  c = testing::ValidCase();
  c.set_ecog(7);
  EXPECT_TRUE(HasErrorOn(c, "ecog"));
}

TEST(Hgvs, KnowsTheShortForms) {
  for (const char* ok : {"p.V600E", "p.R273H", "p.Q61*", "p.E746_A750del", "p.V560_Y578delinsD", "p.S310fs", "p.W288Cfs*12",
                         "p.A767_V769dup", "p.N771_P772insH", "p.Q209L"})
    EXPECT_TRUE(IsHgvsProteinShort(ok)) << ok;
  for (const char* bad : {"", "V600E", "p.V600", "p.600E", "p.Val600Glu", "c.1799T>A", "p.V600E;"})
    EXPECT_FALSE(IsHgvsProteinShort(bad)) << bad;
}

TEST(Fusion, NeedsTwoGenes) {
  EXPECT_TRUE(IsFusionName("EML4::ALK"));
  EXPECT_FALSE(IsFusionName("EML4-ALK"));
  EXPECT_FALSE(IsFusionName("::ALK"));
}

}  // namespace
}  // namespace fedreg
