// One canonical spelling for a gene alteration (an HGVS protein or coding-DNA
// description, or an exon-level event), shared by the agent's importer and the
// centre: both call CanonicalizeVariant before validation, storage and
// counting, so "p.Val600Glu", "p.(V600E)" and "V600E" are one alteration.
//
// Sources of the rules:
//  - HGVS Nomenclature, protein recommendations
//    (https://hgvs-nomenclature.org/stable/recommendations/protein/, formerly
//    varnomen.hgvs.org/recommendations/protein/): substitution, deletion,
//    duplication, insertion, delins, frameshift, extension pages; p.(...) for
//    predicted consequences; `Ter`/`*` for stop; `=` unchanged; `?` unknown;
//    p.0 no protein.
//  - HGVS Nomenclature, DNA recommendations
//    (https://hgvs-nomenclature.org/stable/recommendations/DNA/): c. numbering
//    (c.-N 5' of the ATG, c.*N 3' of the stop, c.N+M / c.N-M intronic).
//  - Amino-acid codes: IUPAC-IUB JCBN (Eur. J. Biochem. 138:9-37, 1984; Sec U
//    and Pyl O added later), as listed by HGVS ("Standards: amino acids").
//  - cBioPortal/MAF `HGVSp_Short` and `Variant_Classification` as written by
//    vcf2maf (github.com/mskcc/vcf2maf, vcf2maf.pl: `p.X<n>_splice` for
//    splice donor/acceptor variants, GetVariantClassification()).
//
// CANONICAL FORMS (what `protein_change`, `hgvs_c` and `text` hold):
//   kind               canonical                    accepted spellings (examples)
//   missense           p.V600E                      p.Val600Glu, p.(Val600Glu), p.(V600E), V600E, p.v600e
//   nonsense           p.R213*                      p.Arg213Ter, p.R213X, p.Arg213*, p.(R213*)
//   synonymous         p.V600=, p.=                 p.Val600=, p.V600V (vcf2maf's Silent form), p.(=)
//   stop retained      p.*110=                      p.Ter110=, p.*110*
//   in-frame deletion  p.V600del, p.E746_A750del    p.V600delV, p.E746_A750delELREA, p.Glu746_Ala750del
//   duplication        p.A767_V769dup               p.A767_V769dupASV, p.Ala767_Val769dup
//   insertion          p.N771_P772insH              p.Asn771_Pro772insHis
//   deletion-insertion p.E746_S752delinsV           p.Glu746_Ser752delinsVal (p.V600delinsE is p.V600E)
//   frameshift         p.P34fs                      p.P34Lfs*12, p.Pro34LeufsTer12, p.P34fsX12, p.G12Cfs*7?
//   stop lost          p.*110Qext*17, p.*110Q       p.Ter110GlnextTer17, p.*110Glnext*?
//   start changed      p.M1ext-5, p.M1V, p.M1?      p.Met1extMet-5 (the older HGVS spelling)
//   no protein         p.0                          p.0?
//   unknown            p.?, p.V600?                 p.(?)
//   splice site        p.X123_splice (vcf2maf)      X123_splice, p.D123_splice (the residue becomes X)
//   coding DNA         hgvs_c c.1799T>A             1799T>A, c.1799t>a, NM_004333.4:c.1799T>A
//   splice (DNA)       hgvs_c c.1234+1G>A           c.1234-2A>G, c.3028+1_3028+5del
//   promoter / UTR     hgvs_c c.-124C>T, c.*100A>G  -124C>T; for gene TERT also C228T, C250T
//   intronic           hgvs_c c.1234+50A>G
//   exon skipping      text "exon 14 skipping"      exon14skip, ex14 skipping, METex14, MET exon 14 (gene MET)
//   exon deletion      text "exon 19 deletion"      ex19del, exon 19 del, Ex19Del, EGFR exon19 deletion
//   exon insertion     text "exon 20 insertion"     ex20ins, exon 20 ins, exon 20 insertions
//   c. and p. together both fields; text = p.       c.1799T>A (p.V600E), p.V600E c.1799T>A, c.1799T>A(p.Val600Glu)
//
// Decisions (each documented because HGVS alone does not settle it):
//  - Frameshifts are stored as HGVS's own short form p.<ref><pos>fs
//    (frameshift page: "p.Arg97fs"; "specifying the termination position is
//    optional"). Sources disagree on whether they give the new residue and the
//    Ter count (VEP: p.Pro34LeufsTer12; many panel reports and older MAFs:
//    p.P34fs; legacy: p.P34LfsX12), and both are fixed by the DNA change, so
//    keeping them would split one event into several strings. The dropped
//    tail is named in `note`; the exact event stays in `hgvs_c` when given.
//  - Parentheses (predicted, not observed) are dropped: the registry counts
//    alterations, not the evidence level of their protein description.
//  - Lower case: HGVS one-letter codes are upper case, but a description
//    written wholly in lower case ("v600e", "p.val600glu") is read as the
//    upper-case one (cancervariants/variation-normalization#55 asks that
//    "BRAF v600e" be accepted like "BRAF V600E"). Mixed case ("p.V600e") is
//    refused: it is a typo, not a convention, and one-letter case cannot be
//    guessed inside a mixed string.
//  - `X` is a stop only where the new residue goes (p.R213X, fsX12, extX17,
//    the legacy HGVS use); anywhere else X/Xaa is "unknown amino acid" and
//    refused, except in vcf2maf's p.X<n>_splice.
//  - Ambiguity codes Asx/B, Glx/Z, Xle/J and Xaa are refused: they do not
//    name one alteration.
//  - A bare DNA description ("-124C>T", "1799T>A") is read as c. (the field
//    is per gene; genomic g. positions are never that small and never
//    negative). g., n., r., m. descriptions are refused.
//  - "C228T"/"C250T" are the hg19-coordinate nicknames of the TERT promoter
//    hotspots chr5:1,295,228 and 1,295,250 (Horn et al., Science 2013;
//    Huang et al., Science 2013) = c.-124C>T and c.-146C>T. They are read so
//    only when the gene is TERT (parameter or text); for any other gene
//    "C228T" is the protein change p.C228T.
//  - "exon N deletion" means an in-frame deletion within exon N (the usage of
//    EGFR exon 19 deletions); "exon N skipping" the loss of exon N from the
//    transcript. For MET exon 14 the deletion and the bare "METex14"/"ex14"
//    are the skipping event (FDA labels of capmatinib/tepotinib: "MET exon 14
//    skipping"), so for gene MET they canonicalise to "exon 14 skipping".
//    A bare "exon N" for any other gene is refused (which event is unsaid).
//  - c. splice: a position with an intronic offset of 1 or 2 (the SO
//    splice_donor/acceptor_variant definition, MAF Splice_Site) or a range
//    crossing an exon/intron boundary; larger offsets are Intron.
//  - Spelled-out deleted/duplicated residues or nucleotides are checked
//    against the range and then dropped (HGVS: p.Val7del, c.6_8del).
//  - `codon`: the protein position of the first residue (p.V600E -> 600,
//    p.E746_A750del -> 746); for a coding c. position N that is exonic or a
//    splice site (c.N+1/+2, c.N-1/-2) ceil(N/3), which equals vcf2maf's
//    p.X<n>_splice position rule; 0 for deep intronic and UTR positions.
//
// Limits: input at most 200 bytes; positions at most 99999 (protein) and
// 9999999 (c.); exons 1..400 (TTN, the gene with the most exons, has 363).
// Not supported (refused with a message): alleles p.[..;..], repeats
// p.A2[10], length-only insertions ins(10), uncertain positions
// c.(100_150), mosaics "/", g./n./r./m. prefixes.
//
// Thread safety: pure functions, callable from any thread. ASCII input takes
// no ICU call; input with non-ASCII characters is normalised once by ICU.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fedreg {

