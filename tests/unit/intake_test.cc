// Real hospital exports through the agent's importer (parse, normalise,
// build, store): one test per kind of issue 10, with the right stored values.
// The inputs are written here, after the kinds of ../shared/field-cases/.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "agent/agent_store.h"
#include "agent/case_builder.h"
#include "agent/importer.h"
#include "agent/record_number.h"
#include "common/utf8.h"
#include "tests/unit/temp_dir.h"

namespace fedreg::agent {
namespace {

using ::testing::HasSubstr;

const char kHeader[] =
    "record_number,family_name,given_name,birth_date,sex,registration_date,oncotree_code,vital_status,assay,"
    "specimen,report_date,alterations,tmb,msi\n";

class IntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AgentStoreOptions o;
    o.path = dir_ / "store";
    o.min_free_bytes = 0;
    auto s = AgentStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    importer_ = std::make_unique<Importer>(*store_, "ncch", SiteKeys{std::string(32, 'L'), std::string(32, 'R')});
  }
  std::string Write(const std::string& name, const std::string& bytes) {
    std::string path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  ImportSummary Import(const std::string& name, const std::string& rows, const std::string& header = kHeader) {
    auto sum = importer_->ImportFile(Write(name, header + rows));
    EXPECT_TRUE(sum.ok()) << sum.status();
    return sum.ok() ? *sum : ImportSummary();
  }
  std::vector<v1::Case> Cases() {
    auto all = store_->AllCases();
    EXPECT_TRUE(all.ok());
    return all.ok() ? *all : std::vector<v1::Case>();
  }
  // "GENE change" of every stored alteration, over all cases.
  std::multiset<std::string> Alterations() {
    std::multiset<std::string> out;
    for (const auto& c : Cases())
      for (const auto& t : c.tests())
        for (const auto& a : t.alterations())
          out.insert(a.gene() + " " + (a.kind() == v1::ALTERATION_KIND_FUSION ? a.fusion() : a.protein_change()));
    return out;
  }
  std::string Errors(const ImportSummary& s) {
    std::string out;
    for (const auto& e : s.errors) out += e + "\n";
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<AgentStore> store_;
  std::unique_ptr<Importer> importer_;
};

// 1. HGVS protein changes in three-letter, parenthesised and legacy forms.
TEST_F(IntakeTest, ThreeLetterAndParenthesisedChangesAreStoredInOneLetterShortForm) {
  auto sum = Import("hgvs.csv",
                    "H-1,山田,一,1960-01-01,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,BRAF|SNV|p.Val600Glu|0.3,,\n"
                    "H-2,山田,二,1960-01-02,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,TP53|SNV|p.Arg213Ter|0.3,,\n"
                    "H-3,山田,三,1960-01-03,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,KRAS|SNV|p.(Gly12Asp)|0.3,,\n"
                    "H-4,山田,四,1960-01-04,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,BRAF|SNV|p.(V600E)|0.3,,\n"
                    "H-5,山田,五,1960-01-05,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,TP53|SNV|p.R213X|0.3,,\n"
                    "H-6,山田,六,1960-01-06,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,BRAF|SNV|p.V600E|0.3,,\n");
  EXPECT_EQ(sum.accepted, 6) << Errors(sum);
  EXPECT_EQ(Alterations(), (std::multiset<std::string>{"BRAF p.V600E", "BRAF p.V600E", "BRAF p.V600E", "KRAS p.G12D",
                                                        "TP53 p.R213*", "TP53 p.R213*"}));
  EXPECT_EQ(sum.normalised_by_kind["hgvs"], 5) << "every form but the one-letter p.V600E was rewritten";
  int kept = 0;
  for (const auto& c : Cases()) {
    const auto& a = c.tests(0).alterations(0);
    if (!a.source_text().empty()) ++kept;  // the export's text, kept for audit
    if (a.source_text().find("p.Val600Glu") != std::string::npos) {
      EXPECT_EQ(a.protein_change(), "p.V600E");
      EXPECT_EQ(a.variant_class(), "Missense_Mutation");
    }
  }
  EXPECT_EQ(kept, 5);
}

// 1. One bad alteration is held back; its case and the other alterations go in.
TEST_F(IntakeTest, ABadAlterationIsQuarantinedAloneNamingFileLineAndItem) {
  auto sum = Import("bad-alt.csv",
                    "A-1,山田,一,1960-01-01,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,"
                    "BRAF|SNV|p.V600E|0.3;KRAS|SNV|p.Gly12Glx|0.2;MDM2|AMP||,,\n");
  EXPECT_EQ(sum.accepted, 1);
  EXPECT_EQ(sum.quarantined, 0);
  EXPECT_EQ(sum.alterations_quarantined, 1);
  ASSERT_EQ(sum.errors.size(), 1u);
  EXPECT_THAT(sum.errors[0], HasSubstr(":2: alterations[2].change:"));
  EXPECT_THAT(sum.errors[0], HasSubstr("Glx"));
  EXPECT_EQ(Alterations(), (std::multiset<std::string>{"BRAF p.V600E", "MDM2 "}));
  auto q = store_->Quarantine(10);
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 1u);
  EXPECT_EQ((*q)[0].field(), "alterations[2].change");
  EXPECT_EQ((*q)[0].line(), 2);
}

// 2. Previous symbols, aliases and lower case map to the approved symbol.
TEST_F(IntakeTest, PreviousSymbolsAndAliasesAreStoredAsTheApprovedSymbol) {
  auto sum = Import("genes.csv",
                    "G-1,山田,一,1960-01-01,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,HER2|amp||,,\n"
                    "G-2,山田,二,1960-01-02,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,H3F3A|SNV|p.K28M|0.4,,\n"
                    "G-3,山田,三,1960-01-03,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,braf|SNV|p.V600E|0.4,,\n"
                    "G-4,山田,四,1960-01-04,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,MLL|FUSION|MLL::MLLT3|,,\n");
  EXPECT_EQ(sum.accepted, 4) << Errors(sum);
  EXPECT_EQ(Alterations(), (std::multiset<std::string>{"ERBB2 ", "H3-3A p.K28M", "BRAF p.V600E", "KMT2A KMT2A::MLLT3"}));
  for (const auto& c : Cases()) EXPECT_FALSE(c.gene_table_version().empty()) << "the table version is stamped";
}

// 3. Fusion notations to A::B; a partner-less rearrangement is represented.
TEST_F(IntakeTest, FusionNotationsAreStoredAsCanonicalPairs) {
  auto sum = Import("fusions.csv",
                    "F-1,山田,一,1960-01-01,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,ALK|FUSION|EML4-ALK|,,\n"
                    "F-2,山田,二,1960-01-02,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,ALK|FUSION|EML4-ALK fusion|,,\n"
                    "F-3,山田,三,1960-01-03,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,ALK|FUSION|EML4--ALK|,,\n"
                    "F-4,山田,四,1960-01-04,M,2023-01-10,EPM,alive,F1CDX,primary,2023-01-20,RELA|FUSION|C11orf95::RELA|,,\n"
                    "F-5,山田,五,1960-01-05,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,ALK|FUSION|ALK-intergenic|,,\n");
  EXPECT_EQ(sum.accepted, 5) << Errors(sum);
  EXPECT_EQ(Alterations(), (std::multiset<std::string>{"ALK EML4::ALK", "ALK EML4::ALK", "ALK EML4::ALK",
                                                        "RELA ZFTA::RELA", "ALK ALK::intergenic"}));
}

// 4. OncoTree: former codes mapped, retired ones refused naming candidates.
TEST_F(IntakeTest, FormerOncoTreeCodesMapAndRetiredOnesAreRefused) {
  auto sum = Import("onco.csv",
                    "O-1,山田,一,1960-01-01,M,2023-01-10,MM,alive,,,,,,\n"
                    "O-2,山田,二,1960-01-02,M,2023-01-10,GBM,alive,,,,,,\n"
                    "O-3,山田,三,1960-01-03,M,2023-01-10,脱分化型脂肪肉腫,alive,,,,,,\n");
  EXPECT_EQ(sum.accepted, 1);
  EXPECT_EQ(sum.quarantined, 2);
  ASSERT_EQ(Cases().size(), 1u);
  EXPECT_EQ(Cases()[0].oncotree_code(), "PCM");
  EXPECT_THAT(Errors(sum), HasSubstr("GB (Glioblastoma, IDH-Wildtype)"));
  EXPECT_THAT(Errors(sum), HasSubstr("looks like a diagnosis name"));
  EXPECT_TRUE(IsValidUtf8(Errors(sum)));
}

// 5. A VAF column in percent is converted for the whole file and assay.
TEST_F(IntakeTest, APercentVafColumnIsConvertedForTheWholeFileAndAssay) {
  auto sum = Import("vaf.csv",
                    "V-1,山田,一,1960-01-01,M,2023-01-10,LUAD,alive,GUARDANT360,cfdna,2023-01-20,EGFR|SNV|p.L858R|12.5;TP53|SNV|p.R273H|0.8,,\n"
                    "V-2,山田,二,1960-01-02,M,2023-01-10,LUAD,alive,GUARDANT360,cfdna,2023-01-20,KRAS|SNV|p.G12C|0.35,,\n"
                    "V-3,山田,三,1960-01-03,M,2023-01-10,LUAD,alive,GUARDANT360,cfdna,2023-01-20,EGFR|SNV|p.T790M|31%,,\n"
                    "V-4,山田,四,1960-01-04,M,2023-01-10,LUAD,alive,F1CDX,primary,2023-01-20,BRAF|SNV|p.V600E|0.31,,\n");
  EXPECT_EQ(sum.accepted, 4) << Errors(sum);
  std::map<std::string, double> vaf;
  for (const auto& c : Cases())
    for (const auto& a : c.tests(0).alterations()) vaf[a.gene() + " " + a.protein_change()] = a.vaf();
  EXPECT_DOUBLE_EQ(vaf["EGFR p.L858R"], 0.125);
  EXPECT_DOUBLE_EQ(vaf["TP53 p.R273H"], 0.008);
  EXPECT_DOUBLE_EQ(vaf["KRAS p.G12C"], 0.0035) << "0.35 in a percent column is 0.35 %, never 35 %";
  EXPECT_DOUBLE_EQ(vaf["EGFR p.T790M"], 0.31);
  EXPECT_DOUBLE_EQ(vaf["BRAF p.V600E"], 0.31) << "another assay's fractions stay fractions";
}

// 5. A VAF column whose unit is in doubt: the alterations go in without VAF.
TEST_F(IntakeTest, AVafColumnInDoubtIsLeftOutWithOneMessageNeverGuessed) {
  std::string rows;
  for (int i = 1; i <= 12; ++i)
    rows += "W-" + std::to_string(i) + ",山田,太郎" + std::to_string(i) + ",1960-01-01,M,2023-01-10,LUAD,alive,F1CDX,"
            "primary,2023-01-20,KRAS|SNV|p.G12C|" + (i == 12 ? std::string("1.7") : "0.31") + ",,\n";
  auto sum = Import("doubt.csv", rows);
  EXPECT_EQ(sum.accepted, 12) << Errors(sum);
  EXPECT_EQ(sum.refused_by_kind["vaf"], 1);
  EXPECT_THAT(Errors(sum), HasSubstr("VAF unit in doubt for assay F1CDX"));
  EXPECT_THAT(Errors(sum), HasSubstr("1.7 at line 13"));
  for (const auto& c : Cases()) EXPECT_EQ(c.tests(0).alterations(0).vaf(), 0) << "no VAF stored, not 0.0031";
  EXPECT_EQ(Alterations().count("KRAS p.G12C"), 12u) << "the alterations themselves go in";
}

// 5. TMB with its unit is read; a category is refused with a clear message.
TEST_F(IntakeTest, TmbWithUnitsIsReadAndACategoryIsRefused) {
  auto sum = Import("tmb.csv",
                    "T-1,山田,一,1960-01-01,M,2023-01-10,LUAD,alive,F1CDX,primary,2023-01-20,,12 mut/Mb,\n"
                    "T-2,山田,二,1960-01-02,M,2023-01-10,LUAD,alive,F1CDX,primary,2023-01-20,,TMB-H,\n");
  EXPECT_EQ(sum.accepted, 1);
  ASSERT_EQ(Cases().size(), 1u);
  EXPECT_DOUBLE_EQ(Cases()[0].tests(0).tmb(), 12);
  EXPECT_THAT(Errors(sum), HasSubstr("category"));
}

// 7. Year-first dates in the forms exports use; a spreadsheet serial is refused.
TEST_F(IntakeTest, YearFirstDatesAreNormalisedAndSerialNumbersRefused) {
  auto sum = Import("dates.csv",
                    "D-1,山田,一,1961/04/02,M,2023/2/14,LMS,alive,,,,,,\n"
                    "D-2,山田,二,1961-04-02 00:00:00,M,2023-02-14,LMS,alive,,,,,,\n"
                    "D-3,山田,三,１９６１－０４－０２,M,2023-02-14,LMS,alive,,,,,,\n"
                    "D-4,山田,四,S36.04.02,M,2023-02-14,LMS,alive,,,,,,\n"
                    "D-5,山田,五,22373,M,2023-02-14,LMS,alive,,,,,,\n");
  EXPECT_EQ(sum.accepted, 4) << Errors(sum);
  EXPECT_EQ(sum.quarantined, 1);
  EXPECT_THAT(Errors(sum), HasSubstr("serial"));
  for (const auto& c : Cases()) {
    EXPECT_EQ(c.birth_year(), 1961);
    EXPECT_EQ(c.registration_month(), "2023-02");
    EXPECT_EQ(c.age_at_registration(), 61);
  }
  EXPECT_GE(sum.normalised_by_kind["date"], 4);
}

// 9. One person's two genomic tests under one record number become one case;
// two persons under one number are both held back, naming the lines.
TEST_F(IntakeTest, ARepeatedRecordNumberMergesOnePersonsTestsAndRefusesTwoPersons) {
  auto sum = Import("dup.csv",
                    "K-1,中村,勇,1959-08-19,M,2023-01-10,SYNS,alive,F1CDX,primary,2023-01-25,SSX1|FUSION|SS18::SSX1|,1.2,MSS\n"
                    "K-1,中村,勇,1959-08-19,M,2023-01-10,SYNS,alive,GUARDANT360,cfdna,2024-03-01,TP53|SNV|p.R248Q|0.05,,MSS\n"
                    "K-2,小川,里美,1990-04-04,F,2023-02-01,ASPS,alive,,,,,,\n"
                    "K-2,大野,拓也,1948-12-12,M,2023-02-01,CHDM,alive,,,,,,\n");
  EXPECT_EQ(sum.accepted, 1) << Errors(sum);
  EXPECT_EQ(sum.updated, 0) << "a repeat is not reported as a plain update";
  EXPECT_EQ(sum.merged_tests, 1);
  EXPECT_EQ(sum.quarantined, 2);
  EXPECT_THAT(Errors(sum), HasSubstr("at lines 4 and 5 belongs to different persons"));
  ASSERT_EQ(Cases().size(), 1u);
  ASSERT_EQ(Cases()[0].tests_size(), 2) << "both tests are kept";
  EXPECT_EQ(Cases()[0].tests(0).assay(), "F1CDX");
  EXPECT_EQ(Cases()[0].tests(1).assay(), "GUARDANT360");
}

// Rows of a repeated record number wait on disk (agent/held_rows.h) and are
// parsed again at the file's end: they must come back as the first read gave
// them. A UTF-8 file with a BOM and CRLF line ends, quoted cells (one with a
// comma), and a record number spelt two ways; a CP932 file whose held rows
// carry decoded names (the same person as a UTF-8 import's, so the held
// rows' names are the decoded ones, not raw CP932 bytes).
TEST_F(IntakeTest, HeldRowsOfARepeatedNumberReadBackAsTheFileGaveThem) {
  RecordNumberRules strip;
  strip.leading_zeros = LeadingZeros::kStrip;
  importer_ = std::make_unique<Importer>(*store_, "ncch", SiteKeys{std::string(32, 'L'), std::string(32, 'R')}, 512,
                                         strip);
  std::string header = kHeader;
  header.insert(header.size() - 1, "\r");
  auto sum = Import("crlf.csv",
                    "\"００１２３\",\"中村\",勇,1959-08-19,M,2023-01-10,SYNS,alive,F1CDX,primary,2023-01-25,"
                    "SSX1|FUSION|SS18::SSX1|,1.2,MSS\r\n"
                    "K-5,小川,里美,1990-04-04,F,2023-02-01,ASPS,alive,,,,,,\r\n"
                    "123,中村,勇,1959-08-19,M,2023-01-10,SYNS,alive,\"GUARDANT360\",cfdna,2024-03-01,"
                    "\"TP53|SNV|p.R248Q|0.05\",,MSS\r\n",
                    "\xEF\xBB\xBF" + header);
  EXPECT_EQ(sum.quarantined, 0) << Errors(sum);
  EXPECT_EQ(sum.accepted, 2);
  EXPECT_EQ(sum.merged_tests, 1) << "00123 (full-width) and 123 are one number under strip";
  EXPECT_EQ(sum.normalised_by_kind["record_number"], 1) << "the merged case's first row was renumbered";
  ASSERT_EQ(Cases().size(), 2u);
  int tests = 0;
  for (const auto& c : Cases()) tests += c.tests_size();
  EXPECT_EQ(tests, 2);
  EXPECT_EQ(Alterations(), (std::multiset<std::string>{"SSX1 SS18::SSX1", "TP53 p.R248Q"}));

  // 山田 太郎 in UTF-8 under S-1, then in CP932 under S-2 twice (8E 52 93 63, 91 BE 98 59).
  Import("utf8.csv", "S-1,山田,太郎,1960-01-01,M,2023-01-10,LMS,alive,,,,,,\n");
  auto held = Import("sjis-repeat.csv",
                     "S-2,\x8E\x52\x93\x63,\x91\xBE\x98\x59,1960-01-01,M,2023-01-10,LMS,alive,F1CDX,primary,"
                     "2023-01-25,,,\n"
                     "S-2,\x8E\x52\x93\x63,\x91\xBE\x98\x59,1960-01-01,M,2023-01-10,LMS,alive,F1CDX,"
                     "metastasis,2024-01-20,,,\n");
  EXPECT_EQ(held.encoding, "CP932");
  EXPECT_EQ(held.quarantined, 1) << Errors(held);
  EXPECT_THAT(Errors(held), HasSubstr("sjis-repeat.csv:2"));
  EXPECT_THAT(Errors(held), HasSubstr("same person as record S-1"));
}

// A found by the synthetic data's later tests: a repeat whose test found
// nothing (no gene table stamped) is still the same case as one whose test
// found something, in either order.
TEST_F(IntakeTest, ARepeatWithoutAlterationsMergesWithOneThatHasThem) {
  auto sum = Import("later.csv",
                    "K-1,中村,勇,1959-08-19,M,2023-01-10,SYNS,alive,F1CDX,primary,2023-01-25,,1.2,MSS\n"
                    "K-1,中村,勇,1959-08-19,M,2023-01-10,SYNS,alive,GUARDANT360,cfdna,2024-03-01,TP53|SNV|p.R248Q|0.05,,MSS\n"
                    "K-2,小川,里美,1990-04-04,F,2023-02-01,ASPS,alive,F1CDX,primary,2023-02-20,TFE3|FUSION|ASPSCR1::TFE3|,,MSS\n"
                    "K-2,小川,里美,1990-04-04,F,2023-02-01,ASPS,alive,F1CDX,metastasis,2024-01-20,,,MSS\n");
  EXPECT_EQ(sum.accepted, 2) << Errors(sum);
  EXPECT_EQ(sum.merged_tests, 2);
  EXPECT_EQ(sum.quarantined, 0) << Errors(sum);
  ASSERT_EQ(Cases().size(), 2u);
  for (const auto& c : Cases()) {
    EXPECT_EQ(c.tests_size(), 2);
    EXPECT_FALSE(c.gene_table_version().empty()) << c.case_id() << ": the version of the genes it carries";
  }
}

// 9. An update under a stored record number for another person is refused.
TEST_F(IntakeTest, AnUpdateForAnotherPersonUnderTheSameNumberIsQuarantined) {
  Import("a.csv", "P-1,小川,里美,1990-04-04,F,2023-02-01,ASPS,alive,,,,,,\n");
  auto sum = Import("b.csv", "P-1,大野,拓也,1948-12-12,M,2023-02-01,ASPS,dead,,,,,,\n");
  EXPECT_EQ(sum.updated, 0);
  EXPECT_EQ(sum.quarantined, 1);
  EXPECT_THAT(Errors(sum), HasSubstr("stored for another person"));
  ASSERT_EQ(Cases().size(), 1u);
  EXPECT_EQ(Cases()[0].vital_status(), v1::VITAL_STATUS_ALIVE) << "never applied";
  ImportOptions confirmed;
  confirmed.accept_identity_changes = true;
  auto ok = importer_->ImportFile(Write("c.csv", std::string(kHeader) +
                                                     "P-1,大野,拓也,1948-12-12,M,2023-02-01,ASPS,dead,,,,,,\n"),
                                  confirmed);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->updated, 1) << "the operator confirmed the corrected identity";
}

