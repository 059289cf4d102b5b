#include <gtest/gtest.h>

#include "agent/case_builder.h"
#include "common/crypto.h"
#include "common/normalize.h"

namespace fedreg {
namespace {

const std::string kLinkage(32, '\x11');

TEST(NormalizeName, FoldsFullWidthAndCase) {
  EXPECT_EQ(*NormalizeName("ｙａｍａｄａ"), "YAMADA");
  EXPECT_EQ(*NormalizeName("Yamada Taro"), "YAMADATARO");
  EXPECT_EQ(*NormalizeName("O'Brien-Smith"), "OBRIENSMITH");
}

TEST(NormalizeName, FoldsHiraganaAndHalfWidthKatakanaToKatakana) {
  std::string katakana = *NormalizeName("ヤマダ");
  EXPECT_EQ(*NormalizeName("やまだ"), katakana);
  EXPECT_EQ(*NormalizeName("ﾔﾏﾀﾞ"), katakana);  // half-width with a separate voiced mark
  EXPECT_EQ(*NormalizeName("ヤマダ　"), katakana);  // ideographic space
  EXPECT_EQ(*NormalizeName("ヤ・マダ"), katakana);  // middle dot
}

TEST(NormalizeName, RefusesInvalidUtf8) { EXPECT_FALSE(NormalizeName("\xff\xfe").ok()); }

TEST(LinkTokens, AreStableAcrossWritingsOfTheSameName) {
  std::vector<std::string> a, b, c;
  agent::BuildError e;
  ASSERT_TRUE(agent::ComputeLinkTokens(kLinkage, "やまだ", "たろう", "19610402", "M", &a, &e));
  ASSERT_TRUE(agent::ComputeLinkTokens(kLinkage, "ﾔﾏﾀﾞ", "ﾀﾛｳ", "19610402", "M", &b, &e));
  ASSERT_TRUE(agent::ComputeLinkTokens(kLinkage, "ヤマダ", "ハナコ", "19610402", "M", &c, &e));
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a[0], c[0]);  // T1 includes the given name
  EXPECT_EQ(a[1], c[1]);  // T2 does not
  EXPECT_EQ(a[0].substr(0, 5), "T1v2:") << "the name rules version is in the label";
  EXPECT_EQ(a[0].size(), 69u);
}

TEST(LinkTokens, DependOnTheLinkageKey) {
  std::vector<std::string> a, b;
  agent::BuildError e;
  ASSERT_TRUE(agent::ComputeLinkTokens(kLinkage, "Yamada", "Taro", "19610402", "M", &a, &e));
  ASSERT_TRUE(agent::ComputeLinkTokens(std::string(32, '\x22'), "Yamada", "Taro", "19610402", "M", &b, &e));
  EXPECT_NE(a, b);
}

TEST(AesGcm, RoundTripsAndDetectsTampering) {
  std::string key(32, '\x42');
  auto sealed = crypto::AesGcmSeal(key, "record 12345", "aad");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->find("12345"), std::string::npos);
  EXPECT_EQ(*crypto::AesGcmOpen(key, *sealed, "aad"), "record 12345");
  EXPECT_FALSE(crypto::AesGcmOpen(std::string(32, '\x43'), *sealed, "aad").ok());
  EXPECT_FALSE(crypto::AesGcmOpen(key, *sealed, "other aad").ok());
  std::string flipped = *sealed;
  flipped[14] ^= 1;
  EXPECT_FALSE(crypto::AesGcmOpen(key, flipped, "aad").ok());
}