// The consequence class of an alteration. Persisted by callers: never
// renumber, only add.
enum class VariantClass : int {
  kUnspecified = 0,          // never returned by CanonicalizeVariant
  kMissense = 1,             // p.V600E; p.M1V is kStartLost
  kNonsense = 2,             // p.R213*
  kSynonymous = 3,           // p.V600=, p.=, p.*110= (stop retained)
  kInframeDeletion = 4,      // p.E746_A750del
  kInframeInsertion = 5,     // p.N771_P772insH
  kInframeDelins = 6,        // p.E746_S752delinsV
  kDuplication = 7,          // p.A767_V769dup
  kFrameshift = 8,           // p.P34fs
  kStopLost = 9,             // p.*110Qext*17, p.*110Q
  kStartLost = 10,           // p.M1V, p.M1?, p.M1ext-5
  kNoProtein = 11,           // p.0
  kSplice = 12,              // p.X123_splice, c.1234+1G>A, c.1234-2A>G
  kFivePrime = 13,           // c.-124C>T (promoter or 5'UTR)
  kThreePrime = 14,          // c.*100A>G (3'UTR or downstream)
  kIntron = 15,              // c.1234+50A>G
  kExonSkipping = 16,        // exon 14 skipping
  kExonDeletion = 17,        // exon 19 deletion
  kExonInsertion = 18,       // exon 20 insertion
  kUnknownConsequence = 19,  // p.?, p.V600?, or a coding c. change without p.
};