// 9. A new record number for a person who is a live case under another
// number is held, naming that number and the command; after the re-key the
// same export updates the one case (same case id: the centre sees no change).
TEST_F(IntakeTest, ANewNumberForAStoredPersonIsHeldUntilReKeyed) {
  Import("a.csv", "A-1,松本,健,1955-03-03,M,2023-01-10,LMS,alive,,,,,,\n");
  ASSERT_EQ(Cases().size(), 1u);
  const std::string case_id = Cases()[0].case_id();
  const std::string renumbered = "A-9,松本,健,1955-03-03,M,2023-01-10,LMS,dead,,,,,,\n";
  auto held = Import("b.csv", renumbered);
  EXPECT_EQ(held.accepted, 0);
  EXPECT_EQ(held.quarantined, 1);
  EXPECT_EQ(held.refused_by_kind["same_person"], 1);
  EXPECT_THAT(Errors(held), HasSubstr("b.csv:2: record_number: same person as record A-1"));
  EXPECT_THAT(Errors(held), HasSubstr("'fedregctl agent rekey A-1 A-9'"));
  ASSERT_EQ(Cases().size(), 1u) << "never a second case for one person";

  auto moved = importer_->Rekey("A-1", "A-9");
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(*moved, case_id);
  const uint64_t seq_before = store_->highest_seq();
  auto again = Import("b2.csv", renumbered);
  EXPECT_EQ(again.quarantined, 0) << Errors(again);
  EXPECT_EQ(again.updated, 1);
  ASSERT_EQ(Cases().size(), 1u);
  EXPECT_EQ(Cases()[0].case_id(), case_id);
  EXPECT_EQ(Cases()[0].vital_status(), v1::VITAL_STATUS_DEAD);
  EXPECT_EQ(store_->highest_seq(), seq_before + 1) << "one update, no new case";
  // The old number is free now; under it the same person is held again.
  auto old_number = Import("c.csv", "A-1,松本,健,1955-03-03,M,2023-01-10,LMS,dead,,,,,,\n");
  EXPECT_THAT(Errors(old_number), HasSubstr("same person as record A-9"));
}

