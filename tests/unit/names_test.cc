// Names for record linkage: version 2 of the name rules (common/normalize.h),
// the kanji variant table (common/kanji_variants.h), kana readings, and
// version 1 kept byte for byte.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <string>
#include <vector>

#include "common/kanji_variants.h"
#include "common/normalize.h"

namespace fedreg {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string N(std::string_view s) {
  auto r = NormalizeName(s);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : "<error>";
}

std::string K(std::string_view s) {
  auto r = NormalizeKanaReading(s);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : "<error>";
}

// ---- kanji variants ----------------------------------------------------------

TEST(NameKanjiVariants, FieldCasePairsNormaliseToOneName) {
  EXPECT_EQ(N("髙橋"), N("高橋"));  // U+9AD9, IBM extension (CP932 0xFBFC)
  EXPECT_EQ(N("山﨑"), N("山崎"));  // U+FA11, a unified ideograph NFKC leaves alone
  EXPECT_EQ(N("渡邊"), N("渡辺"));
  EXPECT_EQ(N("渡邉"), N("渡辺"));
  EXPECT_EQ(N("齋藤"), N("斎藤"));
  EXPECT_EQ(N("濵田"), N("浜田"));
  EXPECT_EQ(N("濱田"), N("浜田"));
  EXPECT_EQ(N("髙橋"), "高橋");  // the standard form is the representative
}

TEST(NameKanjiVariants, KyujitaiFoldToShinjitai) {
  EXPECT_EQ(N("國男"), N("国男"));
  EXPECT_EQ(N("澤田"), N("沢田"));
  EXPECT_EQ(N("嶋田"), N("島田"));  // kJinmeiyoKanji names 嶋 a form of 島
  EXPECT_EQ(N("齊藤"), N("斉藤"));
}

TEST(NameKanjiVariants, KeepsSaitoWrittenWithDifferentCharactersApart) {
  // 斎 U+658E and 斉 U+6589 are two Joyo kanji: different surnames.
  EXPECT_NE(N("斎藤"), N("斉藤"));
  EXPECT_NE(N("齋藤"), N("齊藤"));
  EXPECT_NE(N("齋藤"), N("斉藤"));
  EXPECT_NE(N("埼田"), N("崎田"));  // 埼 and 崎: both Joyo
}

TEST(NameKanjiVariants, SupplementaryPlaneItaijiFoldToTheirCommonCharacter) {
  // 𠮷 U+20BB7 (tsuchi-yoshi) is linked to 吉 in Unihan 15.0 only as a
  // kSpoofingVariant: tier 4 (supplementary plane, one standard target).
  EXPECT_EQ(FoldKanjiVariant(0x20BB7), static_cast<char32_t>(0x5409));
  EXPECT_EQ(N("𠮷田"), N("吉田"));
  // Spoofing variants in the BMP stay apart: 妹 (younger sister) and 妺.
  EXPECT_NE(N("妹尾"), N("妺尾"));
}

TEST(NameKanjiVariants, NfkcDoesNotFoldTheUnifiedIdeographsOfTheCompatibilityBlock) {
  // Why the table needs 﨑: U+FA11 has no decomposition, unlike U+F91D 欄.
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(err);
  ASSERT_TRUE(U_SUCCESS(err));
  EXPECT_TRUE(nfkc->isNormalized(icu::UnicodeString(static_cast<UChar32>(0xFA11)), err));
  EXPECT_EQ(nfkc->normalize(icu::UnicodeString(static_cast<UChar32>(0xF91D)), err),
            icu::UnicodeString(static_cast<UChar32>(0x6B04)));
  EXPECT_EQ(FoldKanjiVariant(0xFA11), static_cast<char32_t>(0x5D0E));
}

TEST(NameKanjiVariants, LeavesEverythingButVariantsAlone) {
  for (char32_t c : {U'高', U'崎', U'斎', U'斉', U'吉', U'A', U'ア', U'あ', U'々', U'\U0001F600'}) {
    EXPECT_EQ(FoldKanjiVariant(c), c) << static_cast<uint32_t>(c);
  }
}

TEST(KanjiVariantTable, IsSortedIdempotentAndHoldsIdeographsOnly) {
  size_t n = 0;
  const KanjiVariantPair* t = KanjiVariantTable(&n);
  ASSERT_EQ(n, 1210u);
  auto ideograph = [](char32_t c) {
    return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF);
  };
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) {
      EXPECT_LT(t[i - 1].variant, t[i].variant);
    }
    EXPECT_TRUE(ideograph(t[i].variant)) << std::hex << static_cast<uint32_t>(t[i].variant);
    EXPECT_TRUE(ideograph(t[i].canonical)) << std::hex << static_cast<uint32_t>(t[i].canonical);
    EXPECT_EQ(FoldKanjiVariant(t[i].variant), t[i].canonical);
    // A canonical form is never itself folded: one step reaches the class's form.
    EXPECT_EQ(FoldKanjiVariant(t[i].canonical), t[i].canonical) << std::hex << static_cast<uint32_t>(t[i].variant);
  }
  EXPECT_EQ(kKanjiVariantsUnicodeVersion, "15.0.0");
  EXPECT_EQ(kKanjiVariantsKanjidicVersion, "2022-235");
}

