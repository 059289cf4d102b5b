#include "common/gene_symbols.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/utf8.h"

namespace fedreg {
namespace {

// The table, as generated text (grammar in common/data/gene_table.md):
//   "#version" TAB version LF
//   "@approved" TAB count LF   then count lines: symbol TAB type-code LF
//   "@synonyms" TAB count LF   then count lines: KEY TAB symbol ("," symbol)* LF
//   "@end"
// Both sections are sorted by key, the key being the symbol (or synonym) with
// ASCII letters upper-cased, compared byte by byte; keys are unique.
constexpr char kTableText[] =
#include "common/data/gene_table.inc"
    ;

constexpr std::string_view kSynonymHow = "NCBI Gene synonym (previous symbol or alias)";
constexpr size_t kQuoteBytes = 64;

char AsciiUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Compares the table key starting at `p` (it ends at the TAB), folded to
// upper case, with the already folded `key`: <0, 0 or >0.
int CompareKey(const char* p, std::string_view key) {
  for (size_t i = 0;; ++i, ++p) {
    if (*p == '\t') return i == key.size() ? 0 : -1;
    if (i == key.size()) return 1;
    const auto a = static_cast<unsigned char>(AsciiUpper(*p));
    const auto b = static_cast<unsigned char>(key[i]);
    if (a != b) return a < b ? -1 : 1;
  }
}

struct Table {
  std::string_view text;
  std::string_view version;
  std::vector<uint32_t> approved;  // offset of each approved line, in key order
  std::vector<uint32_t> synonyms;  // offset of each synonym line, in key order
  GeneTableStats stats;

