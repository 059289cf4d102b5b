#include "common/text_fold.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include "common/utf8.h"

namespace fedreg {
namespace {

constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";  // U+3000

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::string_view TrimCell(std::string_view s) {
  while (true) {
    if (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
    else if (s.substr(0, 3) == kIdeographicSpace) s.remove_prefix(3);
    else break;
  }
  while (true) {
    if (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
    else if (s.size() >= 3 && s.substr(s.size() - 3) == kIdeographicSpace) s.remove_suffix(3);
    else break;
  }
  return s;
}

std::string FoldWidth(std::string_view cell) {
  std::string_view t = TrimCell(cell);
  bool ascii = true;
  for (char c : t) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  std::string out;
  if (ascii || !IsValidUtf8(t)) {
    out.assign(t);  // the common case: no ICU call
  } else {
    UErrorCode err = U_ZERO_ERROR;
    const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(err);
    if (U_FAILURE(err)) return std::string(t);
    icu::UnicodeString norm = nfkc->normalize(icu::UnicodeString::fromUTF8(icu::StringPiece(t.data(), t.size())), err);
    if (U_FAILURE(err)) return std::string(t);
    norm.toUTF8String(out);
    out = std::string(TrimCell(out));  // NFKC turns U+3000 into a space
  }
  return out;
}

std::string FoldCode(std::string_view cell) {
  std::string out = FoldWidth(cell);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string VisibleSpaces(std::string_view text) {
  auto shown = [](std::string_view s, bool* changed) {
    std::string out;
    while (!s.empty()) {
      if (s.front() == ' ') {
        out += "\xE2\x90\xA3";  // U+2423 OPEN BOX
      } else if (s.front() == '\t') {
        out += "[TAB]";
      } else if (s.substr(0, 3) == kIdeographicSpace) {
        out += "[U+3000]";
        s.remove_prefix(2);
      } else {
        break;
      }
      *changed = true;
      s.remove_prefix(1);
    }
    return std::make_pair(out, s);
  };
  bool changed = false;
  auto [lead, rest] = shown(text, &changed);
  // Trailing: scan from the end.
  std::string_view core = rest;
  std::string trail;
  while (!core.empty()) {
    if (core.back() == ' ') {
      trail.insert(0, "\xE2\x90\xA3");
      core.remove_suffix(1);
    } else if (core.back() == '\t') {
      trail.insert(0, "[TAB]");
      core.remove_suffix(1);
    } else if (core.size() >= 3 && core.substr(core.size() - 3) == kIdeographicSpace) {
      trail.insert(0, "[U+3000]");
      core.remove_suffix(3);
    } else {
      break;
    }
  }
  return lead + std::string(core) + trail;
}

}  // namespace fedreg