// 9. The store's person index (schema 3) answers for live cases only: a
// withdrawn person's new number is a new case, and after a confirmed identity
// correction the old person is free and the new one is found under the record.
TEST_F(IntakeTest, ThePersonIndexFollowsWithdrawalsAndIdentityCorrections) {
  const std::string matsumoto = "松本,健,1955-03-03,M,2023-01-10,LMS,alive,,,,,,\n";
  Import("a.csv", "A-1," + matsumoto);
  EXPECT_THAT(Errors(Import("b.csv", "A-2," + matsumoto)), HasSubstr("same person as record A-1"));
  ASSERT_TRUE(importer_->Withdraw("A-1", "CONSENT_WITHDRAWN").ok());
  auto after_withdrawal = Import("c.csv", "A-2," + matsumoto);
  EXPECT_EQ(after_withdrawal.quarantined, 0) << Errors(after_withdrawal);
  EXPECT_EQ(after_withdrawal.accepted, 1);

  Import("d.csv", "P-1,小川,里美,1990-04-04,F,2023-02-01,ASPS,alive,,,,,,\n");
  ImportOptions confirmed;
  confirmed.accept_identity_changes = true;
  ASSERT_TRUE(importer_->ImportFile(Write("e.csv", std::string(kHeader) +
                                                       "P-1,大野,拓也,1948-12-12,M,2023-02-01,ASPS,alive,,,,,,\n"),
                                    confirmed)
                  .ok());
  auto old_person = Import("f.csv", "P-5,小川,里美,1990-04-04,F,2023-02-01,ASPS,alive,,,,,,\n");
  EXPECT_EQ(old_person.quarantined, 0) << "no live case is 小川 any more: " << Errors(old_person);
  EXPECT_THAT(Errors(Import("g.csv", "P-6,大野,拓也,1948-12-12,M,2023-02-01,ASPS,alive,,,,,,\n")),
              HasSubstr("same person as record P-1"));
}