  std::string_view Line(uint32_t offset) const {
    std::string_view rest = text.substr(offset);
    return rest.substr(0, rest.find('\n'));
  }
};

[[noreturn]] void Corrupt(const char* what) {
  // The table is compiled in and checked by tests/unit/gene_symbols_test.cc:
  // this only happens when common/data/gene_table.inc was edited by hand.
  std::fprintf(stderr, "fedreg: common/data/gene_table.inc is malformed: %s\n", what);
  std::abort();
}

// Reads "NAME TAB count LF" at `*pos` and moves past it.
size_t ReadHeader(std::string_view text, size_t* pos, std::string_view name) {
  const size_t end = text.find('\n', *pos);
  if (end == std::string_view::npos) Corrupt("truncated header");
  const std::string_view line = text.substr(*pos, end - *pos);
  if (line.substr(0, name.size()) != name || line.size() <= name.size() + 1 ||
      line[name.size()] != '\t') {
    Corrupt("section header missing");
  }
  size_t n = 0;
  for (char c : line.substr(name.size() + 1)) {
    if (c < '0' || c > '9') Corrupt("bad count");
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  *pos = end + 1;
  return n;
}

// Reads `count` lines of a section, checking that keys strictly increase.
std::vector<uint32_t> ReadSection(std::string_view text, size_t* pos, size_t count) {
  std::vector<uint32_t> offsets;
  offsets.reserve(count);
  std::string prev_key;
  std::string key;
  for (size_t i = 0; i < count; ++i) {
    const size_t end = text.find('\n', *pos);
    if (end == std::string_view::npos) Corrupt("truncated section");
    const std::string_view line = text.substr(*pos, end - *pos);
    const size_t tab = line.find('\t');
    if (tab == 0 || tab == std::string_view::npos || tab + 1 == line.size()) Corrupt("bad line");
    key.assign(line.substr(0, tab));
    for (char& c : key) c = AsciiUpper(c);
    if (i > 0 && !(prev_key < key)) Corrupt("keys out of order");
    prev_key.swap(key);
    offsets.push_back(static_cast<uint32_t>(*pos));
    *pos = end + 1;
  }
  return offsets;
}

const Table* BuildTable() {
  auto* t = new Table;
  t->text = std::string_view(kTableText, sizeof(kTableText) - 1);
  const std::string_view text = t->text;
  constexpr std::string_view kVersion = "#version\t";
  const size_t first_lf = text.find('\n');
  if (text.substr(0, kVersion.size()) != kVersion || first_lf == std::string_view::npos) {
    Corrupt("no version line");
  }
  t->version = text.substr(kVersion.size(), first_lf - kVersion.size());
  size_t pos = first_lf + 1;
  t->approved = ReadSection(text, &pos, ReadHeader(text, &pos, "@approved"));
  t->synonyms = ReadSection(text, &pos, ReadHeader(text, &pos, "@synonyms"));
  if (text.substr(pos) != "@end") Corrupt("no @end after the synonyms");
  t->stats.approved = t->approved.size();
  t->stats.synonyms = t->synonyms.size();
  for (uint32_t off : t->approved) {
    if (t->Line(off).substr(t->Line(off).find('\t') + 1) == "p") ++t->stats.protein_coding;
  }
  for (uint32_t off : t->synonyms) {
    if (t->Line(off).find(',') != std::string_view::npos) ++t->stats.ambiguous;
  }
  return t;
}

const Table& GetTable() {
  static const Table* const table = BuildTable();
  return *table;
}

// Binary search of one section; the matching line, or empty.
std::string_view Find(const Table& t, const std::vector<uint32_t>& section, std::string_view key) {
  auto it = std::lower_bound(
      section.begin(), section.end(), key,
      [&t](uint32_t off, std::string_view k) { return CompareKey(t.text.data() + off, k) < 0; });
  if (it == section.end() || CompareKey(t.text.data() + *it, key) != 0) return {};
  return t.Line(*it);
}

enum class FoldResult { kOk, kEmpty, kInvalidUtf8 };

// The lookup key for `text`: NFKC (only when there is non-ASCII text; ASCII
// is its own NFKC form), surrounding white space trimmed, ASCII upper case.
FoldResult FoldKey(std::string_view text, std::string* key) {
  key->clear();
  const bool ascii = std::all_of(text.begin(), text.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) {
    key->assign(TrimAscii(text));
  } else {
    if (!IsValidUtf8(text)) return FoldResult::kInvalidUtf8;
    UErrorCode err = U_ZERO_ERROR;
    static const icu::Normalizer2* const nfkc = [] {
      UErrorCode e = U_ZERO_ERROR;
      const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(e);
      return U_SUCCESS(e) ? n : nullptr;
    }();
    if (nfkc == nullptr) return FoldResult::kInvalidUtf8;
    icu::UnicodeString in = icu::UnicodeString::fromUTF8(
        icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
    icu::UnicodeString norm = nfkc->normalize(in, err);
    if (U_FAILURE(err)) return FoldResult::kInvalidUtf8;
    std::string utf8;
    norm.toUTF8String(utf8);
    // NFKC turns U+3000 (ideographic space) and the other Unicode spaces into U+0020.
    key->assign(TrimAscii(utf8));
  }
  if (key->empty()) return FoldResult::kEmpty;
  for (char& c : *key) c = AsciiUpper(c);
  return FoldResult::kOk;
}

GeneMatch LookUpKey(std::string_view key) {
  const Table& t = GetTable();
  GeneMatch m;
  if (std::string_view line = Find(t, t.approved, key); !line.empty()) {
    m.kind = GeneMatch::Kind::kApproved;
    m.symbol = std::string(line.substr(0, line.find('\t')));
    return m;
  }
  if (std::string_view line = Find(t, t.synonyms, key); !line.empty()) {
    std::string_view targets = line.substr(line.find('\t') + 1);
    if (targets.find(',') == std::string_view::npos) {
      m.kind = GeneMatch::Kind::kMapped;
      m.symbol = std::string(targets);
      m.how = std::string(kSynonymHow);
      return m;
    }
    m.kind = GeneMatch::Kind::kAmbiguous;
    while (!targets.empty()) {
      const size_t comma = targets.find(',');
      m.candidates.emplace_back(targets.substr(0, comma));
      if (comma == std::string_view::npos) break;
      targets.remove_prefix(comma + 1);
    }
    return m;
  }
  return m;
}

bool IsLocPlaceholder(std::string_view key) {
  if (key.size() <= 3 || key.substr(0, 3) != "LOC") return false;
  return std::all_of(key.begin() + 3, key.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

GeneMatch LookUpGene(std::string_view text) {
  std::string key;
  if (FoldKey(text, &key) != FoldResult::kOk) return GeneMatch{};
  return LookUpKey(key);
}

absl::StatusOr<std::string> CanonicalGene(std::string_view text, std::string* note) {
  if (note != nullptr) note->clear();
  std::string key;
  const std::string quoted = absl::StrCat("'", Utf8Prefix(text, kQuoteBytes), "'");
  switch (FoldKey(text, &key)) {
    case FoldResult::kEmpty:
      return absl::InvalidArgumentError("gene symbol is empty");
    case FoldResult::kInvalidUtf8:
      return absl::InvalidArgumentError(
          absl::StrCat("gene symbol ", quoted, " is not valid UTF-8"));
    case FoldResult::kOk:
      break;
  }
  GeneMatch m = LookUpKey(key);
  switch (m.kind) {
    case GeneMatch::Kind::kApproved:
      return std::move(m.symbol);
    case GeneMatch::Kind::kMapped:
      if (note != nullptr) {
        *note =
            absl::StrCat(quoted, " is an ", m.how, " of ", m.symbol, "; recorded as ", m.symbol);
      }
      return std::move(m.symbol);
    case GeneMatch::Kind::kAmbiguous:
      return absl::InvalidArgumentError(absl::StrCat(
          quoted, " is a synonym of ", m.candidates.size(), " genes in NCBI Gene (",
          absl::StrJoin(m.candidates, ", "), "): write the approved symbol of the gene meant"));
    case GeneMatch::Kind::kUnknown:
      break;
  }
  if (IsLocPlaceholder(key)) {
    return absl::NotFoundError(absl::StrCat(
        quoted,
        " is an NCBI Gene placeholder (LOC + Gene ID), not a gene symbol, and the gene "
        "table leaves them out: write the gene's HGNC symbol"));
  }
  return absl::NotFoundError(absl::StrCat(quoted, " is not a known gene symbol (gene table ",
                                          std::string(GetTable().version),
                                          "): check the spelling or write the gene's current "
                                          "HGNC symbol"));
}

std::string_view GeneTableVersion() { return GetTable().version; }

GeneTableStats GetGeneTableStats() { return GetTable().stats; }

}  // namespace fedreg
