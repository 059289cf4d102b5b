// Fusion notation (common/fusion.h): HGNC's "5'::3'" (Bruford et al. 2021,
// Leukemia 35:3040), the older hyphen, the callers' double hyphen, and
// partners that are not genes ("?" as in the VICC Gene Fusion Specification).
// Partner symbols are NCBI Gene's (see tests/unit/gene_symbols_test.cc).
#include "common/fusion.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "common/gene_symbols.h"

namespace fedreg {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

Fusion ParseOk(std::string_view text) {
  absl::StatusOr<Fusion> f = ParseFusion(text);
  EXPECT_TRUE(f.ok()) << "'" << text << "': " << f.status();
  return f.ok() ? *std::move(f) : Fusion{};
}

absl::Status ParseError(std::string_view text) {
  absl::StatusOr<Fusion> f = ParseFusion(text);
  EXPECT_FALSE(f.ok()) << "'" << text << "' parsed as " << (f.ok() ? f->canonical : "");
  return f.status();
}

TEST(Fusion, HgncDoubleColonIsCanonical) {
  Fusion f = ParseOk("EML4::ALK");
  EXPECT_EQ(f.gene_5p, "EML4");
  EXPECT_EQ(f.gene_3p, "ALK");
  EXPECT_EQ(f.partner_kind, FusionPartnerKind::kGene);
  EXPECT_EQ(f.gene, "");
  EXPECT_EQ(f.canonical, "EML4::ALK");
  EXPECT_THAT(f.notes, IsEmpty());
  EXPECT_EQ(ParseOk("ETV6::NTRK3").canonical, "ETV6::NTRK3");
}

TEST(Fusion, OtherNotationsCaseAndSpacesGiveTheSameCanonicalForm) {
  for (const char* in : {"EML4-ALK", "EML4-ALK fusion", "EML4--ALK", "eml4::alk", " EML4 :: ALK ",
                         "EML4::ALK fusion", "Eml4-Alk Fusion", "EML4 - ALK",
                         "\xEF\xBC\xA5\xEF\xBC\xAD\xEF\xBC\xAC\xEF\xBC\x94\xEF\xBC\x9A\xEF\xBC\x9A"
                         "\xEF\xBC\xA1\xEF\xBC\xAC\xEF\xBC\xAB",  // ＥＭＬ４：：ＡＬＫ
                         "\xE3\x80\x80"
                         "EML4::ALK"
                         "\xE3\x80\x80"}) {
    Fusion f = ParseOk(in);
    EXPECT_EQ(f.canonical, "EML4::ALK") << in;
    EXPECT_EQ(f.gene_5p, "EML4") << in;
    EXPECT_EQ(f.gene_3p, "ALK") << in;
    EXPECT_THAT(f.notes, IsEmpty()) << in;
  }
  EXPECT_EQ(ParseOk("ETV6-NTRK3").canonical, "ETV6::NTRK3");
}

TEST(Fusion, PreviousSymbolsBecomeApprovedWithANote) {
  Fusion f = ParseOk("C11orf95::RELA");
  EXPECT_EQ(f.canonical, "ZFTA::RELA");
  EXPECT_EQ(f.gene_5p, "ZFTA");
  EXPECT_THAT(f.notes, ElementsAre("5' partner 'C11orf95' is an NCBI Gene synonym (previous symbol "
                                   "or alias) of ZFTA; recorded as ZFTA"));
  EXPECT_EQ(ParseOk("MLL::MLLT3").canonical, "KMT2A::MLLT3");
  Fusion g = ParseOk("MLL-AF9");
  EXPECT_EQ(g.canonical, "KMT2A::MLLT3");
  ASSERT_EQ(g.notes.size(), 2u);
  EXPECT_THAT(g.notes[0], StartsWith("5' partner 'MLL' is an NCBI Gene synonym"));
  EXPECT_THAT(g.notes[1], StartsWith("3' partner 'AF9' is an NCBI Gene synonym"));
}

TEST(Fusion, HyphenatedSymbolsAreKeptWhole) {
  EXPECT_EQ(ParseOk("NKX2-1::ALK").canonical, "NKX2-1::ALK");
  EXPECT_EQ(ParseOk("ALK::NKX2-1").canonical, "ALK::NKX2-1");
  EXPECT_EQ(ParseOk("NKX2-1--ALK").canonical, "NKX2-1::ALK");
  // One hyphen of two splits into known genes: NKX2 is no gene, NKX2-1 is.
  Fusion f = ParseOk("NKX2-1-ALK");
  EXPECT_EQ(f.canonical, "NKX2-1::ALK");
  EXPECT_EQ(f.gene_5p, "NKX2-1");
  EXPECT_THAT(f.notes, ElementsAre("read 'NKX2-1-ALK' as 'NKX2-1::ALK': the only hyphen that "
                                   "splits it into two known genes"));
  EXPECT_EQ(ParseOk("alk-nkx2-1 fusion").canonical, "ALK::NKX2-1");
  EXPECT_EQ(ParseOk("HLA-A-ROS1").canonical, "HLA-A::ROS1");
}

TEST(Fusion, HyphenThatSplitsTwoWaysIsRefusedListingTheReadings) {
  // H3-5 and HTT are genes; so are H3 (a synonym) and 5-HTT (SLC6A4's synonym).
  absl::Status s = ParseError("H3-5-HTT");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "'H3-5-HTT' can be read in 2 ways (H3::5-HTT, H3-5::HTT): write the one meant in that "
            "form");
  // The "::" form settles it.
  EXPECT_EQ(ParseOk("H3-5::HTT").canonical, "H3-5::HTT");
}

