// Names of synthetic patients. See synth_names.h; the tables are in
// synth_data.cc.
#include "common/synth_names.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/synth_data.h"

namespace fedreg::synth {
namespace {

// Decodes well-formed UTF-8 (the name tables) into code points.
std::vector<uint32_t> DecodeUtf8(std::string_view s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < len && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string KatakanaToHiragana(std::string_view katakana) {
  std::string out;
  for (uint32_t cp : DecodeUtf8(katakana)) {
    AppendUtf8(cp >= 0x30A1 && cp <= 0x30F6 ? cp - 0x60 : cp, &out);
  }
  return out;
}

std::string ToHalfWidthKatakana(std::string_view katakana) {
  static const auto* map = [] {
    auto* m = new std::unordered_map<uint32_t, std::string_view>;
    for (const KanaPair& p : HalfWidthKatakana()) (*m)[DecodeUtf8(p.full)[0]] = p.half;
    return m;
  }();
  std::string out;
  for (uint32_t cp : DecodeUtf8(katakana)) {
    auto it = map->find(cp);
    if (it != map->end()) {
      out.append(it->second);
    } else {
      AppendUtf8(cp, &out);
    }
  }
  return out;
}

// ASCII to full-width forms (U+FF01..U+FF5E), space to U+3000.
std::string ToFullWidthLatin(std::string_view s) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == ' ') {
      AppendUtf8(0x3000, &out);
    } else if (c > 0x20 && c < 0x7F) {
      AppendUtf8(c + 0xFEE0, &out);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

std::string ToTitleCase(std::string_view s) {
  std::string out(s);
  bool start = true;
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z' && !start) c = static_cast<char>(c - 'A' + 'a');
    start = !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z');
  }
  return out;
}

std::string Render(const NameEntry& n, NameForm form) {
  switch (form) {
    case NameForm::kKanji: return std::string(n.kanji);
    case NameForm::kKatakana: return std::string(n.kana);
    case NameForm::kHiragana: return KatakanaToHiragana(n.kana);
  }
  return std::string(n.kanji);
}

}  // namespace

PersonName DrawName(Rng& rng, int birth_year, char sex) {
  PersonName p;
  if (rng.Chance(0.015)) {
    p.latin = true;
    p.family = static_cast<int>(rng.Int(0, static_cast<int64_t>(LatinFamilyNames().size()) - 1));
    std::vector<double> w;
    for (const LatinName& n : LatinGivenNames()) {
      w.push_back(sex == 'M' || sex == 'F' ? (n.sex == sex ? 1 : 0) : 1);
    }
    p.given = static_cast<int>(rng.Weighted(w));
    return p;
  }
  std::vector<double> fw;
  for (const NameEntry& n : FamilyNames()) fw.push_back(n.weight);
  p.family = static_cast<int>(rng.Weighted(fw));
  const int era = birth_year < 1960 ? 1 : birth_year < 1995 ? 2 : 3;
  std::vector<double> gw;
  for (const NameEntry& n : GivenNames()) {
    double w = n.weight * (n.era == era ? 1.0 : 0.08);
    if ((sex == 'M' || sex == 'F') && n.sex != sex) w = 0;
    gw.push_back(w);
  }
  p.given = static_cast<int>(rng.Weighted(gw));
  const double r = rng.Uniform();
  p.form = r < 0.70 ? NameForm::kKanji : r < 0.92 ? NameForm::kKatakana : NameForm::kHiragana;
  return p;
}

std::pair<std::string, std::string> Names(const PersonName& p) {
  if (p.latin) {
    return {std::string(LatinFamilyNames()[p.family].name),
            std::string(LatinGivenNames()[p.given].name)};
  }
  return {Render(FamilyNames()[p.family], p.form), Render(GivenNames()[p.given], p.form)};
}

std::string NameKey(const PersonName& p) {
  if (p.latin) {
    return "L:" + std::string(LatinFamilyNames()[p.family].name) + "/" +
           std::string(LatinGivenNames()[p.given].name);
  }
  return "J:" + std::string(FamilyNames()[p.family].kana) + "/" +
         std::string(GivenNames()[p.given].kana);
}

std::pair<std::string, std::string> VariantNames(const PersonName& p, Rng& rng) {
  auto names = Names(p);
  const double r = rng.Uniform();
  if (p.latin) {
    if (r < 0.40) return names;
    if (r < 0.70) return {ToFullWidthLatin(names.first), ToFullWidthLatin(names.second)};
    if (r < 0.85) return {ToTitleCase(names.first), ToTitleCase(names.second)};
    return {names.first + " ", names.second};
  }
  const NameEntry& f = FamilyNames()[p.family];
  const NameEntry& g = GivenNames()[p.given];
  if (r < 0.40) return names;
  if (r < 0.65) {
    const NameForm other = p.form == NameForm::kKanji ? NameForm::kKatakana : NameForm::kKanji;
    return {Render(f, other), Render(g, other)};
  }
  if (r < 0.75) return {ToHalfWidthKatakana(f.kana), ToHalfWidthKatakana(g.kana)};
  if (r < 0.82) {
    const NameForm other =
        p.form == NameForm::kHiragana ? NameForm::kKatakana : NameForm::kHiragana;
    return {Render(f, other), Render(g, other)};
  }
  switch (rng.Int(0, 3)) {
    case 0: return {names.first + " ", names.second};
    case 1: return {names.first + "\u3000", names.second};
    case 2: return {names.first, " " + names.second};
    default: return {names.first, names.second + "\u3000"};
  }
}

}  // namespace fedreg::synth
