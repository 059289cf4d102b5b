#include "common/text_encoding.h"

#include <unicode/ucnv.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <climits>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace fedreg {
namespace {

constexpr char kCp932Converter[] = "ibm-943_P15A-2003";  // ICU's windows-31j
constexpr char kEucJpConverter[] = "EUC-JP";
constexpr char kSaveAsUtf8[] = ": save the export as CSV UTF-8";

// 1-based line of byte `offset`.
size_t LineOf(std::string_view bytes, size_t offset) {
  size_t line = 1;
  for (size_t i = 0; i < offset && i < bytes.size(); ++i) line += bytes[i] == '\n';
  return line;
}

std::string ByteAt(std::string_view bytes, size_t offset) {
  return absl::StrFormat("byte 0x%02X at line %d", static_cast<unsigned char>(bytes[offset]), LineOf(bytes, offset));
}

// Offset of the first byte of the first ill-formed UTF-8 sequence, or npos.
size_t FirstInvalidUtf8(std::string_view bytes) {
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  const int64_t n = static_cast<int64_t>(bytes.size());
  for (int64_t i = 0; i < n;) {
    if (s[i] < 0x80) {  // ASCII fast path
      ++i;
      continue;
    }
    // U8_NEXT takes int32 indices: decode one sequence from a window.
    const int32_t window = static_cast<int32_t>(std::min<int64_t>(n - i, 4));
    int32_t j = 0;
    UChar32 c;
    U8_NEXT(s + i, j, window, c);
    if (c < 0) return static_cast<size_t>(i);
    i += j;
  }
  return std::string_view::npos;
}

// Kana, kanji, CJK punctuation, full-width and half-width forms.
bool IsJapanese(UChar32 c) {
  return (c >= 0x3000 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF01 && c <= 0xFF9F) ||
         (c >= 0x20000 && c <= 0x3FFFF);
}

bool IsAsciiLetter(UChar32 c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// Rule 3: the first line that is valid UTF-8 and holds a Japanese character
// written in UTF-8, or 0.
size_t FirstUtf8JapaneseLine(std::string_view bytes) {
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t line = 1, start = 0;
  while (start <= bytes.size()) {
    size_t end = bytes.find('\n', start);
    if (end == std::string_view::npos) end = bytes.size();
    bool valid = true, japanese = false;
    for (size_t i = start; i < end && valid;) {
      if (s[i] < 0x80) {
        ++i;
        continue;
      }
      const int32_t window = static_cast<int32_t>(std::min<size_t>(end - i, 4));
      int32_t j = 0;
      UChar32 c;
      U8_NEXT(s + i, j, window, c);
      if (c < 0) valid = false;
      japanese = japanese || IsJapanese(c);
      i += j;
    }
    if (valid && japanese) return line;
    start = end + 1;
    ++line;
  }
  return 0;
}

struct ConverterCloser {
  void operator()(UConverter* c) const { ucnv_close(c); }
};

// Decodes all of `bytes` with ICU converter `name`, stopping at the first
// invalid, unassigned or truncated sequence (its offset in *bad_offset).
// REQUIRES: bytes.size() < INT32_MAX.
absl::StatusOr<bool> DecodeStrict(const char* name, std::string_view bytes, icu::UnicodeString* out,
                                  size_t* bad_offset) {
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<UConverter, ConverterCloser> conv(ucnv_open(name, &err));
  if (U_FAILURE(err)) return absl::InternalError(absl::StrCat("ICU has no converter ", name));
  ucnv_setToUCallBack(conv.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &err);
  if (U_FAILURE(err)) return absl::InternalError("cannot set the ICU converter callback");
  // Neither CP932 nor EUC-JP ever yields more UTF-16 units than bytes.
  const int32_t capacity = static_cast<int32_t>(bytes.size()) + 1;
  UChar* buffer = out->getBuffer(capacity);
  if (buffer == nullptr) return absl::ResourceExhaustedError("cannot allocate the decoded text");
  UChar* target = buffer;
  const char* source = bytes.data();
  ucnv_toUnicode(conv.get(), &target, buffer + capacity, &source, bytes.data() + bytes.size(), nullptr,
                 /*flush=*/true, &err);
  out->releaseBuffer(static_cast<int32_t>(target - buffer));
  if (U_SUCCESS(err)) return true;
  if (err == U_INVALID_CHAR_FOUND || err == U_ILLEGAL_CHAR_FOUND || err == U_TRUNCATED_CHAR_FOUND) {
    char invalid[32];
    int8_t len = sizeof invalid;
    UErrorCode e2 = U_ZERO_ERROR;
    ucnv_getInvalidChars(conv.get(), invalid, &len, &e2);
    size_t consumed = static_cast<size_t>(source - bytes.data());
    *bad_offset = U_SUCCESS(e2) && static_cast<size_t>(len) <= consumed ? consumed - len : consumed;
    return false;
  }
  return absl::InternalError(absl::StrCat("ICU converter ", name, ": ", u_errorName(err)));
}

absl::Status Refuse(std::string_view bytes, size_t bad_utf8, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("not UTF-8 and not Shift_JIS/CP932 (invalid ", ByteAt(bytes, bad_utf8),
                                                 why.empty() ? "" : "; ", why, ")", kSaveAsUtf8));
}

}  // namespace