TEST(KanjiVariantTable, CannotChangeWithoutARulesVersionBump) {
  // Regenerating the table changes tokens. When this fails: bump
  // kNameRulesVersion (and keep the previous rules computable), then update
  // both numbers here.
  EXPECT_EQ(kNameRulesVersion, 2);
  EXPECT_EQ(KanjiVariantTableFingerprint(), 0x899c0d6cece68323ull) << std::hex << KanjiVariantTableFingerprint();
}

// ---- long vowel ----------------------------------------------------------------

TEST(NameLongVowel, DashAfterKanaIsTheLongVowelMark) {
  const std::string turner = N("ターナー");
  EXPECT_EQ(turner, "ターナー");
  EXPECT_EQ(N("ﾀｰﾅｰ"), turner);      // half-width U+FF70
  EXPECT_EQ(N("タ-ナ-"), turner);    // hyphen-minus
  EXPECT_EQ(N("タ―ナ―"), turner);    // U+2015 horizontal bar
  EXPECT_EQ(N("タ—ナ—"), turner);    // U+2014 em dash
  EXPECT_EQ(N("タ–ナ–"), turner);    // U+2013 en dash
  EXPECT_EQ(N("た‐な‐"), turner);    // hiragana, U+2010 hyphen
  EXPECT_EQ(N("タ−ナ−"), turner);    // U+2212 minus sign
  EXPECT_EQ(N("ﾀ－ﾅ－"), turner);    // U+FF0D full-width hyphen-minus
  EXPECT_EQ(N("ター－"), "ターー");  // a dash after the mark is a mark
}

TEST(NameLongVowel, DashAfterAnythingElseIsPunctuation) {
  EXPECT_EQ(N("Smith-Jones"), "SMITHJONES");
  EXPECT_EQ(N("O'Brien-Smith"), "OBRIENSMITH");
  EXPECT_EQ(N("山田-花子"), "山田花子");
  EXPECT_EQ(N("-タナ"), "タナ");
  EXPECT_EQ(N("ーA"), "A");
}

TEST(NameLongVowel, Version1RemovedTheDashes) {
  EXPECT_EQ(*NormalizeNameV1("タ-ナ-"), "タナ");
  EXPECT_NE(*NormalizeNameV1("タ-ナ-"), *NormalizeNameV1("ターナー"));
}

// ---- placeholders --------------------------------------------------------------

TEST(NamePlaceholders, AreRefusedNamingTheCharacterAndItsCodePoint) {
  struct Case {
    std::string name, code_point;
  };
  for (const Case& c : std::vector<Case>{{"〓田", "U+3013 GETA MARK"},
                                         {"●田", "U+25CF BLACK CIRCLE"},
                                         {"■田", "U+25A0 BLACK SQUARE"},
                                         {"?田", "U+003F QUESTION MARK"},
                                         {"？田", "U+FF1F FULLWIDTH QUESTION MARK"},
                                         {"\xEF\xBF\xBD田", "U+FFFD REPLACEMENT CHARACTER"}}) {
    auto r = NormalizeName(c.name);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr("character 1 of the name is"));
    EXPECT_THAT(r.status().message(), HasSubstr(c.code_point));
    EXPECT_THAT(r.status().message(),
                HasSubstr("the name holds a placeholder for a character the source system could not store: enter "
                          "the real character or leave the case out of linkage"));
    EXPECT_THAT(r.status().message(), Not(HasSubstr("田"))) << "the message quotes the name";
  }
  auto r = NormalizeName("山〓");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("character 2 of the name is \"〓\" (U+3013 GETA MARK)"));
}