TEST(Fusion, TextThatIsItselfASymbolAndSplitsIsRefused) {
  // A1BG-AS1 is an approved symbol; A1BG and AS1 are known too.
  absl::Status s = ParseError("A1BG-AS1 fusion");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "'A1BG-AS1' can be read in 2 ways (A1BG::AS1, A1BG-AS1 rearrangement (one gene)): "
            "write the one meant in that form");
}

TEST(Fusion, IntergenicPartner) {
  for (const char* in :
       {"ALK-intergenic", "ALK::intergenic", "alk::INTERGENIC", "ALK--intergenic"}) {
    Fusion f = ParseOk(in);
    EXPECT_EQ(f.canonical, "ALK::intergenic") << in;
    EXPECT_EQ(f.partner_kind, FusionPartnerKind::kIntergenic) << in;
    EXPECT_EQ(f.gene, "ALK") << in;
    EXPECT_EQ(f.gene_5p, "ALK") << in;
    EXPECT_EQ(f.gene_3p, "") << in;
  }
  Fusion f = ParseOk("intergenic::ALK");
  EXPECT_EQ(f.canonical, "intergenic::ALK");
  EXPECT_EQ(f.gene_5p, "");
  EXPECT_EQ(f.gene_3p, "ALK");
  EXPECT_EQ(ParseOk("NKX2-1-intergenic").canonical, "NKX2-1::intergenic");
}

TEST(Fusion, IntragenicRearrangement) {
  for (const char* in : {"ALK-intragenic", "ALK::intragenic", "intragenic::ALK"}) {
    Fusion f = ParseOk(in);
    EXPECT_EQ(f.canonical, "ALK::intragenic") << in;
    EXPECT_EQ(f.partner_kind, FusionPartnerKind::kIntragenic) << in;
    EXPECT_EQ(f.gene, "ALK") << in;
    EXPECT_EQ(f.gene_5p, "") << in;
    EXPECT_EQ(f.gene_3p, "") << in;
  }
}

TEST(Fusion, UnknownPartnerOnAKnownSide) {
  for (const char* in : {"ALK::?", "ALK-?", "ALK::unknown"}) {
    Fusion f = ParseOk(in);
    EXPECT_EQ(f.canonical, "ALK::?") << in;
    EXPECT_EQ(f.partner_kind, FusionPartnerKind::kUnknown) << in;
    EXPECT_EQ(f.gene_5p, "ALK") << in;
  }
  Fusion f = ParseOk("?::ALK");
  EXPECT_EQ(f.canonical, "?::ALK");
  EXPECT_EQ(f.gene_3p, "ALK");
  EXPECT_EQ(f.gene, "ALK");
}

TEST(Fusion, OneGeneRearrangementWithPartnerAndSideUnknown) {
  for (const char* in : {"ALK rearrangement", "ALK fusion", "alk Rearrangement"}) {
    Fusion f = ParseOk(in);
    EXPECT_EQ(f.canonical, "ALK rearrangement") << in;
    EXPECT_EQ(f.partner_kind, FusionPartnerKind::kUnknown) << in;
    EXPECT_EQ(f.gene, "ALK") << in;
    EXPECT_EQ(f.gene_5p, "") << in;
    EXPECT_EQ(f.gene_3p, "") << in;
  }
  EXPECT_EQ(ParseOk("NKX2-1 rearrangement").canonical, "NKX2-1 rearrangement");
  Fusion m = ParseOk("MLL rearrangement");
  EXPECT_EQ(m.canonical, "KMT2A rearrangement");
  EXPECT_THAT(m.notes, ElementsAre(StartsWith("gene 'MLL' is an NCBI Gene synonym")));
}