absl::StatusOr<DecodedText> DecodeExportBytes(std::string_view bytes) {
  if (bytes.size() >= 2 && ((bytes[0] == '\xFF' && bytes[1] == '\xFE') || (bytes[0] == '\xFE' && bytes[1] == '\xFF'))) {
    return absl::InvalidArgumentError(absl::StrFormat("UTF-16 (byte order mark 0x%02X 0x%02X)%s",
                                                      static_cast<unsigned char>(bytes[0]),
                                                      static_cast<unsigned char>(bytes[1]), kSaveAsUtf8));
  }
  if (size_t nul = bytes.find('\0'); nul != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("a NUL byte at line ", LineOf(bytes, nul), " (UTF-16 without a byte order mark?)", kSaveAsUtf8));
  }
  if (size_t esc = bytes.find('\x1B'); esc != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("an ESC byte at line ", LineOf(bytes, esc), " (ISO-2022-JP?)", kSaveAsUtf8));
  }
  DecodedText out;
  out.had_bom = bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF";
  const std::string_view body = out.had_bom ? bytes.substr(3) : bytes;
  const size_t bad = FirstInvalidUtf8(body);
  if (bad == std::string_view::npos) {
    out.utf8 = std::string(body);
    out.encoding = out.had_bom ? "UTF-8 with BOM" : "UTF-8";
    return out;
  }
  if (out.had_bom) {
    return absl::InvalidArgumentError(absl::StrCat("starts with the UTF-8 byte order mark but is not UTF-8 (invalid ",
                                                   ByteAt(bytes, bad + 3), ")", kSaveAsUtf8));
  }
  if (bytes.size() >= INT32_MAX) return Refuse(bytes, bad, "too large to convert: 2 GiB or more");

  icu::UnicodeString text;
  size_t bad_cp932 = 0;
  absl::StatusOr<bool> clean = DecodeStrict(kCp932Converter, bytes, &text, &bad_cp932);
  if (!clean.ok()) return clean.status();
  if (!*clean) {
    return Refuse(bytes, bad, bad_cp932 == bad ? "" : absl::StrCat("as CP932, invalid ", ByteAt(bytes, bad_cp932)));
  }
  if (size_t line = FirstUtf8JapaneseLine(bytes); line != 0) {
    return Refuse(bytes, bad,
                  absl::StrCat("line ", line, " is Japanese in UTF-8: a file is one encoding, never half and half"));
  }
  bool japanese = false;
  size_t line = 1;
  for (int32_t i = 0; i < text.length();) {
    const UChar32 c = text.char32At(i);
    const int32_t next = i + U16_LENGTH(c);
    if (c == '\n') ++line;
    japanese = japanese || IsJapanese(c);
    if (c >= 0x80 && ((i > 0 && IsAsciiLetter(text.char32At(i - 1))) ||
                      (next < text.length() && IsAsciiLetter(text.char32At(next))))) {
      return Refuse(bytes, bad,
                    absl::StrCat("read as CP932, line ", line,
                                 " puts Japanese characters inside latin words, as Latin-1/Windows-1252 text does"));
    }
    i = next;
  }
  if (!japanese) return Refuse(bytes, bad, "read as CP932 it holds no Japanese character");
  icu::UnicodeString euc;
  size_t bad_euc = 0;
  absl::StatusOr<bool> euc_clean = DecodeStrict(kEucJpConverter, bytes, &euc, &bad_euc);
  if (!euc_clean.ok()) return euc_clean.status();
  if (*euc_clean) return Refuse(bytes, bad, "it is also valid EUC-JP, so which one it is cannot be told");

  text.toUTF8String(out.utf8);
  out.encoding = "CP932";
  return out;
}

}  // namespace fedreg
