#include "common/fusion.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/gene_symbols.h"
#include "common/utf8.h"

namespace fedreg {
namespace {

constexpr size_t kQuoteBytes = 64;

// Debian's abseil has its own string_view (ABSL_OPTION_USE_STD_STRING_VIEW 0).
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string Quote(std::string_view s) { return "'" + Utf8Prefix(s, kQuoteBytes) + "'"; }

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// NFKC (so that full-width "ＥＭＬ４：：ＡＬＫ" and U+3000 fold to ASCII),
// then trimmed. REQUIRES: valid UTF-8.
std::string NfkcTrim(std::string_view text) {
  const bool ascii = std::all_of(text.begin(), text.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return std::string(Trim(text));
  static const icu::Normalizer2* const nfkc = [] {
    UErrorCode e = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(e);
    return U_SUCCESS(e) ? n : nullptr;
  }();
  if (nfkc == nullptr) return std::string(Trim(text));
  UErrorCode err = U_ZERO_ERROR;
  icu::UnicodeString norm = nfkc->normalize(icu::UnicodeString::fromUTF8(icu::StringPiece(
                                                text.data(), static_cast<int32_t>(text.size()))),
                                            err);
  if (U_FAILURE(err)) return std::string(Trim(text));
  std::string out;
  norm.toUTF8String(out);
  return std::string(Trim(out));
}

// A side of a fusion: a gene, or a word for a partner that is not one.
enum class Side { kGene, kIntergenic, kIntragenic, kUnknown };

Side Classify(std::string_view part) {
  if (EqualsIgnoreCase(part, "intergenic")) return Side::kIntergenic;
  if (EqualsIgnoreCase(part, "intragenic")) return Side::kIntragenic;
  if (part == "?" || EqualsIgnoreCase(part, "unknown")) return Side::kUnknown;
  return Side::kGene;
}

bool IsKeyword(std::string_view part) { return Classify(part) != Side::kGene; }

bool IsKnown(std::string_view part) {
  return !part.empty() && LookUpGene(part).kind != GeneMatch::Kind::kUnknown;
}

// The approved symbol for one named gene; `role` ("5' partner", "3' partner",
// "gene") prefixes notes and errors.
absl::StatusOr<std::string> ResolveGene(std::string_view part, std::string_view role,
                                        std::vector<std::string>* notes) {
  if (part.empty()) return absl::InvalidArgumentError(absl::StrCat(AV(role), " is empty"));
  std::string note;
  absl::StatusOr<std::string> symbol = CanonicalGene(part, &note);
  if (!symbol.ok()) {
    return absl::Status(symbol.status().code(),
                        absl::StrCat(AV(role), " ", symbol.status().message()));
  }
  if (!note.empty()) notes->push_back(absl::StrCat(AV(role), " ", note));
  return symbol;
}

std::string NoPartnerMessage(std::string_view quoted, std::string_view symbol) {
  return absl::StrCat(AV(quoted), " names one gene and no partner: write '", AV(symbol),
                      "::PARTNER' (5'::3'), '", AV(symbol),
                      "::?' when the partner is not known, or '", AV(symbol), " rearrangement'");
}

// One gene, partner and side unknown ("ALK rearrangement").
absl::StatusOr<Fusion> SingleGene(std::string_view part) {
  Fusion f;
  absl::StatusOr<std::string> g = ResolveGene(part, "gene", &f.notes);
  if (!g.ok()) return g.status();
  f.gene = *std::move(g);
  f.partner_kind = FusionPartnerKind::kUnknown;
  f.canonical = absl::StrCat(f.gene, " rearrangement");
  return f;
}

// Two sides, 5' first, each already trimmed.
absl::StatusOr<Fusion> ResolvePair(std::string_view left, std::string_view right) {
  if (left.empty()) return absl::InvalidArgumentError("5' partner is empty");
  if (right.empty()) return absl::InvalidArgumentError("3' partner is empty");
  const Side sl = Classify(left);
  const Side sr = Classify(right);
  Fusion f;
  if (sl != Side::kGene && sr != Side::kGene) {
    return absl::InvalidArgumentError(absl::StrCat(Quote(left), "::", Quote(right),
                                                   " names no gene: one partner at least must be a "
                                                   "gene symbol"));
  }
  if (sl == Side::kGene && sr == Side::kGene) {
    absl::StatusOr<std::string> g5 = ResolveGene(left, "5' partner", &f.notes);
    absl::StatusOr<std::string> g3 = ResolveGene(right, "3' partner", &f.notes);
    if (!g5.ok() && !g3.ok()) {
      return absl::Status(g5.status().code(),
                          absl::StrCat(g5.status().message(), "; ", g3.status().message()));
    }
    if (!g5.ok()) return g5.status();
    if (!g3.ok()) return g3.status();
    if (*g5 == *g3) {
      return absl::InvalidArgumentError(
          absl::StrCat("both partners are ", *g5, ": write '", *g5,
                       "::intragenic' for a rearrangement within one gene"));
    }
    f.gene_5p = *std::move(g5);
    f.gene_3p = *std::move(g3);
    f.partner_kind = FusionPartnerKind::kGene;
    f.canonical = absl::StrCat(f.gene_5p, "::", f.gene_3p);
    return f;
  }
  const bool gene_is_5p = sl == Side::kGene;
  const Side other = gene_is_5p ? sr : sl;
  absl::StatusOr<std::string> g =
      ResolveGene(gene_is_5p ? left : right, gene_is_5p ? "5' partner" : "3' partner", &f.notes);
  if (!g.ok()) return g.status();
  f.gene = *std::move(g);
  switch (other) {
    case Side::kIntragenic:
      f.partner_kind = FusionPartnerKind::kIntragenic;
      f.canonical = absl::StrCat(f.gene, "::intragenic");
      return f;
    case Side::kIntergenic:
      f.partner_kind = FusionPartnerKind::kIntergenic;
      break;
    case Side::kUnknown:
    case Side::kGene:  // not reached: one side is a gene, the other is not
      f.partner_kind = FusionPartnerKind::kUnknown;
      break;
  }
  const std::string_view word =
      f.partner_kind == FusionPartnerKind::kIntergenic ? "intergenic" : "?";
  if (gene_is_5p) {
    f.gene_5p = f.gene;
    f.canonical = absl::StrCat(f.gene, "::", AV(word));
  } else {
    f.gene_3p = f.gene;
    f.canonical = absl::StrCat(AV(word), "::", f.gene);
  }
  return f;
}

// Splits on every occurrence of `sep`.
std::vector<std::string_view> SplitAll(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t at; (at = s.find(sep, start)) != std::string_view::npos; start = at + sep.size()) {
    parts.push_back(Trim(s.substr(start, at - start)));
  }
  parts.push_back(Trim(s.substr(start)));
  return parts;
}

// "A-B": a single hyphen, resolved by the gene table (see fusion.h).
absl::StatusOr<Fusion> ResolveHyphen(std::string_view s, bool had_suffix) {
  const size_t first = s.find('-');
  const size_t last = s.rfind('-');
  // A word for a non-gene partner at either end: "ALK-intergenic", "?-ALK".
  if (std::string_view tail = Trim(s.substr(last + 1)); IsKeyword(tail)) {
    return ResolvePair(Trim(s.substr(0, last)), tail);
  }
  if (std::string_view head = Trim(s.substr(0, first)); IsKeyword(head)) {
    return ResolvePair(head, Trim(s.substr(first + 1)));
  }
  std::vector<std::pair<std::string_view, std::string_view>> splits;
  for (size_t at = first; at != std::string_view::npos; at = s.find('-', at + 1)) {
    std::string_view l = Trim(s.substr(0, at));
    std::string_view r = Trim(s.substr(at + 1));
    if (IsKnown(l) && IsKnown(r)) splits.emplace_back(l, r);
  }
  const bool whole_known = IsKnown(s);
  if (splits.size() == 1 && !whole_known) {
    absl::StatusOr<Fusion> f = ResolvePair(splits[0].first, splits[0].second);
    if (f.ok() && first != last) {
      f->notes.push_back(
          absl::StrCat("read ", Quote(s), " as ",
                       Quote(absl::StrCat(AV(splits[0].first), "::", AV(splits[0].second))),
                       ": the only hyphen that splits it into two known genes"));
    }
    return f;
  }
  if (splits.empty() && whole_known) {
    if (had_suffix) return SingleGene(s);
    absl::StatusOr<std::string> g = CanonicalGene(s, nullptr);
    return absl::InvalidArgumentError(NoPartnerMessage(Quote(s), g.ok() ? *g : std::string(s)));
  }
  if (splits.empty()) {
    // With one hyphen the partners are plain: say which of them failed.
    if (first == last) return ResolvePair(Trim(s.substr(0, first)), Trim(s.substr(first + 1)));
    return absl::NotFoundError(absl::StrCat(
        "no hyphen in ", Quote(s),
        " splits it into two known gene symbols: write the partners as 5'::3' (e.g. EML4::ALK)"));
  }
  std::vector<std::string> readings;
  for (const auto& [l, r] : splits) readings.push_back(absl::StrCat(AV(l), "::", AV(r)));
  if (whole_known) readings.push_back(absl::StrCat(AV(s), " rearrangement (one gene)"));
  return absl::InvalidArgumentError(absl::StrCat(Quote(s), " can be read in ", readings.size(),
                                                 " ways (", absl::StrJoin(readings, ", "),
                                                 "): write the one meant in that form"));
}

}  // namespace

absl::StatusOr<Fusion> ParseFusion(std::string_view text) {
  if (!IsValidUtf8(text)) {
    return absl::InvalidArgumentError(absl::StrCat("fusion ", Quote(text), " is not valid UTF-8"));
  }
  const std::string folded = NfkcTrim(text);
  std::string_view s = folded;
  if (s.empty()) return absl::InvalidArgumentError("fusion is empty");

  // An optional last word "fusion" / "rearrangement".
  bool had_suffix = false;
  if (size_t sp = s.find_last_of(" \t"); sp != std::string_view::npos) {
    std::string_view word = s.substr(sp + 1);
    if (EqualsIgnoreCase(word, "fusion") || EqualsIgnoreCase(word, "rearrangement")) {
      had_suffix = true;
      s = Trim(s.substr(0, sp));
    }
  } else if (EqualsIgnoreCase(s, "fusion") || EqualsIgnoreCase(s, "rearrangement")) {
    s = {};
  }
  if (s.empty())
    return absl::InvalidArgumentError(absl::StrCat("fusion ", Quote(text), " names no gene"));

  if (s.find('/') != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("fusion ", Quote(text),
                                                   ": a slash does not say which partner is 5'; "
                                                   "write 5'::3' (HGNC notation, e.g. BCR::ABL1)"));
  }
  for (std::string_view sep : {std::string_view("::"), std::string_view("--")}) {
    if (s.find(sep) == std::string_view::npos) continue;
    std::vector<std::string_view> parts = SplitAll(s, sep);
    if (parts.size() > 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("fusion ", Quote(text), " has ", parts.size(),
                       " partners; the registry records two (5'::3')"));
    }
    return ResolvePair(parts[0], parts[1]);
  }
  if (s.find('-') != std::string_view::npos) return ResolveHyphen(s, had_suffix);

  // No separator: one gene, or not a fusion at all.
  if (IsKeyword(s))
    return absl::InvalidArgumentError(absl::StrCat("fusion ", Quote(text), " names no gene"));
  if (had_suffix) return SingleGene(s);
  if (IsKnown(s)) {
    absl::StatusOr<std::string> g = CanonicalGene(s, nullptr);
    return absl::InvalidArgumentError(NoPartnerMessage(Quote(s), g.ok() ? *g : std::string(s)));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("fusion ", Quote(text),
                   " has no partner separator: write the partners as 5'::3' (e.g. EML4::ALK)"));
}

}  // namespace fedreg