// 9. Within one file across commit chunks: the run forgets each committed
// chunk's people (its memory stays one chunk long) and the store's index
// answers for them.
TEST_F(IntakeTest, ASamePersonRowInALaterChunkOfTheFileIsHeld) {
  Importer one_row_chunks(*store_, "ncch", SiteKeys{std::string(32, 'L'), std::string(32, 'R')},
                          /*rows_per_commit=*/1);
  auto sum = one_row_chunks.ImportFile(Write("a.csv", std::string(kHeader) +
                                                          "C-1,松本,健,1955-03-03,M,2023-01-10,LMS,alive,,,,,,\n"
                                                          "C-2,岡田,奈々,1971-07-07,F,2023-01-10,LMS,alive,,,,,,\n"
                                                          "C-3,松本,健,1955-03-03,M,2023-01-10,LMS,alive,,,,,,\n"));
  ASSERT_TRUE(sum.ok()) << sum.status();
  EXPECT_EQ(sum->accepted, 2);
  EXPECT_EQ(sum->quarantined, 1);
  EXPECT_THAT(Errors(*sum), HasSubstr("a.csv:4: record_number: same person as record C-1"));
}

TEST_F(IntakeTest, RekeyRefusesUnknownTakenWithdrawnAndSameNumbers) {
  Import("a.csv",
         "B-1,松本,健,1955-03-03,M,2023-01-10,LMS,alive,,,,,,\n"
         "B-2,岡田,奈々,1971-07-07,F,2023-01-10,LMS,alive,,,,,,\n"
         "B-3,石井,誠,1966-06-06,M,2023-01-10,LMS,alive,,,,,,\n");
  EXPECT_EQ(importer_->Rekey("B-404", "B-5").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(importer_->Rekey("B-1", "B-2").status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(importer_->Rekey("B-1", "B-1").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(importer_->Rekey("B-1", "B 7").status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(importer_->Withdraw("B-3", "CONSENT_WITHDRAWN").ok());
  EXPECT_EQ(importer_->Rekey("B-3", "B-8").status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_EQ(Cases().size(), 2u) << "nothing moved or lost";
}

// 9. Two new numbers for one person within one file: the second is held.
// Two patients who share name, birth date and sex go in when the operator
// says so.
TEST_F(IntakeTest, TwoNewNumbersForOnePersonInOneFileAreHeldUnlessConfirmed) {
  const std::string rows =
      "C-1,松本,健,1955-03-03,M,2023-01-10,LMS,alive,,,,,,\n"
      "C-2,松本,健,1955-03-03,M,2023-01-10,LMS,alive,,,,,,\n";
  auto sum = Import("a.csv", rows);
  EXPECT_EQ(sum.accepted, 1);
  EXPECT_EQ(sum.quarantined, 1);
  EXPECT_THAT(Errors(sum), HasSubstr("a.csv:3: record_number: same person as record C-1"));
  ImportOptions two_patients;
  two_patients.accept_same_person = true;
  auto confirmed = importer_->ImportFile(Write("b.csv", std::string(kHeader) + rows), two_patients);
  ASSERT_TRUE(confirmed.ok());
  EXPECT_EQ(confirmed->accepted, 1);
  EXPECT_EQ(confirmed->unchanged, 1);
  EXPECT_EQ(Cases().size(), 2u);
}

// 9. Record numbers: full-width digits are read as ASCII; leading zeros are
// padding only where the site's config says so.
TEST_F(IntakeTest, LeadingZerosArePaddingOnlyWhenTheSiteSaysSo) {
  // Default (keep): 000123 and 123 are two numbers, so the same person
  // under the second is held, not stored twice.
  Import("a.csv", "000123,松本,健,1955-03-03,M,2023-01-10,LMS,alive,,,,,,\n");
  auto kept = Import("b.csv", "123,松本,健,1955-03-03,M,2023-01-10,LMS,alive,,,,,,\n");
  EXPECT_THAT(Errors(kept), HasSubstr("same person as record 000123"));

  // strip: one number. A store filled before the setting still finds its
  // "000123" case through the re-key (the old number as given).
  RecordNumberRules strip;
  strip.leading_zeros = LeadingZeros::kStrip;
  importer_ = std::make_unique<Importer>(*store_, "ncch", SiteKeys{std::string(32, 'L'), std::string(32, 'R')}, 512,
                                         strip);
  ASSERT_TRUE(importer_->Rekey("000123", "123").ok());
  auto one = Import("c.csv",
                    "00123,松本,健,1955-03-03,M,2023-01-10,LMS,dead,,,,,,\n"
                    "１２４,岡田,奈々,1971-07-07,F,2023-01-10,LMS,alive,,,,,,\n");  // full-width digits
  EXPECT_EQ(one.quarantined, 0) << Errors(one);
  EXPECT_EQ(one.updated, 1);
  EXPECT_EQ(one.accepted, 1);
  EXPECT_EQ(one.normalised_by_kind["record_number"], 2);
  EXPECT_EQ(Cases().size(), 2u);
  auto w = importer_->Withdraw("0124", "CONSENT_WITHDRAWN");
  EXPECT_TRUE(w.ok()) << "withdraw reads the number as imports do: " << w.status();
}

TEST(RecordNumber, NormalisesWidthAndOnlyTheZerosOfANumber) {
  RecordNumberRules keep, strip;
  strip.leading_zeros = LeadingZeros::kStrip;
  EXPECT_EQ(NormalizeRecordNumber(" 000123\xE3\x80\x80", keep), "000123");
  EXPECT_EQ(NormalizeRecordNumber("\xEF\xBC\x90\xEF\xBC\x91", keep), "01");  // "０１"
  EXPECT_EQ(NormalizeRecordNumber("000123", strip), "123");
  EXPECT_EQ(NormalizeRecordNumber("000", strip), "0");
  EXPECT_EQ(NormalizeRecordNumber("0A12", strip), "0A12") << "not a number: its zero is not padding";
  EXPECT_EQ(NormalizeRecordNumber("a12", strip), "a12") << "case is kept";
  LeadingZeros z;
  EXPECT_TRUE(ParseLeadingZeros("strip", &z));
  EXPECT_EQ(z, LeadingZeros::kStrip);
  EXPECT_FALSE(ParseLeadingZeros("Strip", &z));
  EXPECT_TRUE(CheckRecordNumber("K-12").ok());
  EXPECT_FALSE(CheckRecordNumber(std::string(33, '1')).ok());
  EXPECT_THAT(std::string(CheckRecordNumber("K 12").message()), HasSubstr("'K 12'"));
}

// 8. A case stored under name rules 1 is compared like with like, then re-keyed.
TEST_F(IntakeTest, ACaseStoredUnderOlderNameRulesIsReKeyedNotSplitOrRefused) {
  Import("a.csv", "N-1,髙橋,花子,1970-06-15,F,2023-04-03,LMS,alive,,,,,,\n");
  ASSERT_EQ(Cases().size(), 1u);
  // Rewrite the stored case as an agent of name rules 1 would have stored it.
  PersonFields p;
  p.family = "髙橋";
  p.given = "花子";
  p.birth_yyyymmdd = "19700615";
  p.sex_code = "F";
  std::vector<std::string> v1;
  BuildError e;
  ASSERT_TRUE(ComputeLinkTokens(std::string(32, 'L'), p, 1, &v1, &e));
  EXPECT_EQ(v1[0].rfind("T1:", 0), 0u);
  Change old;
  old.case_record = Cases()[0];
  old.case_record.clear_link_tokens();
  for (const auto& t : v1) old.case_record.add_link_tokens(t);
  old.case_record.set_record_version(2);
  ASSERT_TRUE(store_->Commit({old}, {}).ok());
  // The same person again: same under rules 1, so the case is re-keyed (an update).
  auto same = Import("b.csv", "N-1,髙橋,花子,1970-06-15,F,2023-04-03,LMS,alive,,,,,,\n");
  EXPECT_EQ(same.quarantined, 0) << Errors(same);
  EXPECT_EQ(same.updated, 1);
  ASSERT_EQ(Cases().size(), 1u);
  EXPECT_EQ(Cases()[0].link_tokens(0).rfind("T1v2:", 0), 0u) << "now under the current rules";
  // Another person under that number is still refused.
  auto other = Import("c.csv", "N-1,大野,拓也,1948-12-12,M,2023-04-03,LMS,alive,,,,,,\n");
  EXPECT_EQ(other.quarantined, 1);
}

// 10. Padded and case-varied cells; rows empty but for delimiters.
TEST_F(IntakeTest, PaddedCellsAreTrimmedAndEmptyRowsSkippedApart) {
  auto sum = Import("padded.csv",
                    "S-1,田村,実,1960-01-01,M ,2023-04-03,LMS ,alive,,,,,,\n"
                    "S-2,関,恵美,1961-02-02,F,2023-04-03,LMS, alive,,,,,,\n"
                    "S-3 ,内田,博之,1962-03-03,M,2023-04-03,LMS,alive,,,,,,\n"
                    "S-4,堀,直美,1963-04-04,F,2023-04-03,LMS\xE3\x80\x80,alive,,,,,,\n"
                    "S-5,林,一,1963-04-05,\xEF\xBC\xAD,2023-04-03,LMS,Alive,F1CDX,Primary,2023-04-10,,,mss\n"
                    ",,,,,,,,,,,,,\n"
                    "S-6,林,二,1963-04-06,m,2023-04-03,LMS,alive,F1CDX,Primary,2023-04-10,,,mss\n");
  EXPECT_EQ(sum.accepted, 6) << Errors(sum);
  EXPECT_EQ(sum.quarantined, 0);
  EXPECT_EQ(sum.empty_rows, 1);
  EXPECT_EQ(sum.rows, 6) << "the empty row is not a row";
}

// 11. A case beyond the per-case limits is refused at import, naming the limit.
TEST_F(IntakeTest, ACaseBeyondTheLimitsIsRefusedNamingFieldAndLimit) {
  std::string many = "BRAF|SNV|p.V600E|0.3";
  for (size_t i = 1; i <= kMaxAlterationsPerRow; ++i) many += ";TP53|SNV|p.R" + std::to_string(100 + i % 200) + "H|0.1";
  auto sum = Import("big.csv", "B-1,山田,一,1960-01-01,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20," + many +
                                   ",,\n"
                                   "B-2,山田,二,1960-01-02,M,2023-01-10,LMS,alive,,,,,,\n");
  EXPECT_EQ(sum.accepted, 1);
  EXPECT_EQ(sum.quarantined, 1);
  EXPECT_THAT(Errors(sum), HasSubstr(":2: alterations: 20001 items, at most 20000 per case"));
  EXPECT_EQ(sum.refused_by_kind["size"], 1);
}

// 6. A CP932 (Shift_JIS) export is decoded as a whole, never half-imported.
TEST_F(IntakeTest, AShiftJisExportIsDecodedAsAWhole) {
  // 山田 (8E 52 93 63), 髙橋 (FB FC 8B B4), ﾃｲ ﾐｷ (C3 B2, D0 B7): CP932 bytes.
  std::string rows = "J-1,\x8E\x52\x93\x63,\x91\xBE\x98\x59,1960-01-01,M,2023-01-10,LMS,alive,,,,,,\n"
                     "J-2,\xFB\xFC\x8B\xB4,\x88\xEA,1960-01-02,M,2023-01-10,LMS,alive,,,,,,\n"
                     "J-3,\xC3\xB2,\xD0\xB7,1960-01-03,F,2023-01-10,LMS,alive,,,,,,\n";
  auto sum = Import("sjis.csv", rows);
  EXPECT_EQ(sum.encoding, "CP932");
  EXPECT_EQ(sum.accepted, 3) << Errors(sum);
}

// 12. Every message is valid UTF-8 whatever it quotes.
TEST_F(IntakeTest, MessagesQuotingNonAsciiValuesStayValidUtf8) {
  auto sum = Import("msg.csv",
                    "M-1,山田,一,1960-01-01,M,2023-01-10,脱分化型脂肪肉腫脱分化型脂肪肉腫脱分化型脂肪肉腫,alive,,,,,,\n"
                    "M-2,山田,二,1960-01-02,M,2023-01-10,LMS,生存,,,,,,\n");
  EXPECT_EQ(sum.quarantined, 2);
  EXPECT_TRUE(IsValidUtf8(Errors(sum)));
}

}  // namespace
}  // namespace fedreg::agent
