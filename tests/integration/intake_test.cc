// Real hospital exports at two hospitals through real processes (agents,
// aggregator, mutual TLS): what the national view and the person count show
// once the kinds of issue 10 are normalised. The inputs are written here,
// after ../shared/field-cases/ (11 itaiji, 01 HGVS, 04 genes, 08 CP932).
#include <gtest/gtest.h>

#include <fstream>

#include "agent/agent_store.h"
#include "tests/integration/cluster.h"

namespace fedreg::testing {
namespace {

const char kHeader[] =
    "record_number,family_name,given_name,birth_date,sex,registration_date,oncotree_code,vital_status,assay,"
    "specimen,report_date,alterations,tmb,msi\n";

std::string Write(Cluster& c, const std::string& name, const std::string& bytes) {
  std::string path = c.dir() + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

int64_t Count(const v1::GetStatsResponse& stats, const std::string& dim, const std::string& value) {
  for (const auto& c : stats.counts())
    if (c.dimension() == dim && c.value() == value) return c.count();
  return 0;
}

// Imports `ncch` and `kyoto` files at their agents and returns the verified view.
v1::GetStatsResponse ImportAtTwoHospitals(Cluster& c, const std::string& ncch, const std::string& kyoto) {
  c.StartAggregator();
  c.StartAgent("ncch");
  c.StartAgent("kyoto");
  auto a = c.Import("ncch", ncch);
  auto b = c.Import("kyoto", kyoto);
  EXPECT_EQ(a.quarantined() + b.quarantined(), 0) << (a.errors_size() ? a.errors(0) : "")
                                                  << (b.errors_size() ? b.errors(0) : "");
  EXPECT_TRUE(c.WaitForDrain("ncch"));
  EXPECT_TRUE(c.WaitForDrain("kyoto"));
  v1::GetStatsResponse stats;
  EXPECT_TRUE(c.GetStats(true, &stats).ok());
  EXPECT_TRUE(stats.verified());
  return stats;
}

TEST(Intake, KanjiVariantsOfOnePersonAtTwoHospitalsCountAsOnePerson) {
  Cluster c;
  const std::string ncch = std::string(kHeader) +
                           "K-1,髙橋,花子,1970-06-15,F,2023-04-03,LMS,alive,,,,,,\n"
                           "K-2,山﨑,健一,1955-02-03,M,2023-04-03,LMS,alive,,,,,,\n"
                           "K-3,渡邊,恵子,1968-10-10,F,2023-04-03,LMS,alive,,,,,,\n"
                           "K-4,齋藤,学,1977-07-07,M,2023-04-03,LMS,alive,,,,,,\n"
                           "K-5,𠮷田,陽子,1981-03-03,F,2023-04-03,LMS,alive,,,,,,\n"
                           "K-6,濵田,修,1960-09-09,M,2023-04-03,LMS,alive,,,,,,\n"
                           "K-7,ﾀｶﾊｼ,ﾊﾅｺ,1988-06-15,F,2023-04-03,LMS,alive,,,,,,\n"
                           "K-8,斉藤,学,1977-07-07,M,2023-04-03,LMS,alive,,,,,,\n";
  const std::string kyoto = std::string(kHeader) +
                            "R-1,高橋,花子,1970-06-15,F,2023-08-01,LMS,alive,,,,,,\n"
                            "R-2,山崎,健一,1955-02-03,M,2023-08-01,LMS,alive,,,,,,\n"
                            "R-3,渡辺,恵子,1968-10-10,F,2023-08-01,LMS,alive,,,,,,\n"
                            "R-4,斎藤,学,1977-07-07,M,2023-08-01,LMS,alive,,,,,,\n"
                            "R-5,吉田,陽子,1981-03-03,F,2023-08-01,LMS,alive,,,,,,\n"
                            "R-6,浜田,修,1960-09-09,M,2023-08-01,LMS,alive,,,,,,\n"
                            "R-7,タカハシ,ハナコ\xE3\x80\x80,1988-06-15,F,2023-08-01,LMS,alive,,,,,,\n";
  auto stats = ImportAtTwoHospitals(c, Write(c, "ncch.csv", ncch), Write(c, "kyoto.csv", kyoto));
  EXPECT_EQ(stats.cases(), 15);
  EXPECT_EQ(stats.unique_persons(), 8) << "7 pairs link; 斉藤 is not 斎藤";
}

TEST(Intake, OneChangeAndOneGeneAreCountedUnderOneNameAcrossHospitals) {
  Cluster c;
  const std::string ncch = std::string(kHeader) +
                           "H-1,山田,一,1960-01-01,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,BRAF|SNV|p.V600E|0.3,,\n"
                           "H-2,山田,二,1960-01-02,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,TP53|SNV|p.R213*|0.3,,\n"
                           "H-3,山田,三,1960-01-03,M,2023-01-10,BRCA,alive,F1CDX,primary,2023-01-20,ERBB2|AMP||,,\n"
                           "H-4,山田,四,1960-01-04,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,KMT2A|FUSION|KMT2A::MLLT3|,,\n";
  const std::string kyoto = std::string(kHeader) +
                            "R-1,佐藤,一,1961-01-01,F,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,BRAF|SNV|p.Val600Glu|0.3,,\n"
                            "R-2,佐藤,二,1961-01-02,F,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,TP53|SNV|p.R213X|0.3,,\n"
                            "R-3,佐藤,三,1961-01-03,F,2023-01-10,BRCA,alive,F1CDX,primary,2023-01-20,HER2|amp||,,\n"
                            "R-4,佐藤,四,1961-01-04,F,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,braf|SNV|p.(V600E)|0.3,,\n"
                            "R-5,佐藤,五,1961-01-05,F,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20,MLL|FUSION|MLL-MLLT3 fusion|,,\n";
  auto stats = ImportAtTwoHospitals(c, Write(c, "ncch.csv", ncch), Write(c, "kyoto.csv", kyoto));
  EXPECT_EQ(Count(stats, "alteration", "BRAF p.V600E"), 3);
  EXPECT_EQ(Count(stats, "alteration", "TP53 p.R213*"), 2);
  EXPECT_EQ(Count(stats, "gene", "ERBB2"), 2);
  EXPECT_EQ(Count(stats, "gene", "HER2"), 0) << "never counted under two names";
  EXPECT_EQ(Count(stats, "alteration", "KMT2A::MLLT3 fusion"), 2);
  EXPECT_EQ(Count(stats, "gene", "MLL"), 0);
}

TEST(Intake, AShiftJisExportAndAnExcelUtf8ExportLinkTheSamePersons) {
  Cluster c;
  // ncch: CP932 (山田 太郎, and ﾃｲ ﾐｷ in half-width katakana); kyoto: Excel's
  // "CSV UTF-8" (BOM, CRLF) with the same half-width person.
  const std::string ncch = std::string(kHeader) +
                           "S-1,\x8E\x52\x93\x63,\x91\xBE\x98\x59,1961-04-02,M,2023-02-14,LMS,alive,,,,,,\n"
                           "S-2,\xC3\xB2,\xD0\xB7,1975-05-05,F,2023-02-14,LMS,alive,,,,,,\n";
  std::string kyoto = "\xEF\xBB\xBF" + std::string(kHeader) +
                      "R-1,ﾃｲ,ﾐｷ,1975-05-05,F,2023-06-01,LMS,alive,,,,,,\r\n"
                      "R-2,山田,太郎,1961-04-02,M,2023-06-01,LMS,alive,,,,,,\r\n";
  for (size_t pos = kyoto.find("msi\n"); pos != std::string::npos; pos = std::string::npos) kyoto.replace(pos, 4, "msi\r\n");
  auto stats = ImportAtTwoHospitals(c, Write(c, "ncch.csv", ncch), Write(c, "kyoto.csv", kyoto));
  EXPECT_EQ(stats.cases(), 4);
  EXPECT_EQ(stats.unique_persons(), 2) << "both persons link: the CP932 names were decoded, not garbled";
}

// Dates in the forms exports use, padded cells and one person's two tests
// under one record number: the same persons link with another hospital's
// plain ISO export, and nothing is counted twice.
TEST(Intake, ReformattedDatesPaddedCellsAndRepeatedNumbersLinkWithAPlainExport) {
  Cluster c;
  const std::string ncch = std::string(kHeader) +
                           "D-1,中村,勇,1959/8/19,M ,2023/1/10,SYNS ,Alive,F1CDX,Primary,2023/1/25,SSX1|FUSION|SS18-SSX1|,,mss\n"
                           "D-1,中村,勇,S34.08.19,m,2023-01-10,SYNS,alive,GUARDANT360,cfdna,2024-03-01,TP53|SNV|p.Arg248Gln|5%,,\n"
                           "D-2 ,小川,里美,平成2年4月4日,F,2023-02-01 00:00:00,ASPS\xE3\x80\x80,alive,,,,,,\n"
                           ",,,,,,,,,,,,,\n";
  const std::string kyoto = std::string(kHeader) +
                            "R-1,中村,勇,1959-08-19,M,2023-05-01,SYNS,alive,,,,,,\n"
                            "R-2,小川,里美,1990-04-04,F,2023-05-01,ASPS,alive,,,,,,\n";
  auto stats = ImportAtTwoHospitals(c, Write(c, "ncch.csv", ncch), Write(c, "kyoto.csv", kyoto));
  EXPECT_EQ(stats.cases(), 4) << "D-1's two rows are one case";
  EXPECT_EQ(stats.unique_persons(), 2) << "both persons link across the two hospitals";
  EXPECT_EQ(Count(stats, "alteration", "SS18::SSX1 fusion"), 1);
  EXPECT_EQ(Count(stats, "alteration", "TP53 p.R248Q"), 1) << "the second test's alteration is in the case";
  EXPECT_EQ(Count(stats, "oncotree", "SYNS"), 2);
  EXPECT_EQ(Count(stats, "oncotree", "ASPS"), 2);
}

// Issue 10, item 9: a renumbered patient is held, not counted twice; after
// `fedregctl agent rekey` the new number updates the same case at the
// centre. A site whose record numbers are zero-padded says so in its config.
TEST(Intake, ARenumberedPatientIsHeldUntilReKeyedAndPaddedNumbersAreOneWhereConfigured) {
  Cluster c;
  c.StartAggregator();
  c.StartAgent("ncch");
  c.StartAgent("kyoto", "", {"--record-number-leading-zeros", "strip"});
  auto first = c.Import("ncch", Write(c, "ncch-1.csv", std::string(kHeader) +
                                                         "A-1,松本,健,1955-03-03,M,2023-01-10,LMS,alive,,,,,,\n"));
  EXPECT_EQ(first.accepted(), 1);
  auto padded = c.Import("kyoto", Write(c, "kyoto-1.csv", std::string(kHeader) +
                                                            "000123,岡田,奈々,1971-07-07,F,2023-01-10,ASPS,alive,,,,,,\n"
                                                            "000124,松本,健,1955-03-03,M,2023-05-01,LMS,alive,,,,,,\n"));
  EXPECT_EQ(padded.accepted(), 2);
  const std::string renumbered = std::string(kHeader) + "A-9,松本,健,1955-03-03,M,2023-01-10,LMS,dead,,,,,,\n";
  auto held = c.Import("ncch", Write(c, "ncch-2.csv", renumbered));
  EXPECT_EQ(held.accepted(), 0);
  ASSERT_EQ(held.errors_size(), 1);
  EXPECT_NE(held.errors(0).find("same person as record A-1"), std::string::npos) << held.errors(0);
  EXPECT_EQ(held.refused_by_kind().at("same_person"), 1);
  auto unpadded = c.Import("kyoto", Write(c, "kyoto-2.csv", std::string(kHeader) +
                                                              "123,岡田,奈々,1971-07-07,F,2023-01-10,ASPS,dead,,,,,,\n"));
  EXPECT_EQ(unpadded.updated(), 1) << "123 is 000123 at this site";
  EXPECT_EQ(unpadded.quarantined(), 0);

  v1::RekeyResponse moved;
  auto s = c.Rekey("ncch", "A-1", "A-9", &moved);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(moved.case_id().rfind("ncch-", 0), 0u);
  auto again = c.Import("ncch", Write(c, "ncch-3.csv", renumbered));
  EXPECT_EQ(again.updated(), 1);
  EXPECT_EQ(again.quarantined(), 0);
  v1::RekeyResponse refused;
  EXPECT_EQ(c.Rekey("ncch", "A-1", "A-10", &refused).error_code(), grpc::StatusCode::NOT_FOUND);

  ASSERT_TRUE(c.WaitForDrain("ncch"));
  ASSERT_TRUE(c.WaitForDrain("kyoto"));
  v1::GetStatsResponse stats;
  ASSERT_TRUE(c.GetStats(true, &stats).ok());
  EXPECT_TRUE(stats.verified());
  EXPECT_EQ(stats.cases(), 3) << "one case per patient per hospital";
  EXPECT_EQ(stats.unique_persons(), 2) << "松本 健 links across the two hospitals";
  EXPECT_EQ(Count(stats, "vital", "dead"), 2) << "both updates reached the centre";
}

// Issue 10, item 11: a change the centre can never accept (larger than its
// batch limit) is parked in the site's quarantine; the rest flows on.
TEST(Intake, AChangeTooLargeForTheCentreIsParkedAndTheRestOfTheOutboxFlows) {
  Cluster c;
  std::string many = "TP53|SNV|p.R175H|0.3";
  for (int i = 0; i < 3000; ++i) many += ";TP53|SNV|p.R" + std::to_string(100 + i % 300) + "H|0.3";
  const std::string rows = std::string(kHeader) +
                           "P-1,山田,一,1960-01-01,M,2023-01-10,LMS,alive,,,,,,\n"
                           "P-2,山田,二,1960-01-02,M,2023-01-10,LMS,alive,F1CDX,primary,2023-01-20," + many + ",,\n"
                           "P-3,山田,三,1960-01-03,M,2023-01-10,LMS,alive,,,,,,\n";
  c.StartAggregator({"--max-batch-kib", "64"});
  c.StartAgent("ncch");
  auto sum = c.Import("ncch", Write(c, "big.csv", rows));
  EXPECT_EQ(sum.accepted(), 3) << "within the import limits: stored at the site";
  ASSERT_TRUE(c.WaitForDrain("ncch")) << "the parked change does not stop the outbox";
  v1::GetStatsResponse stats;
  ASSERT_TRUE(c.GetStats(true, &stats).ok());
  EXPECT_EQ(stats.cases(), 2) << "the two cases around it reached the centre";
  EXPECT_TRUE(stats.verified());
  c.StopAgent("ncch");
  agent::AgentStoreOptions o;
  o.path = c.AgentDataDir("ncch") + "/store";
  o.min_free_bytes = 0;
  auto store = agent::AgentStore::Open(o);
  ASSERT_TRUE(store.ok()) << store.status();
  auto q = (*store)->Quarantine(10);
  ASSERT_TRUE(q.ok());
  bool parked = false;
  for (const auto& e : *q)
    if (e.source() == "sender" && e.reason().find("parked") != std::string::npos && !e.case_id().empty()) parked = true;
  EXPECT_TRUE(parked) << "the quarantine names the case and says why";
}

}  // namespace
}  // namespace fedreg::testing
