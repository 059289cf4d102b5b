// The per-file encoding decision (common/text_encoding.h): UTF-8 with or
// without BOM, CP932 (Windows-31J) decoded, everything else refused whole.
#include "common/text_encoding.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unicode/ucnv.h>

#include <memory>
#include <string>

namespace fedreg {
namespace {

using ::testing::HasSubstr;

// UTF-8 -> CP932 bytes with ICU's own windows-31j table, as Excel would save.
std::string ToCp932(const std::string& utf8) {
  UErrorCode err = U_ZERO_ERROR;
  char buf[4096];
  int32_t n =
      ucnv_convert("windows-31j", "UTF-8", buf, sizeof buf, utf8.data(), static_cast<int32_t>(utf8.size()), &err);
  EXPECT_TRUE(U_SUCCESS(err)) << u_errorName(err);
  return std::string(buf, static_cast<size_t>(n));
}

DecodedText Decode(std::string_view bytes) {
  auto r = DecodeExportBytes(bytes);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : DecodedText{};
}

std::string Refusal(std::string_view bytes) {
  auto r = DecodeExportBytes(bytes);
  EXPECT_FALSE(r.ok()) << "decoded as " << r->encoding << ": " << r->utf8;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(r.status().message());
}

const std::string kUtf8Rows =
    "record_number,family_name,given_name\r\n"
    "K-1,山田,太郎\r\n"
    "K-2,髙橋,花子\r\n"
    "K-3,ﾃｲ,ﾐｷ\r\n";

// ---- UTF-8 ----------------------------------------------------------------------

TEST(DecodeExportBytes, TakesUtf8AsIs) {
  DecodedText d = Decode(kUtf8Rows);
  EXPECT_EQ(d.encoding, "UTF-8");
  EXPECT_FALSE(d.had_bom);
  EXPECT_EQ(d.utf8, kUtf8Rows);  // CRLF kept: the parser owns line ends
}

TEST(DecodeExportBytes, DropsTheUtf8ByteOrderMark) {
  DecodedText d = Decode("\xEF\xBB\xBF" + kUtf8Rows);
  EXPECT_EQ(d.encoding, "UTF-8 with BOM");
  EXPECT_TRUE(d.had_bom);
  EXPECT_EQ(d.utf8, kUtf8Rows);
}

TEST(DecodeExportBytes, TakesEmptyAndAsciiFilesAsUtf8) {
  EXPECT_EQ(Decode("").encoding, "UTF-8");
  EXPECT_EQ(Decode("record_number\nK-1\n").encoding, "UTF-8");
  EXPECT_EQ(Decode("\xEF\xBB\xBF").utf8, "");
}

// ---- CP932 ----------------------------------------------------------------------

TEST(DecodeExportBytes, DecodesCp932WrittenAsBytes) {
  // Windows-31J: 山 8E52, 田 9363, 太 91BE, 郎 9859, 髙 FBFC (IBM extension),
  // 橋 8BB4, 花 89D4, 子 8E71; half-width ﾃ C3, ｲ B2, ﾐ D0, ｷ B7.
  const std::string bytes =
      "record_number,family_name,given_name\r\n"
      "K-1,\x8E\x52\x93\x63,\x91\xBE\x98\x59\r\n"
      "K-2,\xFB\xFC\x8B\xB4,\x89\xD4\x8E\x71\r\n"
      "K-3,\xC3\xB2,\xD0\xB7\r\n";
  DecodedText d = Decode(bytes);
  EXPECT_EQ(d.encoding, "CP932");
  EXPECT_FALSE(d.had_bom);
  EXPECT_EQ(d.utf8, kUtf8Rows);
  EXPECT_THAT(d.utf8, HasSubstr("\xE9\xAB\x99"));  // 髙 U+9AD9, not 高 U+9AD8
}

TEST(DecodeExportBytes, DecodesWhatIcuWritesAsWindows31j) {
  const std::string utf8 =
      "record_number,family_name,given_name\n"
      "K-1,山﨑,①\n"     // IBM extension FAB1, NEC row 13 8740
      "K-2,渡邉,美～\n"  // 0x8160 is U+FF5E in Windows-31J
      "K-3,ﾔﾏﾀﾞ,ﾀﾛｳ\n";
  const std::string cp932 = ToCp932(utf8);
  ASSERT_NE(cp932, utf8);
  EXPECT_THAT(cp932, HasSubstr("\xFA\xB1"));
  DecodedText d = Decode(cp932);
  EXPECT_EQ(d.encoding, "CP932");
  EXPECT_EQ(d.utf8, utf8);
}

TEST(DecodeExportBytes, DecodesTheUserDefinedAreaToPrivateUse) {
  // A hospital's own 外字: U+E000, which the name rules then refuse per row.
  DecodedText d = Decode("K-1,\x8E\x52\xF0\x40\n");
  EXPECT_EQ(d.encoding, "CP932");
  EXPECT_EQ(d.utf8, "K-1,山\xEE\x80\x80\n");
}

TEST(DecodeExportBytes, ReadsAFileThatIsWhollyValidUtf8AsUtf8) {
  // ﾃｲ is C3 B2, which is also UTF-8 "ò"; ﾐｷ is D0 B7, UTF-8 "з". The decision
  // is per file: alone they are UTF-8 ...
  DecodedText alone = Decode("K-3,\xC3\xB2,\xD0\xB7\n");
  EXPECT_EQ(alone.encoding, "UTF-8");
  EXPECT_EQ(alone.utf8, "K-3,ò,з\n");
  // ... and in a file with one byte that is not UTF-8, every byte is CP932.
  DecodedText with = Decode("K-1,\x8E\x52\x93\x63,x\nK-3,\xC3\xB2,\xD0\xB7\n");
  EXPECT_EQ(with.encoding, "CP932");
  EXPECT_EQ(with.utf8, "K-1,山田,x\nK-3,ﾃｲ,ﾐｷ\n");
}

// ---- refusals --------------------------------------------------------------------

TEST(DecodeExportBytes, RefusesLatin1ThatIsNotCp932) {
  EXPECT_EQ(Refusal("record_number,family_name,given_name\nK-1,Jos\xE9,Fran\xE7ois\n"),
            "not UTF-8 and not Shift_JIS/CP932 (invalid byte 0xE9 at line 2): save the export as CSV UTF-8");
}

TEST(DecodeExportBytes, RefusesLatin1ThatHappensToBeCleanCp932) {
  // Ü (0xDC) is half-width ﾜ in CP932; é è (0xE9 0x6C 0xE8 0x6E) two kanji.
  EXPECT_EQ(Refusal("record_number,family_name\nK-1,M\xDCLLER\n"),
            "not UTF-8 and not Shift_JIS/CP932 (invalid byte 0xDC at line 2; read as CP932, line 2 puts Japanese "
            "characters inside latin words, as Latin-1/Windows-1252 text does): save the export as CSV UTF-8");
  EXPECT_THAT(Refusal("record_number,given_name\nK-1,H\xE9l\xE8ne\n"),
              HasSubstr("invalid byte 0xE9 at line 2; read as CP932, line 2 puts Japanese characters inside latin "
                        "words"));
}

TEST(DecodeExportBytes, RefusesUtf8WithAStrayByteInsteadOfDecodingItAsCp932) {
  // UTF-8 Japanese on line 2, a CP932 あ (82 A0) on line 3: never half and half.
  EXPECT_EQ(Refusal("record_number,family_name\nK-1,山田\nK-2,\x82\xA0\n"),
            "not UTF-8 and not Shift_JIS/CP932 (invalid byte 0x82 at line 3; line 2 is Japanese in UTF-8: a file is "
            "one encoding, never half and half): save the export as CSV UTF-8");
  // UTF-8 "Müller" (C3 BC) with a stray Latin-1 byte that CP932 would accept.
  EXPECT_THAT(Refusal("record_number,family_name\nK-1,M\xC3\xBCller\nK-2,\xB1\n"),
              HasSubstr("(invalid byte 0xB1 at line 3; read as CP932, line 2 puts Japanese characters inside latin "
                        "words"));
}

TEST(DecodeExportBytes, RefusesEucJp) {
  // 山田 太郎 in EUC-JP reads as CP932 half-width ｻｳﾅﾄ ﾂﾀﾏｺ.
  EXPECT_EQ(Refusal("record_number,family_name,given_name\nK-1,\xBB\xB3\xC5\xC4,\xC2\xC0\xCF\xBA\n"),
            "not UTF-8 and not Shift_JIS/CP932 (invalid byte 0xBB at line 2; it is also valid EUC-JP, so which one "
            "it is cannot be told): save the export as CSV UTF-8");
}

TEST(DecodeExportBytes, RefusesCp932WithoutJapanese) {
  // 0x839F is Greek Α in JIS X 0208: clean CP932, but nothing says Japanese.
  EXPECT_THAT(Refusal("K-1,\x83\x9F\n"), HasSubstr("read as CP932 it holds no Japanese character"));
}

TEST(DecodeExportBytes, NamesWhereCp932FailsWhenItIsElsewhere) {
  // 0x8E52 is fine CP932 but not UTF-8; 0xFD is in neither.
  EXPECT_EQ(Refusal("K-1,\x8E\x52\nK-2,\xFD\n"),
            "not UTF-8 and not Shift_JIS/CP932 (invalid byte 0x8E at line 1; as CP932, invalid byte 0xFD at line "
            "2): save the export as CSV UTF-8");
  EXPECT_EQ(Refusal("K-1,\x8E"),  // truncated at the end
            "not UTF-8 and not Shift_JIS/CP932 (invalid byte 0x8E at line 1): save the export as CSV UTF-8");
}

TEST(DecodeExportBytes, RefusesUtf16NulAndEsc) {
  EXPECT_EQ(Refusal("\xFF\xFEK\0-\0"), "UTF-16 (byte order mark 0xFF 0xFE): save the export as CSV UTF-8");
  EXPECT_EQ(Refusal(std::string("K\0-\0\n\0", 6)),
            "a NUL byte at line 1 (UTF-16 without a byte order mark?): save the export as CSV UTF-8");
  EXPECT_EQ(Refusal("K-1\nK-2,\x1B$B;3ED\x1B(B\n"),
            "an ESC byte at line 2 (ISO-2022-JP?): save the export as CSV UTF-8");
}

TEST(DecodeExportBytes, RefusesAUtf8ByteOrderMarkFollowedByOtherBytes) {
  EXPECT_EQ(Refusal("\xEF\xBB\xBFK-1,\x8E\x52\x93\x63\n"),
            "starts with the UTF-8 byte order mark but is not UTF-8 (invalid byte 0x8E at line 1): save the export "
            "as CSV UTF-8");
}

}  // namespace
}  // namespace fedreg