TEST(NamePlaceholders, PrivateUseGaijiAreRefused) {
  // CP932's user-defined area 0xF040 decodes to U+E000 (common/text_encoding.h).
  auto r = NormalizeName("山\uE000");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("character 2 of the name is \"\uE000\" (U+E000)"));
  EXPECT_THAT(r.status().message(), HasSubstr("private-use character"));
  EXPECT_THAT(r.status().message(), HasSubstr("enter the standard character or leave the case out of linkage"));
  EXPECT_FALSE(NormalizeKanaReading("ヤ\uE000").ok());
  EXPECT_EQ(*NormalizeNameV1("山\uE000"), "山\uE000");  // version 1 kept them
}

TEST(NamePlaceholders, Version1MergedWhatWasLeft) {
  // What version 2 refuses: four people written 〓田 were all 田.
  EXPECT_EQ(*NormalizeNameV1("〓田"), "田");
}

// ---- the other version 2 steps ------------------------------------------------

TEST(NameRules, SpellOutIterationMarks) {
  EXPECT_EQ(N("佐々木"), N("佐佐木"));
  EXPECT_EQ(N("みすゞ"), N("ミスズ"));
  EXPECT_EQ(N("ミスヾ"), "ミスズ");
  EXPECT_EQ(N("いすゝ"), "イスス");
  EXPECT_EQ(N("々木"), "々木");  // nothing to repeat
}

TEST(NameRules, DropInvisibleCodePoints) {
  EXPECT_EQ(N("葛\U000E0100西"), N("葛西"));                // ideographic variation selector
  EXPECT_EQ(N("山\u200B田"), "山田");                       // zero width space
  EXPECT_EQ(N("Mül\u00ADler"), "MÜLLER");                   // soft hyphen
  EXPECT_EQ(*NormalizeNameV1("山\u200B田"), "山\u200B田");  // version 1 kept them
}

TEST(NameRules, ComposeSpacingVoicedMarks) {
  EXPECT_EQ(N("カ゛ト゜"), N("ガトﾟ"));
  EXPECT_EQ(N("ﾔﾏﾀﾞ"), "ヤマダ");
}

TEST(NameRules, UpperCaseDoesNotDependOnTheMachineLocale) {
  const icu::Locale saved = icu::Locale::getDefault();
  UErrorCode err = U_ZERO_ERROR;
  icu::Locale::setDefault(icu::Locale("tr"), err);
  ASSERT_TRUE(U_SUCCESS(err));
  const std::string v2 = N("Ilkin Iris");
  const std::string v1 = *NormalizeNameV1("Ilkin Iris");
  icu::Locale::setDefault(saved, err);
  EXPECT_EQ(v2, "ILKINIRIS");
  EXPECT_EQ(v1, "ILKİNIRİS");  // why version 2 names the root locale
}

TEST(NameRules, RefuseInvalidUtf8) {
  auto r = NormalizeName("\xff\xfe");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "not valid UTF-8");
}

// ---- versions ------------------------------------------------------------------

TEST(NameRulesVersion, SelectsTheRulesByNumber) {
  for (std::string_view name : {"髙橋", "ﾀｰﾅｰ", "Yamada Taro", "佐々木"}) {
    EXPECT_EQ(*NormalizeNameWithRules(1, name), *NormalizeNameV1(name));
    EXPECT_EQ(*NormalizeNameWithRules(2, name), *NormalizeName(name));
  }
  EXPECT_NE(*NormalizeNameWithRules(1, "髙橋"), *NormalizeNameWithRules(2, "髙橋"));
  auto r = NormalizeNameWithRules(3, "Yamada");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("unknown name rules version 3"));
}

