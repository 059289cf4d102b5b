// Gene symbol lookup against the compiled-in NCBI Gene table
// (common/gene_symbols.h). Expected values are NCBI Gene's, as shipped in
// Debian 12's r-bioc-org.hs.eg.db 3.16.0 (NCBI Gene 2022-Sep12): the gene
// record's Symbol and Synonyms columns (e.g. ERBB2, Gene ID 2064, lists HER2;
// KMT2A, 4297, lists MLL; ZFTA, 65998, lists C11orf95).
#include "common/gene_symbols.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace fedreg {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kHow[] = "NCBI Gene synonym (previous symbol or alias)";

GeneMatch::Kind KindOf(std::string_view text) { return LookUpGene(text).kind; }

TEST(GeneSymbols, ApprovedSymbolIsItself) {
  GeneMatch m = LookUpGene("BRAF");
  EXPECT_EQ(m.kind, GeneMatch::Kind::kApproved);
  EXPECT_EQ(m.symbol, "BRAF");
  EXPECT_TRUE(m.candidates.empty());
  EXPECT_TRUE(m.how.empty());
  EXPECT_EQ(LookUpGene("NKX2-1").symbol, "NKX2-1");
  EXPECT_EQ(LookUpGene("HLA-A").symbol, "HLA-A");
}

TEST(GeneSymbols, CaseIsFolded) {
  EXPECT_EQ(LookUpGene("braf").symbol, "BRAF");
  EXPECT_EQ(LookUpGene("Braf").kind, GeneMatch::Kind::kApproved);
  EXPECT_EQ(LookUpGene("nkx2-1").symbol, "NKX2-1");
}

TEST(GeneSymbols, ApprovedSymbolWithLowerCaseKeepsItsOwnCase) {
  // HGNC's open-reading-frame symbols keep the lower-case "orf".
  for (const char* in : {"C19orf53", "C19ORF53", "c19orf53"}) {
    GeneMatch m = LookUpGene(in);
    EXPECT_EQ(m.kind, GeneMatch::Kind::kApproved) << in;
    EXPECT_EQ(m.symbol, "C19orf53") << in;
  }
}

TEST(GeneSymbols, FullWidthAndSurroundingSpacesAreFolded) {
  EXPECT_EQ(LookUpGene("  BRAF\t").symbol, "BRAF");
  EXPECT_EQ(LookUpGene("\xEF\xBC\xA2\xEF\xBC\xB2\xEF\xBC\xA1\xEF\xBC\xA6").symbol,
            "BRAF");  // ＢＲＡＦ
  EXPECT_EQ(LookUpGene("\xE3\x80\x80"
                       "BRAF"
                       "\xE3\x80\x80")
                .symbol,
            "BRAF");  // U+3000 around
  EXPECT_EQ(LookUpGene("\xEF\xBD\x82\xEF\xBD\x92\xEF\xBD\x81\xEF\xBD\x86").symbol,
            "BRAF");  // ｂｒａｆ
  // NFKC turns the full-width hyphen-minus U+FF0D into '-'.
  EXPECT_EQ(LookUpGene("NKX2\xEF\xBC\x8D"
                       "1")
                .symbol,
            "NKX2-1");
  // Spaces inside are not removed: "BR AF" is no symbol.
  EXPECT_EQ(KindOf("BR AF"), GeneMatch::Kind::kUnknown);
}

TEST(GeneSymbols, PreviousSymbolsAndAliasesMapToTheApprovedSymbol) {
  struct Case {
    const char* in;
    const char* out;
  };
  for (const Case& c : {Case{"HER2", "ERBB2"}, Case{"MLL", "KMT2A"}, Case{"H3F3A", "H3-3A"},
                        Case{"C11orf95", "ZFTA"}, Case{"c11orf95", "ZFTA"},
                        Case{"SEPT9", "SEPTIN9"}, Case{"MARCH1", "MARCHF1"}, Case{"p53", "TP53"},
                        Case{"AF9", "MLLT3"}, Case{"PD-L1", "CD274"}, Case{"FOXO1A", "FOXO1"}}) {
    GeneMatch m = LookUpGene(c.in);
    EXPECT_EQ(m.kind, GeneMatch::Kind::kMapped) << c.in;
    EXPECT_EQ(m.symbol, c.out) << c.in;
    EXPECT_EQ(m.how, kHow) << c.in;
  }
}

TEST(GeneSymbols, ApprovedSymbolWinsOverAnotherGenesAlias) {
  // NCBI lists TTF1 among NKX2-1's synonyms, but TTF1 is also the approved
  // symbol of transcription termination factor 1 (Gene ID 7270).
  GeneMatch m = LookUpGene("TTF1");
  EXPECT_EQ(m.kind, GeneMatch::Kind::kApproved);
  EXPECT_EQ(m.symbol, "TTF1");
  // Likewise HRX, an old name of KMT2A, is the approved symbol of another locus.
  EXPECT_EQ(LookUpGene("HRX").symbol, "HRX");
  EXPECT_EQ(LookUpGene("hrx").kind, GeneMatch::Kind::kApproved);
}

TEST(GeneSymbols, SynonymOfSeveralGenesIsAmbiguousWithItsCandidates) {
  GeneMatch m = LookUpGene("MLL2");  // a former name of both KMT2B and KMT2D
  EXPECT_EQ(m.kind, GeneMatch::Kind::kAmbiguous);
  EXPECT_TRUE(m.symbol.empty());
  EXPECT_THAT(m.candidates, ElementsAre("KMT2B", "KMT2D"));
  EXPECT_THAT(LookUpGene("pd1").candidates, ElementsAre("PDCD1", "SNCA", "SPATA2"));
  EXPECT_THAT(LookUpGene("CALM").candidates, ElementsAre("CALM2", "CALM3", "PICALM", "SNAP91"));
}

