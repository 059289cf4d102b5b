// CanonicalizeVariant: the canonical forms documented in common/hgvs.h, with
// the expected values taken from the HGVS protein/DNA recommendation pages
// (hgvs-nomenclature.org) and cBioPortal/vcf2maf HGVSp_Short where noted.
#include "common/hgvs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/utf8.h"

namespace fedreg {
namespace {

using ::testing::HasSubstr;

CanonicalVariant Ok(std::string_view text, std::string_view gene = {}) {
  absl::StatusOr<CanonicalVariant> r = CanonicalizeVariant(text, gene);
  EXPECT_TRUE(r.ok()) << "'" << text << "' gene '" << gene << "': " << r.status();
  return r.ok() ? *r : CanonicalVariant{};
}

std::string Protein(std::string_view text, std::string_view gene = {}) { return Ok(text, gene).protein_change; }

// The refusal's message; fails the test unless it is INVALID_ARGUMENT with a
// valid UTF-8 message.
std::string Refusal(std::string_view text, std::string_view gene = {}) {
  absl::StatusOr<CanonicalVariant> r = CanonicalizeVariant(text, gene);
  EXPECT_FALSE(r.ok()) << "'" << text << "' was accepted as '" << (r.ok() ? r->text : "") << "'";
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
  std::string m(r.status().message());
  EXPECT_TRUE(IsValidUtf8(m)) << m;
  return m;
}

// ---------------------------------------------------------------- protein forms

TEST(HgvsProtein, ThreeLetterCodesBecomeOneLetter) {
  CanonicalVariant v = Ok("p.Val600Glu");
  EXPECT_EQ(v.protein_change, "p.V600E");
  EXPECT_EQ(v.text, "p.V600E");
  EXPECT_EQ(v.cls, VariantClass::kMissense);
  EXPECT_TRUE(v.rewritten);
  EXPECT_THAT(v.note, HasSubstr("three-letter"));
  // HGVS substitution page: p.Trp24Cys (missense).
  EXPECT_EQ(Protein("p.Trp24Cys"), "p.W24C");
  EXPECT_EQ(Protein("p.Sec10Pyl"), "p.U10O");  // IUPAC Sec U, Pyl O
}

TEST(HgvsProtein, TerBecomesStarAndIsNonsense) {
  CanonicalVariant v = Ok("p.Arg213Ter");
  EXPECT_EQ(v.protein_change, "p.R213*");
  EXPECT_EQ(v.cls, VariantClass::kNonsense);
  EXPECT_EQ(Protein("p.Trp24Ter"), "p.W24*");  // HGVS: p.Trp24Ter (p.Trp24*)
  EXPECT_EQ(Protein("p.Trp24*"), "p.W24*");
}

TEST(HgvsProtein, PredictedParenthesesAreRemoved) {
  CanonicalVariant v = Ok("p.(Gly12Asp)");
  EXPECT_EQ(v.protein_change, "p.G12D");
  EXPECT_THAT(v.note, HasSubstr("parentheses removed"));
  EXPECT_EQ(Protein("p.(V600E)"), "p.V600E");
  EXPECT_EQ(Protein("p.(Trp24Cys)"), "p.W24C");  // HGVS predicted-consequence example
  EXPECT_EQ(Protein("(p.V600E)"), "p.V600E");
}

TEST(HgvsProtein, XWhereTheNewResidueGoesIsAStop) {
  CanonicalVariant v = Ok("p.R213X");
  EXPECT_EQ(v.protein_change, "p.R213*");
  EXPECT_EQ(v.cls, VariantClass::kNonsense);
  EXPECT_THAT(v.note, HasSubstr("'X' read as stop"));
  EXPECT_EQ(Protein("p.Arg213X"), "p.R213*");
}

TEST(HgvsProtein, XAsTheReferenceResidueIsRefused) {
  EXPECT_EQ(Refusal("p.X213R"),
            "'p.X213R': 'X' as the reference residue is an unknown amino acid, not a stop; give the residue "
            "(e.g. p.R213*), or for a splice site write p.X213_splice");
  EXPECT_THAT(Refusal("p.Xaa600Glu"), HasSubstr("'Xaa' is not an amino-acid code"));
  EXPECT_THAT(Refusal("p.E746_X750del"), HasSubstr("unknown amino acid"));
  EXPECT_THAT(Refusal("p.N771_P772insX"), HasSubstr("'X' (unknown amino acid) in an inserted sequence"));
}

TEST(HgvsProtein, SpelledOutDeletedResiduesAreDropped) {
  CanonicalVariant v = Ok("p.E746_A750delELREA");
  EXPECT_EQ(v.protein_change, "p.E746_A750del");
  EXPECT_EQ(v.cls, VariantClass::kInframeDeletion);
  EXPECT_THAT(v.note, HasSubstr("spelled-out residues"));
  EXPECT_EQ(Protein("p.V600delV"), "p.V600del");
  EXPECT_EQ(Protein("p.Glu746_Ala750delGluLeuArgGluAla"), "p.E746_A750del");
  EXPECT_EQ(Protein("p.Lys23_Val25del"), "p.K23_V25del");  // HGVS deletion page
  EXPECT_EQ(Protein("p.Val7del"), "p.V7del");              // HGVS deletion page
  EXPECT_EQ(Protein("p.A767_V769dupASV"), "p.A767_V769dup");
}

TEST(HgvsProtein, SpelledOutResiduesMustMatchTheRange) {
  EXPECT_EQ(Refusal("p.E746_A750delELRE"),
            "'p.E746_A750delELRE': 'ELRE' does not spell E746_A750 (5 residues); write p.E746_A750del");
  EXPECT_THAT(Refusal("p.E746_A750delKLREA"), HasSubstr("does not spell E746_A750"));
  EXPECT_THAT(Refusal("p.V600delE"), HasSubstr("'E' does not spell V600 (1 residue)"));
  EXPECT_THAT(Refusal("p.E746_A750del15"), HasSubstr("a count after 'del' is not part of a protein description"));
}

TEST(HgvsProtein, FrameshiftSpellingsConvergeOnTheShortForm) {
  for (const char* s :
       {"p.P34fs", "p.P34Lfs*12", "p.Pro34LeufsTer12", "p.P34LfsX12", "p.P34fs*12", "p.Pro34fs", "p.P34fsTer12",
        "p.(Pro34LeufsTer12)", "P34Lfs*12", "p.P34Lfs*?", "p.P34fs*12?", "p.p34lfs*12"}) {
    CanonicalVariant v = Ok(s);
    EXPECT_EQ(v.protein_change, "p.P34fs") << s;
    EXPECT_EQ(v.cls, VariantClass::kFrameshift) << s;
    EXPECT_EQ(v.codon, 34) << s;
  }
  EXPECT_THAT(Ok("p.P34Lfs*12").note, HasSubstr("frameshift tail 'Lfs*12' dropped"));
  EXPECT_TRUE(Ok("p.P34fs").note.empty());
  // HGVS frameshift page: p.Arg97ProfsTer23 and its short form p.Arg97fs.
  EXPECT_EQ(Protein("p.Arg97ProfsTer23"), "p.R97fs");
  EXPECT_EQ(Protein("p.Arg97fs"), "p.R97fs");
  // cBioPortal HGVSp_Short and the NPM1 type A mutation.
  EXPECT_EQ(Protein("p.G12Cfs*7?"), "p.G12fs");
  EXPECT_EQ(Protein("p.W288Cfs*12"), "p.W288fs");
}

TEST(HgvsProtein, FrameshiftStartingWithAStopIsNonsense) {
  // HGVS substitution page: not p.Tyr4TerfsTer1 but p.Tyr4Ter.
  CanonicalVariant v = Ok("p.Tyr4TerfsTer1");
  EXPECT_EQ(v.protein_change, "p.Y4*");
  EXPECT_EQ(v.cls, VariantClass::kNonsense);
}

TEST(HgvsProtein, InsertionsDelinsAndDuplications) {
  CanonicalVariant ins = Ok("p.Asn771_Pro772insHis");
  EXPECT_EQ(ins.protein_change, "p.N771_P772insH");
  EXPECT_EQ(ins.cls, VariantClass::kInframeInsertion);
  EXPECT_EQ(Protein("p.Lys2_Gly3insGlnSerLys"), "p.K2_G3insQSK");  // HGVS insertion page
  EXPECT_EQ(Protein("p.E598_Y599insDVDFREYE"), "p.E598_Y599insDVDFREYE");
  CanonicalVariant delins = Ok("p.Glu746_Ser752delinsVal");
  EXPECT_EQ(delins.protein_change, "p.E746_S752delinsV");
  EXPECT_EQ(delins.cls, VariantClass::kInframeDelins);
  EXPECT_EQ(Protein("p.Cys28delinsTrpVal"), "p.C28delinsWV");  // HGVS delins page
  CanonicalVariant dup = Ok("p.Ala3dup");                      // HGVS duplication page
  EXPECT_EQ(dup.protein_change, "p.A3dup");
  EXPECT_EQ(dup.cls, VariantClass::kDuplication);
  EXPECT_EQ(Protein("p.A767_V769dup"), "p.A767_V769dup");
}

TEST(HgvsProtein, OneResidueDelinsIsASubstitution) {
  // HGVS delins page: one amino acid replaced by one other is a substitution.
  CanonicalVariant v = Ok("p.V600delinsE");
  EXPECT_EQ(v.protein_change, "p.V600E");
  EXPECT_EQ(v.cls, VariantClass::kMissense);
}

TEST(HgvsProtein, InsertionNeedsTwoAdjacentFlankingResidues) {
  EXPECT_EQ(Refusal("p.N771_P773insH"),
            "'p.N771_P773insH': an insertion lies between two adjacent residues, not N771_P773; "
            "write e.g. p.N771_P772insH");
  EXPECT_THAT(Refusal("p.N771insH"), HasSubstr("an insertion needs the two residues it lies between"));
  EXPECT_THAT(Refusal("p.K2_L3insX[34]"), HasSubstr("unknown amino acid"));
  EXPECT_THAT(Refusal("p.K2_L3ins(34)"), HasSubstr("length-only insertions are not supported"));
  EXPECT_THAT(Refusal("p.K2_L3ins34"), HasSubstr("length-only insertions are not supported"));
}

TEST(HgvsProtein, Extensions) {
  // HGVS extension page: p.Ter110GlnextTer17 (alternatively p.*110Glnext*17),
  // p.Ter327ArgextTer? and p.Met1ext-5 (modified from p.Met1extMet-5).
  CanonicalVariant stop = Ok("p.Ter110GlnextTer17");
  EXPECT_EQ(stop.protein_change, "p.*110Qext*17");
  EXPECT_EQ(stop.cls, VariantClass::kStopLost);
  EXPECT_EQ(stop.ref_aa, '*');
  EXPECT_EQ(stop.codon, 110);
  EXPECT_EQ(Protein("p.*110Glnext*17"), "p.*110Qext*17");
  EXPECT_EQ(Protein("p.Ter327ArgextTer?"), "p.*327Rext*?");
  EXPECT_EQ(Protein("p.*110Q"), "p.*110Q");
  CanonicalVariant start = Ok("p.Met1ext-5");
  EXPECT_EQ(start.protein_change, "p.M1ext-5");
  EXPECT_EQ(start.cls, VariantClass::kStartLost);
  EXPECT_EQ(Protein("p.Met1extMet-5"), "p.M1ext-5");
  EXPECT_THAT(Refusal("p.*110Qext"), HasSubstr("needs the new stop"));
  EXPECT_THAT(Refusal("p.V600Eext*5"), HasSubstr("only a stop"));
  EXPECT_EQ(Refusal("p.*110del"),
            "'p.*110del': the stop codon *110 is either replaced (an extension) or retained; "
            "write e.g. p.*110Qext*17 or p.*110=");
}

TEST(HgvsProtein, SynonymousForms) {
  CanonicalVariant v = Ok("p.Cys188=");  // HGVS substitution page (silent)
  EXPECT_EQ(v.protein_change, "p.C188=");
  EXPECT_EQ(v.cls, VariantClass::kSynonymous);
  // vcf2maf writes Silent as p.V600V; HGVS: p.(Leu54Leu) should not be used.
  EXPECT_EQ(Protein("p.V600V"), "p.V600=");
  EXPECT_EQ(Protein("p.="), "p.=");
  EXPECT_EQ(Protein("p.(=)"), "p.=");
  EXPECT_EQ(Protein("p.Ter110="), "p.*110=");
  EXPECT_EQ(Protein("p.*110*"), "p.*110=");
}

TEST(HgvsProtein, UnknownConsequenceAndNoProtein) {
  CanonicalVariant unknown = Ok("p.?");
  EXPECT_EQ(unknown.protein_change, "p.?");
  EXPECT_EQ(unknown.cls, VariantClass::kUnknownConsequence);
  EXPECT_FALSE(unknown.rewritten);
  EXPECT_EQ(Protein("p.(?)"), "p.?");
  CanonicalVariant none = Ok("p.0");
  EXPECT_EQ(none.cls, VariantClass::kNoProtein);
  EXPECT_EQ(Protein("p.0?"), "p.0");
  CanonicalVariant met = Ok("p.Met1?");  // HGVS: Met1? start codon changed, consequence unclear
  EXPECT_EQ(met.protein_change, "p.M1?");
  EXPECT_EQ(met.cls, VariantClass::kStartLost);
  EXPECT_EQ(Ok("p.M1V").cls, VariantClass::kStartLost);
}

TEST(HgvsProtein, MissingPrefixIsAdded) {
  CanonicalVariant v = Ok("V600E");
  EXPECT_EQ(v.protein_change, "p.V600E");
  EXPECT_THAT(v.note, HasSubstr("'p.' prefix added"));
  EXPECT_EQ(Protein("Val600Glu"), "p.V600E");
  EXPECT_EQ(Protein("R213*"), "p.R213*");
  EXPECT_EQ(Protein("E746_A750del"), "p.E746_A750del");
}

TEST(HgvsProtein, PrefixCaseAndSurroundingSpacesAreTolerated) {
  CanonicalVariant upper = Ok("P.V600E");
  EXPECT_EQ(upper.protein_change, "p.V600E");
  EXPECT_THAT(upper.note, HasSubstr("prefix written in lower case"));
  CanonicalVariant spaced = Ok("  p.V600E\t");
  EXPECT_EQ(spaced.protein_change, "p.V600E");
  EXPECT_TRUE(spaced.rewritten);
  EXPECT_THAT(spaced.note, HasSubstr("surrounding spaces removed"));
  EXPECT_EQ(Protein("\u3000p.V600E\u3000"), "p.V600E");  // ideographic spaces
  EXPECT_EQ(Protein("p. V600E"), "p.V600E");
}

TEST(HgvsProtein, FullWidthCharactersAreFolded) {
  CanonicalVariant v = Ok("ｐ．Ｖ６００Ｅ");
  EXPECT_EQ(v.protein_change, "p.V600E");
  EXPECT_THAT(v.note, HasSubstr("NFKC"));
  EXPECT_EQ(Protein("Ｖ６００Ｅ"), "p.V600E");
  EXPECT_EQ(Protein("ｐ．Ｒ２１３＊"), "p.R213*");
  EXPECT_EQ(Ok("c.−124C>T").hgvs_c, "c.-124C>T");  // U+2212 minus sign
}

TEST(HgvsProtein, WhollyLowerCaseIsReadAsUpperCase) {
  // cancervariants/variation-normalization#55: "BRAF v600e" like "BRAF V600E".
  CanonicalVariant v = Ok("p.v600e");
  EXPECT_EQ(v.protein_change, "p.V600E");
  EXPECT_THAT(v.note, HasSubstr("lower-case amino acids upper-cased"));
  EXPECT_EQ(Protein("v600e"), "p.V600E");
  EXPECT_EQ(Protein("p.val600glu"), "p.V600E");
  EXPECT_EQ(Protein("p.e746_a750delelrea"), "p.E746_A750del");
  EXPECT_EQ(Protein("p.arg213ter"), "p.R213*");
  CanonicalVariant braf = Ok("BRAF v600e", "BRAF");
  EXPECT_EQ(braf.protein_change, "p.V600E");
  EXPECT_EQ(braf.gene, "BRAF");
}

TEST(HgvsProtein, MixedCaseIsRefused) {
  EXPECT_THAT(Refusal("p.V600e"), HasSubstr("'e' is not an amino-acid code (one-letter codes are upper case"));
  EXPECT_THAT(Refusal("p.Val600glu"), HasSubstr("is not an amino-acid code"));
  EXPECT_THAT(Refusal("v600E"), HasSubstr("'v' is not an amino-acid code"));
}

TEST(HgvsProtein, UnknownAminoAcidCodeIsRefusedWithTheAcceptedForm) {
  EXPECT_EQ(Refusal("p.Val600Glx"),
            "'p.Val600Glx': 'Glx' is not an amino-acid code; write e.g. p.V600E or p.Val600Glu");
  EXPECT_THAT(Refusal("p.V600B"), HasSubstr("'B' is not an amino-acid code (B, J, Z are ambiguity codes)"));
  EXPECT_THAT(Refusal("p.Vax600Glu"), HasSubstr("'Vax' is not an amino-acid code"));
  EXPECT_THAT(Refusal("p.Asx12Asp"), HasSubstr("'Asx' is not an amino-acid code"));
}

TEST(HgvsProtein, PositionZeroLeadingZerosAndHugePositionsAreRefused) {
  EXPECT_EQ(Refusal("p.V0E"),
            "'p.V0E': position 0 does not exist (residues are numbered from 1, the initiator Met is p.M1); "
            "write e.g. p.V600E or p.Val600Glu");
  EXPECT_THAT(Refusal("p.V0600E"), HasSubstr("position '0600' has a leading zero"));
  EXPECT_THAT(Refusal("p.V123456E"), HasSubstr("position 123456 is too large"));
  EXPECT_THAT(Refusal("p.600E"), HasSubstr("the reference amino acid is missing before the position"));
}

TEST(HgvsProtein, RangesRunFromLowToHigh) {
  EXPECT_THAT(Refusal("p.A750_E746del"), HasSubstr("must run from the lower to the higher position"));
  EXPECT_THAT(Refusal("p.E746_E746del"), HasSubstr("must run from the lower to the higher position"));
  EXPECT_THAT(Refusal("p.E746_A750"), HasSubstr("is not followed by del, dup, ins or delins"));
  EXPECT_THAT(Refusal("p.E746_A750fs"), HasSubstr("unexpected 'fs' after the range E746_A750"));
}

TEST(HgvsProtein, UnsupportedProteinFormsAreRefused) {
  EXPECT_THAT(Refusal("p.Ala2[10]"), HasSubstr("repeated sequences (p.Ala2[10]) are not supported"));
  EXPECT_THAT(Refusal("p.(V600E"), HasSubstr("unbalanced parentheses"));
  EXPECT_THAT(Refusal("p.[V600E;K601E]"), HasSubstr("more than one description"));
  EXPECT_THAT(Refusal("p.V600E)"), HasSubstr("unexpected ')' after p.V600E"));
  EXPECT_THAT(Refusal("p.V600"), HasSubstr("ends after V600"));
  EXPECT_THAT(Refusal("p."), HasSubstr("nothing after 'p.'"));
}

// ---------------------------------------------------------------- no protein short form

TEST(HgvsSplice, SpliceSiteForms) {
  CanonicalVariant maf = Ok("p.X123_splice");  // vcf2maf HGVSp_Short
  EXPECT_EQ(maf.protein_change, "p.X123_splice");
  EXPECT_EQ(maf.cls, VariantClass::kSplice);
  EXPECT_EQ(maf.codon, 123);
  EXPECT_EQ(maf.ref_aa, 0);
  EXPECT_FALSE(maf.rewritten);
  EXPECT_EQ(Protein("X123_splice"), "p.X123_splice");
  EXPECT_EQ(Protein("x123_splice"), "p.X123_splice");
  CanonicalVariant named = Ok("p.D1010_splice");
  EXPECT_EQ(named.protein_change, "p.X1010_splice");
  EXPECT_EQ(named.ref_aa, 'D');

  CanonicalVariant donor = Ok("c.1234+1G>A");
  EXPECT_EQ(donor.hgvs_c, "c.1234+1G>A");
  EXPECT_EQ(donor.text, "c.1234+1G>A");
  EXPECT_EQ(donor.protein_change, "");
  EXPECT_EQ(donor.cls, VariantClass::kSplice);
  EXPECT_EQ(donor.codon, 412);  // ceil(1234/3), vcf2maf's p.X412_splice
  EXPECT_FALSE(donor.rewritten);
  CanonicalVariant acceptor = Ok("c.1234-2A>G");
  EXPECT_EQ(acceptor.cls, VariantClass::kSplice);
  EXPECT_EQ(acceptor.codon, 412);
  EXPECT_EQ(Ok("c.3028+1_3028+5del").cls, VariantClass::kSplice);
  EXPECT_EQ(Ok("c.3020_3028+5del").cls, VariantClass::kSplice);  // crosses the exon/intron boundary
  EXPECT_EQ(Ok("c.1234+5G>A").cls, VariantClass::kIntron);       // beyond the 2-nt splice site
  EXPECT_EQ(Ok("c.1234+50A>G").cls, VariantClass::kIntron);
  EXPECT_EQ(Ok("c.1234+50A>G").codon, 0);  // not matched to codon 412
}

TEST(HgvsNonCoding, TertPromoter) {
  CanonicalVariant v = Ok("c.-124C>T");
  EXPECT_EQ(v.hgvs_c, "c.-124C>T");
  EXPECT_EQ(v.text, "c.-124C>T");
  EXPECT_EQ(v.protein_change, "");
  EXPECT_EQ(v.cls, VariantClass::kFivePrime);
  EXPECT_EQ(v.codon, 0);
  EXPECT_FALSE(v.rewritten);
  CanonicalVariant bare = Ok("-124C>T");
  EXPECT_EQ(bare.hgvs_c, "c.-124C>T");
  EXPECT_THAT(bare.note, HasSubstr("'c.' prefix added"));
  // The hg19 nicknames, only for TERT.
  CanonicalVariant c228t = Ok("C228T", "TERT");
  EXPECT_EQ(c228t.hgvs_c, "c.-124C>T");
  EXPECT_EQ(c228t.cls, VariantClass::kFivePrime);
  EXPECT_THAT(c228t.note, HasSubstr("TERT promoter nickname"));
  EXPECT_EQ(Ok("C250T", "TERT").hgvs_c, "c.-146C>T");
  CanonicalVariant named = Ok("TERT C228T");
  EXPECT_EQ(named.hgvs_c, "c.-124C>T");
  EXPECT_EQ(named.gene, "TERT");
  EXPECT_EQ(Protein("C228T"), "p.C228T");  // any other gene: a protein change
  EXPECT_EQ(Protein("C228T", "KRAS"), "p.C228T");
}

TEST(HgvsNonCoding, UtrAndIntronPositions) {
  EXPECT_EQ(Ok("c.*100A>G").cls, VariantClass::kThreePrime);
  EXPECT_EQ(Ok("c.-15+1G>A").cls, VariantClass::kSplice);
  EXPECT_EQ(Ok("c.-5_10del").cls, VariantClass::kStartLost);
  EXPECT_EQ(Ok("c.-130_-120del").hgvs_c, "c.-130_-120del");
  EXPECT_THAT(Refusal("c.-120_-130del"), HasSubstr("must run from 5' to 3'"));
}

TEST(HgvsCoding, CodingDnaForms) {
  CanonicalVariant v = Ok("c.1799T>A");
  EXPECT_EQ(v.hgvs_c, "c.1799T>A");
  EXPECT_EQ(v.codon, 600);
  EXPECT_EQ(v.cls, VariantClass::kUnknownConsequence);
  EXPECT_EQ(Ok("c.1799t>a").hgvs_c, "c.1799T>A");
  EXPECT_THAT(Ok("c.1799t>a").note, HasSubstr("nucleotides upper-cased"));
  EXPECT_EQ(Ok("C.1799T>A").hgvs_c, "c.1799T>A");
  EXPECT_EQ(Ok("1799T>A").hgvs_c, "c.1799T>A");
  EXPECT_EQ(Ok("c.2235_2249del").hgvs_c, "c.2235_2249del");
  EXPECT_EQ(Ok("c.2235_2249delGGAATTAAGAGAAGC").hgvs_c, "c.2235_2249del");
  EXPECT_EQ(Ok("c.2235_2249del15").hgvs_c, "c.2235_2249del");
  EXPECT_EQ(Ok("c.2300_2301insGCATAC").hgvs_c, "c.2300_2301insGCATAC");
  EXPECT_EQ(Ok("c.2300_2305delinsAT").hgvs_c, "c.2300_2305delinsAT");
  EXPECT_EQ(Ok("c.100_102dup").hgvs_c, "c.100_102dup");
  EXPECT_THAT(Refusal("c.2235_2249del14"), HasSubstr("gives 14 nucleotides but the range covers 15"));
  EXPECT_THAT(Refusal("c.1799T>T"), HasSubstr("'T>T' is no change"));
  EXPECT_THAT(Refusal("c.0A>G"), HasSubstr("a position 0 does not exist"));
  EXPECT_THAT(Refusal("c.2300_2302insA"), HasSubstr("two adjacent nucleotides"));
  EXPECT_THAT(Refusal("c.(4071+1_4072-1)_(5145+1_5146-1)del"), HasSubstr("uncertain positions"));
  EXPECT_THAT(Refusal("g.140453136A>T"), HasSubstr("'g.' descriptions are not accepted; give the p. or c. change"));
}

TEST(HgvsCoding, ReferenceSequencePrefix) {
  CanonicalVariant c = Ok("NM_004333.4:c.1799T>A");
  EXPECT_EQ(c.hgvs_c, "c.1799T>A");
  EXPECT_EQ(c.reference_sequence, "NM_004333.4");
  CanonicalVariant p = Ok("NP_004324.2:p.Val600Glu");
  EXPECT_EQ(p.protein_change, "p.V600E");
  EXPECT_EQ(p.reference_sequence, "NP_004324.2");
  CanonicalVariant named = Ok("NM_004333.4(BRAF):c.1799T>A", "BRAF");
  EXPECT_EQ(named.gene, "BRAF");
  EXPECT_EQ(Ok("ENST00000288602.6:c.1799T>A").reference_sequence, "ENST00000288602.6");
  EXPECT_THAT(Refusal("FOO.1:p.V600E"), HasSubstr("'FOO.1' before ':' is not a reference sequence"));
}

TEST(HgvsCoding, CodingAndProteinChangesTogether) {
  CanonicalVariant v = Ok("c.1799T>A (p.V600E)");
  EXPECT_EQ(v.protein_change, "p.V600E");
  EXPECT_EQ(v.hgvs_c, "c.1799T>A");
  EXPECT_EQ(v.text, "p.V600E");
  EXPECT_EQ(v.cls, VariantClass::kMissense);
  EXPECT_THAT(v.note, HasSubstr("split"));
  EXPECT_EQ(Ok("c.1799T>A(p.Val600Glu)").protein_change, "p.V600E");  // VEP style
  EXPECT_EQ(Ok("p.V600E c.1799T>A").hgvs_c, "c.1799T>A");
  EXPECT_EQ(Ok("BRAF c.1799T>A p.V600E").gene, "BRAF");
  // A splice c. change keeps its class when the protein consequence is unknown.
  EXPECT_EQ(Ok("c.3028+1G>A p.?").cls, VariantClass::kSplice);
  EXPECT_EQ(Refusal("c.1802T>A p.V600E"),
            "'c.1802T>A p.V600E': c.1802T>A lies in codon 601 but p.V600E is at codon 600");
}

// ---------------------------------------------------------------- exon events

TEST(HgvsExon, MetExon14SkippingSpellingsConverge) {
  for (const char* s : {"exon 14 skipping", "exon14skip", "ex14 skipping", "METex14", "MET exon 14 skipping", "ex14del",
                        "MET ex14", "Exon 14 Skipping", "METex14 skipping", "exon14 skipping", "MET exon14", "ex14",
                        "exon 14 deletion", "exon-14 skipping"}) {
    CanonicalVariant v = Ok(s, "MET");
    EXPECT_EQ(v.text, "exon 14 skipping") << s;
    EXPECT_EQ(v.cls, VariantClass::kExonSkipping) << s;
    EXPECT_EQ(v.exon, 14) << s;
    EXPECT_EQ(v.protein_change, "") << s;
  }
  CanonicalVariant named = Ok("METex14");  // the gene comes from the text
  EXPECT_EQ(named.text, "exon 14 skipping");
  EXPECT_EQ(named.gene, "MET");
  EXPECT_FALSE(Ok("exon 14 skipping", "MET").rewritten);
  // Without MET, an exon deletion is an in-frame deletion within the exon.
  EXPECT_EQ(Ok("ex14del").cls, VariantClass::kExonDeletion);
}

TEST(HgvsExon, EgfrExon19Deletion) {
  for (const char* s : {"exon 19 del", "exon 19 deletion", "ex19del", "Ex19Del", "EGFR exon 19 deletion", "exon19del",
                        "EGFRex19del", "exon 19 deletion mutation", "exon 19 deletions"}) {
    CanonicalVariant v = Ok(s, "EGFR");
    EXPECT_EQ(v.text, "exon 19 deletion") << s;
    EXPECT_EQ(v.cls, VariantClass::kExonDeletion) << s;
    EXPECT_EQ(v.exon, 19) << s;
  }
}

TEST(HgvsExon, EgfrExon20Insertion) {
  for (const char* s : {"exon 20 insertion", "ex20ins", "exon 20 ins", "EGFR exon 20 insertions", "Ex20Ins"}) {
    CanonicalVariant v = Ok(s, "EGFR");
    EXPECT_EQ(v.text, "exon 20 insertion") << s;
    EXPECT_EQ(v.cls, VariantClass::kExonInsertion) << s;
    EXPECT_EQ(v.exon, 20) << s;
  }
}

TEST(HgvsExon, ExonWithoutAnEventOrWithABadNumberIsRefused) {
  EXPECT_EQ(Refusal("ex19", "EGFR"),
            "'ex19': names exon 19 but not what happened to it; write 'exon 19 deletion', 'exon 19 insertion' or "
            "'exon 19 skipping'");
  EXPECT_THAT(Refusal("exon 0 skipping"), HasSubstr("exon '0' is not an exon number"));
  EXPECT_THAT(Refusal("exon 401 deletion"), HasSubstr("exon '401' is not an exon number (1..400)"));
  EXPECT_EQ(Ok("exon 363 deletion").exon, 363);
  EXPECT_THAT(Refusal("exon 19 inversion"), HasSubstr("unexpected 'inversion' after exon 19"));
}

TEST(HgvsGene, GeneInTheTextMustMatchTheAlterationsGene) {
  EXPECT_EQ(Refusal("METex14", "EGFR"), "'METex14': names gene 'MET' but the alteration is for 'EGFR'");
  EXPECT_THAT(Refusal("BRAF V600E", "KRAS"), HasSubstr("names gene 'BRAF' but the alteration is for 'KRAS'"));
  CanonicalVariant v = Ok("BRAF V600E", "BRAF");
  EXPECT_EQ(v.protein_change, "p.V600E");
  EXPECT_EQ(v.gene, "BRAF");
  // Matched case-insensitively and reported in the caller's spelling.
  EXPECT_EQ(Ok("Met exon 14 skipping", "MET").gene, "MET");
  EXPECT_EQ(Ok("Braf V600E", "BRAF").gene, "BRAF");
  EXPECT_EQ(Ok("Braf V600E").gene, "Braf");
  EXPECT_THAT(v.note, HasSubstr("gene symbol moved to gene"));
}

TEST(HgvsGene, MoreThanOneDescriptionIsRefused) {
  EXPECT_EQ(Refusal("V600E K601E"),
            "'V600E K601E': more than one description; give one alteration, e.g. p.V600E, or its c. and p. "
            "changes: c.1799T>A p.V600E");
  EXPECT_THAT(Refusal("p.V600E p.K601E"), HasSubstr("more than one description"));
}

// ---------------------------------------------------------------- refusals of bad input

TEST(HgvsInput, GarbageIsRefusedWithTheAcceptedForms) {
  EXPECT_EQ(Refusal("hello"),
            "'hello': not an alteration; write a protein change (p.V600E), a c. change (c.1799T>A, c.-124C>T) or "
            "an exon event (exon 19 deletion)");
  EXPECT_THAT(Refusal("!!!"), HasSubstr("not an alteration"));
  EXPECT_THAT(Refusal("12345"), HasSubstr("not an alteration"));
  EXPECT_THAT(Refusal("p.V600E\x01"), HasSubstr("control character"));
}

TEST(HgvsInput, EmptyAndBlankAreRefused) {
  EXPECT_THAT(Refusal(""), HasSubstr("'': empty"));
  EXPECT_THAT(Refusal("   "), HasSubstr("'   ': blank"));  // the quote shows the spaces
  EXPECT_THAT(Refusal("\u3000"), HasSubstr("blank"));
}

TEST(HgvsInput, InputLongerThan200BytesIsRefused) {
  const std::string longest = "p.E598_Y599ins" + std::string(186, 'A');
  ASSERT_EQ(longest.size(), 200u);
  EXPECT_TRUE(CanonicalizeVariant(longest).ok());
  const std::string over = longest + "A";
  const std::string m = Refusal(over);
  EXPECT_THAT(m, HasSubstr("longer than 200 bytes (201)"));
  EXPECT_LT(m.size(), 120u);  // the quote is cut
}

TEST(HgvsInput, InvalidUtf8IsRefusedWithAValidMessage) {
  for (std::string_view bad :
       {std::string_view("\xff\xfe"), std::string_view("p.V600\xc3"), std::string_view("\xed\xa0\x80"),
        std::string_view("p.V\xc0\xaf"
                         "600E")}) {
    EXPECT_THAT(Refusal(bad), HasSubstr("not valid UTF-8"));
  }
}

TEST(HgvsInput, NonAsciiLeftAfterFoldingIsRefused) {
  EXPECT_EQ(Refusal("p.V600Δ"),
            "'p.V600Δ': contains 'Δ' (U+0394), which is not part of a description; write a protein change (p.V600E), "
            "a c. change (c.1799T>A, c.-124C>T) or an exon event (exon 19 deletion)");
}

// Deterministic random strings over the characters of the grammar (and a few
// others, including bytes >= 0x80): never a crash, every refusal is
// INVALID_ARGUMENT with a valid UTF-8 message, and every result is a fixed
// point (canonicalising its text returns it unchanged).
TEST(HgvsInput, RandomInputNeverCrashesAndResultsAreFixedPoints) {
  const std::string alphabet =
      "pc._*=?()[];:+- >VEAGRKTCXMQLPDSNFWYHIOUZBJxaglvdeinsfuptr0123456789\xc3\xa9\xe3\x80\x80\xff";
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  auto next = [&state]() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  const std::vector<std::string> seeds = {"p.V600E",     "p.E746_A750delELREA", "p.P34Lfs*12", "c.1234+1G>A",
                                          "exon 19 del", "p.*110Qext*17",       "p.Val600Glu", "c.-124C>T",
                                          "X123_splice", "p.N771_P772insH"};
  int accepted = 0;
  for (int iter = 0; iter < 30000; ++iter) {
    std::string s;
    if (iter % 2 == 0) {  // mutate a seed
      s = seeds[next() % seeds.size()];
      const int edits = 1 + static_cast<int>(next() % 3);
      for (int k = 0; k < edits && !s.empty(); ++k) {
        const size_t at = next() % s.size();
        switch (next() % 3) {
          case 0:
            s[at] = alphabet[next() % alphabet.size()];
            break;
          case 1:
            s.erase(at, 1);
            break;
          default:
            s.insert(at, 1, alphabet[next() % alphabet.size()]);
            break;
        }
      }
    } else {
      const size_t len = next() % 24;
      for (size_t k = 0; k < len; ++k) s.push_back(alphabet[next() % alphabet.size()]);
    }
    absl::StatusOr<CanonicalVariant> r = CanonicalizeVariant(s);
    if (!r.ok()) {
      ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << s;
      ASSERT_TRUE(IsValidUtf8(std::string(r.status().message()))) << s;
      continue;
    }
    ++accepted;
    ASSERT_FALSE(r->text.empty()) << s;
    absl::StatusOr<CanonicalVariant> again = CanonicalizeVariant(r->text);
    ASSERT_TRUE(again.ok()) << "'" << s << "' -> '" << r->text << "': " << again.status();
    EXPECT_EQ(again->text, r->text) << s;
    EXPECT_FALSE(again->rewritten) << s << " -> " << r->text << ": " << again->note;
    if (!r->protein_change.empty()) {
      EXPECT_TRUE(IsCanonicalProteinChange(r->protein_change)) << s << " -> " << r->protein_change;
    }
    if (!r->hgvs_c.empty()) {
      EXPECT_TRUE(IsCanonicalCodingChange(r->hgvs_c)) << s << " -> " << r->hgvs_c;
    }
  }
  EXPECT_GT(accepted, 1000);  // the mutations do reach the accepting paths
}

// ---------------------------------------------------------------- codon, idempotence, names

TEST(HgvsCodon, CodonAndReferenceResidueAreExtracted) {
  CanonicalVariant v = Ok("V600E");
  EXPECT_EQ(v.codon, 600);
  EXPECT_EQ(v.ref_aa, 'V');
  CanonicalVariant k = Ok("p.V600K");  // codon-level matching: V600 matches V600E and V600K
  EXPECT_EQ(k.codon, v.codon);
  CanonicalVariant del = Ok("p.E746_A750del");
  EXPECT_EQ(del.codon, 746);
  EXPECT_EQ(del.ref_aa, 'E');
  EXPECT_EQ(Ok("p.Arg213Ter").codon, 213);
  EXPECT_EQ(Ok("p.Arg213Ter").ref_aa, 'R');
  EXPECT_EQ(Ok("p.?").codon, 0);
  EXPECT_EQ(Ok("p.=").codon, 0);
  EXPECT_EQ(Ok("exon 19 deletion").codon, 0);
  EXPECT_EQ(Ok("c.1799T>A").codon, 600);
  EXPECT_EQ(Ok("c.1798G>A").codon, 600);
  EXPECT_EQ(Ok("c.1800A>G").codon, 600);
  EXPECT_EQ(Ok("c.1801G>A").codon, 601);
}

TEST(HgvsIdempotence, CanonicalFormsAreReturnedUnchanged) {
  for (const char* s : {"p.V600E",
                        "p.R213*",
                        "p.V600=",
                        "p.=",
                        "p.*110=",
                        "p.V600del",
                        "p.E746_A750del",
                        "p.A767_V769dup",
                        "p.N771_P772insH",
                        "p.E746_S752delinsV",
                        "p.P34fs",
                        "p.*110Qext*17",
                        "p.*327Rext*?",
                        "p.*110Q",
                        "p.M1ext-5",
                        "p.M1?",
                        "p.M1V",
                        "p.0",
                        "p.?",
                        "p.V600?",
                        "p.X123_splice",
                        "p.U10O",
                        "c.1799T>A",
                        "c.1234+1G>A",
                        "c.1234-2A>G",
                        "c.-124C>T",
                        "c.*100A>G",
                        "c.2235_2249del",
                        "c.2300_2301insGCATAC",
                        "c.100_102inv",
                        "exon 14 skipping",
                        "exon 19 deletion",
                        "exon 20 insertion"}) {
    CanonicalVariant v = Ok(s);
    EXPECT_EQ(v.text, s);
    EXPECT_FALSE(v.rewritten) << s;
    EXPECT_EQ(v.note, "") << s;
  }
}

TEST(HgvsIdempotence, RewrittenFormsAreFixedPointsAfterOneStep) {
  for (const char* s : {"p.Val600Glu", "p.(Gly12Asp)", "p.R213X", "p.E746_A750delELREA", "p.Pro34LeufsTer12", "V600E",
                        " P.v600e ", "ｐ．Ｖ６００Ｅ", "c.1799T>A (p.V600E)", "METex14", "ex19del", "-124C>T",
                        "NM_004333.4:c.1799t>a", "p.Ter110GlnextTer17", "p.V600V"}) {
    CanonicalVariant once = Ok(s, "");
    EXPECT_TRUE(once.rewritten) << s;
    EXPECT_FALSE(once.note.empty()) << s;
    CanonicalVariant twice = Ok(once.text);
    EXPECT_EQ(twice.text, once.text) << s;
    EXPECT_FALSE(twice.rewritten) << s;
  }
}

TEST(HgvsValidator, IsCanonicalProteinChangeAcceptsOnlyCanonicalForms) {
  for (const char* s : {"p.V600E", "p.R213*", "p.E746_A750del", "p.P34fs", "p.X123_splice", "p.?", "p.0", "p.=",
                        "p.*110Qext*17", "p.M1ext-5", "p.N771_P772insH", "p.E746_S752delinsV", "p.A767_V769dup"}) {
    EXPECT_TRUE(IsCanonicalProteinChange(s)) << s;
  }
  for (const char* s :
       {"p.Val600Glu", "p.(V600E)", "V600E", "p.V600V", "p.P34Lfs*12", "p.R213X", "", "p.", "c.1799T>A", "p.V600E ",
        "p.v600e", "P.V600E", "p.E746_A750delELREA", "p.(=)", "exon 19 deletion", "p.V600B"}) {
    EXPECT_FALSE(IsCanonicalProteinChange(s)) << s;
  }
}

TEST(HgvsValidator, IsCanonicalCodingChangeAcceptsOnlyCanonicalForms) {
  for (const char* s : {"c.1799T>A", "c.-124C>T", "c.*100A>G", "c.1234+1G>A", "c.1234-2A>G", "c.2235_2249del",
                        "c.2300_2301insGCATAC", "c.100_102dup", "c.100_102inv", "c.2300_2305delinsAT"}) {
    EXPECT_TRUE(IsCanonicalCodingChange(s)) << s;
  }
  for (const char* s : {"c.1799t>a", "C.1799T>A", "1799T>A", "c.2235_2249delGGAATTAAGAGAAGC", "c.2235_2249del15",
                        "c.1799T>A ", "c.", "", "p.V600E", "c.1799T>T", "c.0A>G", "c.garbage"}) {
    EXPECT_FALSE(IsCanonicalCodingChange(s)) << s;
  }
}

TEST(HgvsNames, VariantClassNamesAreMafNamesWhereMafHasThem) {
  EXPECT_EQ(VariantClassName(VariantClass::kMissense), "Missense_Mutation");
  EXPECT_EQ(VariantClassName(VariantClass::kNonsense), "Nonsense_Mutation");
  EXPECT_EQ(VariantClassName(VariantClass::kSynonymous), "Silent");
  EXPECT_EQ(VariantClassName(VariantClass::kInframeDeletion), "In_Frame_Del");
  EXPECT_EQ(VariantClassName(VariantClass::kInframeInsertion), "In_Frame_Ins");
  EXPECT_EQ(VariantClassName(VariantClass::kDuplication), "In_Frame_Ins");
  EXPECT_EQ(VariantClassName(VariantClass::kStopLost), "Nonstop_Mutation");
  EXPECT_EQ(VariantClassName(VariantClass::kStartLost), "Translation_Start_Site");
  EXPECT_EQ(VariantClassName(VariantClass::kSplice), "Splice_Site");
  EXPECT_EQ(VariantClassName(VariantClass::kIntron), "Intron");
  EXPECT_EQ(VariantClassName(VariantClass::kFivePrime), "5'Flank");
  EXPECT_EQ(VariantClassName(VariantClass::kThreePrime), "3'UTR");
  EXPECT_EQ(VariantClassName(VariantClass::kFrameshift), "Frame_Shift");
  EXPECT_EQ(VariantClassName(VariantClass::kUnspecified), "");
  for (int c = 1; c <= static_cast<int>(VariantClass::kUnknownConsequence); ++c) {
    EXPECT_FALSE(VariantClassName(static_cast<VariantClass>(c)).empty()) << c;
  }
}

}  // namespace
}  // namespace fedreg