TEST(NameRulesVersion, Version1IsWhatItWas) {
  // Outputs of the version 1 implementation, pinned.
  EXPECT_EQ(*NormalizeNameV1("ｙａｍａｄａ"), "YAMADA");
  EXPECT_EQ(*NormalizeNameV1("O'Brien-Smith"), "OBRIENSMITH");
  EXPECT_EQ(*NormalizeNameV1("やまだ"), "ヤマダ");
  EXPECT_EQ(*NormalizeNameV1("ﾔﾏﾀﾞ"), "ヤマダ");
  EXPECT_EQ(*NormalizeNameV1("ヤ・マダ　"), "ヤマダ");
  EXPECT_EQ(*NormalizeNameV1("髙橋"), "髙橋");
  EXPECT_EQ(*NormalizeNameV1("ﾀｰﾅｰ"), "ターナー");
  EXPECT_EQ(*NormalizeNameV1("佐々木"), "佐々木");
  EXPECT_FALSE(NormalizeNameV1("\xff").ok());
}

// ---- kana readings -------------------------------------------------------------

TEST(KanaReading, FoldsWidthScriptAndSpaces) {
  const std::string yamada = K("ヤマダタロウ");
  EXPECT_EQ(yamada, "ヤマダタロウ");
  EXPECT_EQ(K("やまだ たろう"), yamada);
  EXPECT_EQ(K("ﾔﾏﾀﾞ ﾀﾛｳ"), yamada);
  EXPECT_EQ(K("ヤマダ　タロウ"), yamada);
  EXPECT_EQ(K("ゔぃくとりあ"), "ヴィクトリア");
  EXPECT_EQ(K("ジョン・スミス"), K("ジョンスミス"));
  EXPECT_EQ(K("ジョン゠スミス"), K("ジョンスミス"));
  EXPECT_EQ(K("ジョン＝スミス"), K("ジョンスミス"));
}

TEST(KanaReading, ReadsDashesAfterKanaAsTheLongVowel) {
  EXPECT_EQ(K("さとー"), "サトー");
  EXPECT_EQ(K("ｻﾄｰ"), "サトー");
  EXPECT_EQ(K("サト-"), "サトー");
  EXPECT_EQ(K("サト―"), "サトー");
  EXPECT_EQ(K("サト −"), "サトー");  // a space in between does not matter
}

TEST(KanaReading, KeepsSmallKanaAndVoicingDistinct) {
  EXPECT_NE(K("キョウコ"), K("キヨウコ"));
  EXPECT_NE(K("ハットリ"), K("ハツトリ"));
  EXPECT_NE(K("ヴィクトリア"), K("ビクトリア"));
  EXPECT_NE(K("サトウ"), K("サトー"));  // ou and the long vowel are spelt differently
}

TEST(KanaReading, RefusesWhatIsNotKana) {
  struct Case {
    std::string reading, expect;
  };
  for (const Case& c :
       std::vector<Case>{{"山田",
                          "holds \"山\" (U+5C71 CJK UNIFIED IDEOGRAPH-5C71), which is not kana: write the reading in "
                          "katakana or hiragana only"},
                         {"Yamada", "(U+0059 LATIN CAPITAL LETTER Y), which is not kana"},
                         {"ヤマダ1", "(U+0031 DIGIT ONE), which is not kana"},
                         {"ヤマ(ダ)", "(U+0028 LEFT PARENTHESIS), which is not kana"},
                         {"-タロウ", "(U+002D HYPHEN-MINUS) with no kana before it"},
                         {"ータロウ", "(U+30FC KATAKANA-HIRAGANA PROLONGED SOUND MARK) with no kana before it"},
                         {"", "the kana reading is empty"},
                         {" ・ ", "the kana reading is empty"},
                         {"ヤ〓ダ",
                          "character 2 of the kana reading is \"〓\" (U+3013 GETA MARK): the kana reading holds a "
                          "placeholder for a character the source system could not store"},
                         {"\xff", "not valid UTF-8"}}) {
    auto r = NormalizeKanaReading(c.reading);
    ASSERT_FALSE(r.ok()) << c.reading << " -> " << *r;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.expect)) << c.reading;
  }
}

TEST(KanaReading, SpellsOutIterationMarks) {
  EXPECT_EQ(K("すゞき"), "スズキ");
  EXPECT_EQ(K("ササヽキ"), "サササキ");
}

}  // namespace
}  // namespace fedreg
