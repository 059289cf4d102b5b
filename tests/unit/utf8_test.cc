#include "common/utf8.h"

#include <gtest/gtest.h>

namespace fedreg {
namespace {

TEST(Utf8Prefix, KeepsTextThatFits) {
  EXPECT_EQ(Utf8Prefix("abc", 3), "abc");
  EXPECT_EQ(Utf8Prefix("", 10), "");
  EXPECT_EQ(Utf8Prefix("高橋", 6), "高橋");
}

TEST(Utf8Prefix, CutsOnACodePointBoundaryAndMarksTheCut) {
  // 高 and 橋 are 3 bytes each: 7 bytes leave room for "..." and one character.
  EXPECT_EQ(Utf8Prefix("高橋太郎", 7), "高...");
  EXPECT_EQ(Utf8Prefix("高橋太郎", 8), "高...");
  EXPECT_EQ(Utf8Prefix("高橋太郎", 9), "高橋...");
  for (size_t n = 0; n < 16; ++n) {
    std::string cut = Utf8Prefix("é高𠮷e高𠮷", n);
    EXPECT_LE(cut.size(), n);
    EXPECT_TRUE(IsValidUtf8(cut)) << n;
  }
}

TEST(Utf8Prefix, ReplacesInvalidBytes) {
  EXPECT_EQ(Utf8Prefix("a\xff" "b", 20), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(Utf8Prefix("\xe9\xab", 20), "\xEF\xBF\xBD");                 // truncated sequence
  EXPECT_TRUE(IsValidUtf8(Utf8Prefix("\xed\xa0\x80 surrogate", 40)));  // CESU surrogate
  EXPECT_TRUE(IsValidUtf8(Utf8Prefix("\xc0\xaf overlong", 40)));
}

TEST(IsValidUtf8, FollowsRfc3629) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("髙橋 𠮷野家"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));
  EXPECT_FALSE(IsValidUtf8("\xe9\xab"));
}

}  // namespace
}  // namespace fedreg