TEST(GeneSymbols, UnknownEmptyAndInvalidTextAreUnknown) {
  EXPECT_EQ(KindOf("EMLL4"), GeneMatch::Kind::kUnknown);
  EXPECT_EQ(KindOf(""), GeneMatch::Kind::kUnknown);
  EXPECT_EQ(KindOf("   "), GeneMatch::Kind::kUnknown);
  EXPECT_EQ(KindOf("BRAF\xFF"), GeneMatch::Kind::kUnknown);
  EXPECT_EQ(KindOf(std::string("BR\0AF", 5)), GeneMatch::Kind::kUnknown);
  // NCBI's interim LOC placeholders are left out of the table.
  EXPECT_EQ(KindOf("LOC100128288"), GeneMatch::Kind::kUnknown);
}

TEST(GeneSymbols, FusionPartnerWordsAreNotGeneSymbols) {
  // common/fusion.cc reads these as non-gene partners before any lookup.
  for (const char* w : {"intergenic", "intragenic", "unknown", "?", "fusion", "rearrangement"}) {
    EXPECT_EQ(KindOf(w), GeneMatch::Kind::kUnknown) << w;
  }
}

TEST(CanonicalGene, ApprovedSymbolHasNoNote) {
  std::string note = "stale";
  absl::StatusOr<std::string> g = CanonicalGene(" braf ", &note);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(*g, "BRAF");
  EXPECT_EQ(note, "");
  EXPECT_EQ(*CanonicalGene("BRAF", nullptr), "BRAF");
}

TEST(CanonicalGene, MappedSynonymSaysWhatItWasMappedFrom) {
  std::string note;
  absl::StatusOr<std::string> g = CanonicalGene("C11orf95", &note);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(*g, "ZFTA");
  EXPECT_EQ(note,
            "'C11orf95' is an NCBI Gene synonym (previous symbol or alias) of ZFTA; recorded as "
            "ZFTA");
  EXPECT_EQ(*CanonicalGene("HER2", nullptr), "ERBB2");
}

TEST(CanonicalGene, AmbiguousSynonymIsInvalidArgumentNamingTheCandidates) {
  std::string note = "stale";
  absl::StatusOr<std::string> g = CanonicalGene("MLL2", &note);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(g.status().message(),
            "'MLL2' is a synonym of 2 genes in NCBI Gene (KMT2B, KMT2D): write the approved "
            "symbol of the gene meant");
  EXPECT_EQ(note, "");
}

TEST(CanonicalGene, UnknownIsNotFoundQuotingTheValue) {
  absl::StatusOr<std::string> g = CanonicalGene("EMLL4", nullptr);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(g.status().message(),
            absl::StrCat("'EMLL4' is not a known gene symbol (gene table ",
                         std::string(GeneTableVersion()),
                         "): check the spelling or write the gene's current HGNC symbol"));
}

TEST(CanonicalGene, LocPlaceholderIsNotFoundWithTheReason) {
  absl::StatusOr<std::string> g = CanonicalGene("LOC100128288", nullptr);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(g.status().message()),
              StartsWith("'LOC100128288' is an NCBI Gene placeholder"));
  EXPECT_THAT(std::string(g.status().message()), HasSubstr("write the gene's HGNC symbol"));
}

TEST(CanonicalGene, EmptyAndInvalidUtf8AreInvalidArgument) {
  absl::StatusOr<std::string> g = CanonicalGene(" \xE3\x80\x80 ", nullptr);
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(g.status().message(), "gene symbol is empty");
  g = CanonicalGene("BR\xC3(AF", nullptr);
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(g.status().message(), "gene symbol 'BR\xEF\xBF\xBD(AF' is not valid UTF-8");
}

TEST(CanonicalGene, LongUnknownValueIsQuotedCutOnACodePoint) {
  std::string in(30, 'A');
  for (int i = 0; i < 20; ++i) in += "\xE6\xBC\xA2";  // 漢 x 20: 90 bytes in all
  absl::StatusOr<std::string> g = CanonicalGene(in, nullptr);
  ASSERT_EQ(g.status().code(), absl::StatusCode::kNotFound);
  const std::string msg(g.status().message());
  const size_t end = msg.find("...'");
  ASSERT_NE(end, std::string::npos) << msg;
  EXPECT_LE(end + 3, 1 + 64u);               // quote mark + at most 64 bytes, "..." included
  EXPECT_EQ((end - 1 - 30) % 3, 0u) << msg;  // whole code points only
}

TEST(GeneTable, VersionNamesTheSourceAndItsDate) {
  std::string_view v = GeneTableVersion();
  EXPECT_FALSE(v.empty());
  EXPECT_THAT(std::string(v), StartsWith("ncbi-gene-"));
  EXPECT_THAT(std::string(v), HasSubstr("/org.Hs.eg.db-"));
}

TEST(GeneTable, HasAPlausibleSize) {
  const GeneTableStats s = GetGeneTableStats();
  // HGNC counts about 19,200 approved protein-coding genes.
  EXPECT_GT(s.protein_coding, 19000u);
  EXPECT_LT(s.protein_coding, 21000u);
  EXPECT_GT(s.approved, 40000u);  // with ncRNA, pseudogenes and the other types
  EXPECT_GT(s.synonyms, 50000u);
  EXPECT_GT(s.ambiguous, 1000u);
  EXPECT_LT(s.ambiguous, s.synonyms / 10);
}

}  // namespace
}  // namespace fedreg