// The canonical form of one alteration. Strings are ASCII.
struct CanonicalVariant {
  // What to store and count: protein_change when there is one, else hgvs_c,
  // else the exon phrase ("exon 14 skipping"). Never empty on success.
  std::string text;
  std::string protein_change;      // "p.V600E"; "" when none (see the table above)
  std::string hgvs_c;              // "c.-124C>T"; "" when none
  std::string gene;                // gene named in the text ("METex14" -> "MET"), spelled as the
                                   // `gene` argument when one was given; else ""
  std::string reference_sequence;  // "NM_004333.4" from "NM_004333.4:c.1799T>A", else ""
  int exon = 0;                    // exon events only
  VariantClass cls = VariantClass::kUnspecified;
  int codon = 0;           // protein position of the first residue; 0 when none
  char ref_aa = 0;         // one-letter reference residue ('*' for a stop); 0 when none/unknown
  bool rewritten = false;  // `text` differs from the input byte for byte
  std::string note;        // what was rewritten, "; "-separated; "" when nothing
};

// Canonicalises `text` (one alteration: a p. or c. description, both
// together, or an exon event; optionally preceded by a gene symbol or a
// reference sequence such as "NM_004333.4:"). `gene`, when not empty, is the
// alteration's HGNC symbol: it enables the gene conventions above (MET exon
// 14, TERT C228T) and must match a gene named in the text.
//
// Tolerated and rewritten: surrounding ASCII/U+3000 spaces, full-width forms
// (NFKC), Unicode dashes, `P.`/`C.` prefixes, a missing `p.` or `c.`,
// three-letter codes, `Ter`, `X` as stop, parentheses, spelled-out deleted
// residues, frameshift tails, wholly lower-case descriptions.
//
// Errors: INVALID_ARGUMENT whose message quotes the input (Utf8Prefix, so
// the message is valid UTF-8 even for invalid input), says what is wrong and
// shows the accepted form, e.g.
//   'p.Val600Glx': 'Glx' is not an amino-acid code; write e.g. p.V600E or p.Val600Glu
// Never crashes and never reads past `text` on any input.
absl::StatusOr<CanonicalVariant> CanonicalizeVariant(std::string_view text, std::string_view gene = {});

// True when `change` is a protein_change exactly as CanonicalizeVariant
// produces it (the table above), i.e. canonicalising it returns it unchanged.
// This is the rule the centre's validator should apply after
// canonicalisation.
bool IsCanonicalProteinChange(std::string_view change);

// The same for `hgvs_c`: true when `change` is a c. description exactly as
// CanonicalizeVariant produces it ("c.1799T>A", "c.-124C>T", "c.2235_2249del").
bool IsCanonicalCodingChange(std::string_view change);

// The cBioPortal/MAF Variant_Classification name of `cls`. Deviations (MAF
// has no such value, or the p. text cannot tell which one):
//   kInframeDelins      "In_Frame_Delins" (vcf2maf files a delins as
//                       In_Frame_Del or In_Frame_Ins by its net length)
//   kDuplication        "In_Frame_Ins"    (a protein dup is an insertion)
//   kFrameshift         "Frame_Shift"     (MAF splits _Del/_Ins by the DNA change)
//   kNoProtein          "No_Protein"
//   kFivePrime          "5'Flank"         (a c.-N position may also be in the
//                       5'UTR; the registry's c.-N events are promoter hotspots)
//   kThreePrime         "3'UTR"           (a c.*N position may also be 3'Flank)
//   kExonSkipping       "Exon_Skipping"; kExonDeletion "Exon_Deletion";
//   kExonInsertion      "Exon_Insertion"; kUnknownConsequence "Unknown";
//   kUnspecified        "".
// Others are MAF values: Missense_Mutation, Nonsense_Mutation, Silent,
// In_Frame_Del, In_Frame_Ins, Nonstop_Mutation, Translation_Start_Site,
// Splice_Site, Intron.
std::string_view VariantClassName(VariantClass cls);

}  // namespace fedreg
