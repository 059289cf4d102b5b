// Gene fusions as hospitals write them, parsed into the registry's canonical
// form. Partners are looked up with LookUpGene (common/gene_symbols.h), so
// they are stored as approved symbols ("C11orf95::RELA" -> "ZFTA::RELA").
// Pure functions; any thread.
//
// Accepted input (ASCII letters in any case, surrounding white space, NFKC
// folding as for gene symbols; an optional trailing word "fusion" or
// "rearrangement"):
//   "EML4::ALK"       HGNC's notation, 5' partner first (Bruford et al. 2021,
//                     "HGNC recommendations for the designation of gene
//                     fusions", Leukemia 35:3040).
//   "EML4--ALK"       the double hyphen of fusion callers (STAR-Fusion, Arriba).
//   "EML4-ALK", "EML4-ALK fusion"
//                     a single hyphen, the older notation. Symbols hold hyphens
//                     too (NKX2-1, HLA-A, H3-3A), so every hyphen is tried: the
//                     text is accepted only when exactly one hyphen splits it
//                     into two strings the gene table knows and the whole text
//                     is not itself a symbol or synonym. Otherwise the message
//                     lists the readings and asks for "A::B".
//   Either partner may instead be a word for a non-gene partner:
//     "intergenic"  the break joins the gene to an intergenic region;
//     "intragenic"  a rearrangement within the one gene;
//     "?" or "unknown"  a partner not identified (the VICC Gene Fusion
//                   Specification's "unknown gene component", written "?").
//   "ALK rearrangement", "ALK fusion": one gene, partner and side unknown.
// Refused, with a message that says which partner failed and why: an unknown
// or ambiguous partner ("5' partner 'EMLL4' is not a known gene symbol ..."),
// a bare gene with no partner ("ALK"), "A/B" (a slash does not say which is
// 5'), three or more partners, the same gene on both sides, no gene at all.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace fedreg {

// What is joined to the named gene. Not for storing as a number: the
// canonical text says it.
enum class FusionPartnerKind {
  kGene,        // two genes: gene_5p and gene_3p are both set
  kIntergenic,  // the other side is an intergenic region
  kIntragenic,  // a rearrangement within `gene`
  kUnknown,     // the other side was not identified
};

// Canonical forms (the `canonical` field), one per shape:
//   "EML4::ALK"                          two genes, 5' first
//   "ALK::intergenic", "intergenic::ALK" one gene; the side written is kept
//   "ALK::intragenic"                    within ALK (either side written;
//                                        gene_5p and gene_3p stay empty)
//   "ALK::?", "?::ALK"                   one gene, partner unknown, side known
//   "ALK rearrangement"                  one gene, partner and side unknown
struct Fusion {
  std::string gene_5p;  // approved symbol of the 5' gene; "" when that side is no gene or unknown
  std::string gene_3p;  // approved symbol of the 3' gene; likewise
  FusionPartnerKind partner_kind = FusionPartnerKind::kGene;
  std::string gene;       // the one named gene when partner_kind != kGene; "" for two genes
  std::string canonical;  // see above
  // Normalisations made, for the record's audit trail, e.g. "5' partner
  // 'C11orf95' is an NCBI Gene synonym (previous symbol or alias) of ZFTA;
  // recorded as ZFTA", or which hyphen was taken when a text with several
  // ("NKX2-1-ALK") was read. Empty for approved symbols in one reading.
  std::vector<std::string> notes;
};

// Parses `text` (see above). INVALID_ARGUMENT or NOT_FOUND (a partner that is
// not a known gene) with a message naming the failing partner and quoting the
// input with Utf8Prefix (at most 64 bytes a quote).
absl::StatusOr<Fusion> ParseFusion(std::string_view text);

}  // namespace fedreg