TEST(Fusion, UnknownPartnerIsNotFoundNamingTheSide) {
  const std::string table = absl::StrCat("(gene table ", std::string(GeneTableVersion()), ")");
  absl::Status s = ParseError("EMLL4::ALK");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), absl::StrCat("5' partner 'EMLL4' is not a known gene symbol ", table,
                                      ": check the spelling or write the gene's current HGNC "
                                      "symbol"));
  s = ParseError("EML4::ALKK");
  EXPECT_THAT(std::string(s.message()), StartsWith("3' partner 'ALKK' is not a known gene symbol"));
  // A single hyphen with an unknown side says which side.
  s = ParseError("EMLL4-ALK");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.message()),
              StartsWith("5' partner 'EMLL4' is not a known gene symbol"));
  s = ParseError("EMLL4-ALKK");
  EXPECT_THAT(std::string(s.message()),
              StartsWith("5' partner 'EMLL4' is not a known gene symbol"));
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("; 3' partner 'ALKK' is not a known gene symbol"));
  s = ParseError("NKX2-1-ALKK");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(),
            "no hyphen in 'NKX2-1-ALKK' splits it into two known gene symbols: write the partners "
            "as 5'::3' (e.g. EML4::ALK)");
}

TEST(Fusion, AmbiguousPartnerIsRefusedWithItsCandidates) {
  absl::Status s = ParseError("MLL2::MLLT3");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "5' partner 'MLL2' is a synonym of 2 genes in NCBI Gene (KMT2B, KMT2D): write the "
            "approved symbol of the gene meant");
}

TEST(Fusion, ShapesThatAreNotATwoPartnerFusionAreRefused) {
  struct Case {
    const char* in;
    absl::StatusCode code;
    const char* message;
  };
  const Case cases[] = {
      {"", absl::StatusCode::kInvalidArgument, "fusion is empty"},
      {" \xE3\x80\x80 ", absl::StatusCode::kInvalidArgument, "fusion is empty"},
      {"ALK", absl::StatusCode::kInvalidArgument,
       "'ALK' names one gene and no partner: write 'ALK::PARTNER' (5'::3'), 'ALK::?' when the "
       "partner is not known, or 'ALK rearrangement'"},
      {"NKX2-1", absl::StatusCode::kInvalidArgument,
       "'NKX2-1' names one gene and no partner: write 'NKX2-1::PARTNER' (5'::3'), 'NKX2-1::?' "
       "when the partner is not known, or 'NKX2-1 rearrangement'"},
      {"BCR/ABL1", absl::StatusCode::kInvalidArgument,
       "fusion 'BCR/ABL1': a slash does not say which partner is 5'; write 5'::3' (HGNC "
       "notation, e.g. BCR::ABL1)"},
      {"EWSR1::FLI1::ERG", absl::StatusCode::kInvalidArgument,
       "fusion 'EWSR1::FLI1::ERG' has 3 partners; the registry records two (5'::3')"},
      {"ALK::ALK", absl::StatusCode::kInvalidArgument,
       "both partners are ALK: write 'ALK::intragenic' for a rearrangement within one gene"},
      {"intergenic::?", absl::StatusCode::kInvalidArgument,
       "'intergenic'::'?' names no gene: one partner at least must be a gene symbol"},
      {"fusion", absl::StatusCode::kInvalidArgument, "fusion 'fusion' names no gene"},
      {"intergenic fusion", absl::StatusCode::kInvalidArgument,
       "fusion 'intergenic fusion' names no gene"},
      {"::ALK", absl::StatusCode::kInvalidArgument, "5' partner is empty"},
      {"EML4--", absl::StatusCode::kInvalidArgument, "3' partner is empty"},
      {"EML4ALK", absl::StatusCode::kInvalidArgument,
       "fusion 'EML4ALK' has no partner separator: write the partners as 5'::3' (e.g. EML4::ALK)"},
      {"EML4::\xFF", absl::StatusCode::kInvalidArgument,
       "fusion 'EML4::\xEF\xBF\xBD' is not valid UTF-8"},
  };
  for (const Case& c : cases) {
    absl::Status s = ParseError(c.in);
    EXPECT_EQ(s.code(), c.code) << c.in;
    EXPECT_EQ(s.message(), c.message) << c.in;
  }
}

}  // namespace
}  // namespace fedreg