agent::SourceRecord Row() {
  agent::SourceRecord r;
  r.file = "export.csv";
  r.line = 7;
  r.fields = {{"record_number", "K-000123"},  {"family_name", "山田"},        {"given_name", "太郎"},
              {"birth_date", "1961-04-02"},   {"sex", "M"},                   {"registration_date", "2023-02-14"},
              {"oncotree_code", "LMS"},        {"vital_status", "dead"},      {"last_contact_date", "2023-08-01"},
              {"death_date", "2023-09-01"},   {"assay", "NCC-ONCOPANEL"},     {"specimen", "primary"},
              {"report_date", "2023-03-01"}, {"msi", "MSS"},                 {"tmb", "4.2"}};
  r.alterations.push_back({"BRAF", "SNV", "p.V600E", "0.31"});
  r.treatments.push_back({"1", "doxorubicin+ifosfamide", "2023-03-10", "2023-07-01", "SD", ""});
  return r;
}

TEST(BuildCase, DropsIdentifiersAndTurnsDatesIntoOffsets) {
  agent::BuiltCase built;
  agent::BuildError e;
  ASSERT_TRUE(agent::BuildCase(Row(), "ncch", "ncch-ABCDEFGHJK", {kLinkage, std::string(32, '\x33')}, {}, &built, &e))
      << e.field << ": " << e.reason;
  const v1::Case& c = built.record;
  EXPECT_EQ(c.registration_month(), "2023-02");
  EXPECT_EQ(c.age_at_registration(), 61);
  EXPECT_EQ(c.birth_year(), 1961);
  EXPECT_EQ(c.last_contact_day(), 168);  // 2023-02-14 -> 2023-08-01
  EXPECT_EQ(c.death_day(), 199);
  EXPECT_EQ(c.tests(0).report_day(), 15);
  EXPECT_EQ(c.treatments(0).start_day(), 24);
  EXPECT_EQ(c.cancer_class(), v1::CANCER_CLASS_SOLID);
  std::string bytes;
  c.SerializeToString(&bytes);
  for (const char* identifier : {"K-000123", "山田", "太郎", "1961-04-02", "19610402", "2023-02-14", "2023-08-01"})
    EXPECT_EQ(bytes.find(identifier), std::string::npos) << identifier << " leaked into the Case";
  EXPECT_EQ(built.reid.record_number(), "K-000123");
}

TEST(BuildCase, TopCodesAgeAt90AndDropsBirthYear) {
  auto r = Row();
  r.fields["birth_date"] = "1925-01-01";
  agent::BuiltCase built;
  agent::BuildError e;
  ASSERT_TRUE(agent::BuildCase(r, "ncch", "ncch-ABCDEFGHJK", {kLinkage, std::string(32, '\x33')}, {}, &built, &e));
  EXPECT_EQ(built.record.age_at_registration(), 90);
  EXPECT_EQ(built.record.birth_year(), 0);
}

TEST(BuildCase, NamesTheFieldOfTheFirstProblem) {
  struct Bad {
    std::string field, value, expect_field;
  };
  for (const Bad& b : std::vector<Bad>{{"oncotree_code", "XYZ", "oncotree_code"},
                                       {"ecog", "two", "ecog"},
                                       {"birth_date", "1961-02-30", "birth_date"},
                                       {"sex", "male", "sex"},
                                       {"record_number", "", "record_number"},
                                       {"death_date", "2023-07-01", "death_date"}}) {
    auto r = Row();
    r.fields[b.field] = b.value;
    agent::BuiltCase built;
    agent::BuildError e;
    EXPECT_FALSE(agent::BuildCase(r, "ncch", "ncch-ABCDEFGHJK", {kLinkage, std::string(32, '\x33')}, {}, &built, &e))
        << b.field;
    EXPECT_EQ(e.field, b.expect_field);
  }
  // A bad alteration holds back that alteration only, naming its item.
  auto r = Row();
  r.alterations[0].change = "p.V600";
  agent::BuiltCase built;
  agent::BuildError e;
  EXPECT_TRUE(agent::BuildCase(r, "ncch", "ncch-ABCDEFGHJK", {kLinkage, std::string(32, '\x33')}, {}, &built, &e));
  ASSERT_EQ(built.held.size(), 1u);
  EXPECT_EQ(built.held[0].field, "alterations[1].change");
  EXPECT_EQ(built.held[0].kind, "hgvs");
}

}  // namespace
}  // namespace fedreg
