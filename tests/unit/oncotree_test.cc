// The OncoTree tree and its code history (common/oncotree.h), and the cell
// folding of code-like fields (common/text_fold.h).
#include "common/oncotree.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/text_fold.h"
#include "common/utf8.h"

namespace fedreg {
namespace {

using ::testing::HasSubstr;

TEST(OncoTree, HoldsTheWholeRelease) {
  EXPECT_EQ(OncoTreeTable().size(), 897u) << "every node of oncotree_2025_10_03";
  const OncoTreeEntry* lms = FindOncoTree("LMS");
  ASSERT_NE(lms, nullptr);
  EXPECT_EQ(lms->tissue, "Soft Tissue");
  EXPECT_EQ(lms->cancer_class, v1::CANCER_CLASS_SOLID);
  const OncoTreeEntry* pcm = FindOncoTree("PCM");
  ASSERT_NE(pcm, nullptr);
  EXPECT_EQ(pcm->cancer_class, v1::CANCER_CLASS_HEMATOLOGIC) << "Lymphoid tissue";
  EXPECT_EQ(FindOncoTree("AML")->cancer_class, v1::CANCER_CLASS_HEMATOLOGIC) << "Myeloid tissue";
  for (const auto& e : OncoTreeTable()) {
    if (e.level == 1) EXPECT_EQ(e.parent, "TISSUE") << e.code;
    else EXPECT_NE(FindOncoTree(e.parent), nullptr) << e.code << " has parent " << e.parent;
  }
}

TEST(OncoTree, DescendantsFollowTheParents) {
  EXPECT_TRUE(IsOncoTreeDescendant("DDLS", "LIPO"));
  EXPECT_TRUE(IsOncoTreeDescendant("DDLS", "SOFT_TISSUE"));
  EXPECT_TRUE(IsOncoTreeDescendant("LMS", "LMS"));
  EXPECT_FALSE(IsOncoTreeDescendant("LMS", "LIPO"));
  EXPECT_FALSE(IsOncoTreeDescendant("NOSUCH", "SOFT_TISSUE"));
}

TEST(OncoTree, CurrentCodesResolveAsTheyAre) {
  auto m = ResolveOncoTreeCode("DDLS");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->entry->code, "DDLS");
  EXPECT_FALSE(m->rewritten);
}

TEST(OncoTree, PaddedLowerCaseAndFullWidthCodesAreFolded) {
  for (const char* cell : {"LMS ", " LMS", "LMS\xE3\x80\x80", "lms", "\xEF\xBC\xAC\xEF\xBC\xAD\xEF\xBC\xB3"}) {
    auto m = ResolveOncoTreeCode(cell);
    ASSERT_TRUE(m.ok()) << cell << ": " << m.status();
    EXPECT_EQ(m->entry->code, "LMS");
    EXPECT_TRUE(m->rewritten) << cell;
  }
}

TEST(OncoTree, FormerNamesOfOneNodeMapToIt) {
  auto mm = ResolveOncoTreeCode("MM");
  ASSERT_TRUE(mm.ok()) << mm.status();
  EXPECT_EQ(mm->entry->code, "PCM");
  EXPECT_THAT(mm->note, HasSubstr("former code of PCM"));
  auto ptcl = ResolveOncoTreeCode("PTCLNOS");
  ASSERT_TRUE(ptcl.ok()) << ptcl.status();
  EXPECT_EQ(ptcl->entry->code, "PTCL");
  auto cll = ResolveOncoTreeCode("CLL");  // replaced by CLLSLL
  ASSERT_TRUE(cll.ok()) << cll.status();
  EXPECT_EQ(cll->entry->code, "CLLSLL");
}

TEST(OncoTree, RetiredCodesAreRefusedNamingTheCandidates) {
  auto gbm = ResolveOncoTreeCode("GBM");
  ASSERT_FALSE(gbm.ok());
  EXPECT_THAT(gbm.status().message(), HasSubstr("retired"));
  EXPECT_THAT(gbm.status().message(), HasSubstr("GB (Glioblastoma, IDH-Wildtype)"));
  auto all = ResolveOncoTreeCode("ALL");  // revoked in favour of BLL and TLL
  ASSERT_FALSE(all.ok());
  EXPECT_THAT(all.status().message(), HasSubstr("BLL"));
  EXPECT_THAT(all.status().message(), HasSubstr("TLL"));
}

TEST(OncoTree, ADiagnosisNameIsRefusedAsANameWithValidUtf8) {
  auto m = ResolveOncoTreeCode("脱分化型脂肪肉腫");
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("looks like a diagnosis name"));
  EXPECT_TRUE(IsValidUtf8(std::string(m.status().message())));
}

TEST(OncoTree, UnknownCodesShowTheirSpaces) {
  auto m = ResolveOncoTreeCode("LMSX ");
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("'LMSX\xE2\x90\xA3'"));
}

TEST(TextFold, TrimsAsciiAndIdeographicSpace) {
  EXPECT_EQ(TrimCell("  a b \t"), "a b");
  EXPECT_EQ(TrimCell("\xE3\x80\x80K-1\xE3\x80\x80"), "K-1");
  EXPECT_EQ(TrimCell(""), "");
  EXPECT_EQ(FoldCode(" m "), "M");
  EXPECT_EQ(FoldCode("\xEF\xBC\xAD"), "M") << "full-width M";
  EXPECT_EQ(FoldCode("Alive"), "ALIVE");
}

TEST(TextFold, VisibleSpacesMarksOnlyTheEnds) {
  EXPECT_EQ(VisibleSpaces("LMS "), "LMS\xE2\x90\xA3");
  EXPECT_EQ(VisibleSpaces(" a b"), "\xE2\x90\xA3" "a b");
  EXPECT_EQ(VisibleSpaces("LMS\xE3\x80\x80"), "LMS[U+3000]");
  EXPECT_EQ(VisibleSpaces("plain"), "plain");
}

}  // namespace
}  // namespace fedreg
