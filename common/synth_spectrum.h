// What a synthetic alteration of a gene looks like (common/synth.h): the
// per-gene spectrum of protein changes (hotspots and a long tail of missense,
// nonsense, frameshift and splice-site changes), the fusion partners of each
// driver gene by cancer type, the changes a tumour acquires at progression on
// a matched drug, and the frameshifts of microsatellite-unstable tumours.
//
// Every change is written in the canonical form of common/hgvs.h (p.V600E,
// p.R213*, p.P152fs, p.X126_splice, p.E746_A750del, c.-124C>T) and every
// fusion in that of common/fusion.h (5' partner first, approved symbols), so
// the importer takes them unchanged; the export forms (three-letter codes,
// parentheses) are applied afterwards by synth_defects.h.
//
// The weights are approximations shaped on public hotspot catalogues, for
// synthetic data only (sources in synth_spectrum.cc); they are not
// frequencies to quote.
//
// Tables are built once on first use and never change; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/synth_random.h"

namespace fedreg::synth {

// One listed change of a gene. `only_codes` (space-separated OncoTree codes)
// restricts it to those diagnoses, `except_codes` excludes it from them;
// empty means any.
struct SpectrumEntry {
  std::string_view kind;    // "SNV" or "INDEL"
  std::string_view change;  // canonical HGVS (see above)
  double weight;            // relative to the other entries and the tail
  std::string_view only_codes;
  std::string_view except_codes;
};

// The long tail of a gene's changes, generated from its reference protein so
// that every generated change names the true reference residue.
struct SpectrumTail {
  double weight = 0;            // the tail's share, in the units of the entries' weights
  std::string_view sequence;    // the reference protein, residue 1 first
  int domain_first = 0;         // missense positions fall in [domain_first, domain_last]
  int domain_last = 0;          //   (e.g. TP53's DNA-binding domain) 9 times in 10
  double missense = 0;          // relative weights of the tail's consequence classes
  double nonsense = 0;          //   (at R, Q, W, E, K, Y: a stop one base away)
  double frameshift = 0;        //   (anywhere in the protein)
  double splice = 0;            //   (p.X<n>_splice at `splice_codons`)
  std::vector<int> splice_codons;
};

struct GeneSpectrum {
  // The gene's approved symbol, or "<gene>-<part>" for a part of its changes
  // that a prior draws apart (FLT3-TKD beside FLT3's ITDs).
  std::string_view name;
  std::vector<SpectrumEntry> entries;
  SpectrumTail tail;
};

// Every spectrum, and the one called `name` (nullptr when there is none).
const std::vector<GeneSpectrum>& Spectra();
const GeneSpectrum* FindSpectrum(std::string_view name);

struct DrawnChange {
  std::string kind;    // "SNV" or "INDEL"
  std::string change;  // canonical HGVS
};

// One change of `spectrum` for a tumour of OncoTree `code`. When no entry
// applies to `code` and there is no tail, returns the first entry.
DrawnChange DrawChange(const GeneSpectrum& spectrum, std::string_view code, Rng& rng);

// One fusion of a driver gene. `gene` is the alteration's gene column: the
// driver, or the partner that the fusion is usually filed under (FUS::ERG is
// an ERG fusion in the EWSR1 table of Ewing sarcoma).
struct FusionOption {
  std::string_view gene;
  std::string_view fusion;  // "5'::3'" (common/fusion.h)
  double weight;
  std::string_view only_codes;
  std::string_view except_codes;
};

struct FusionSpectrum {
  std::string_view driver;  // the gene named by the prior (alteration-priors.tsv)
  std::vector<FusionOption> options;
};

const std::vector<FusionSpectrum>& FusionSpectra();
const FusionSpectrum* FindFusions(std::string_view driver);

// One fusion of `fusions` for OncoTree `code` (the first option when none
// applies to it).
const FusionOption& DrawFusion(const FusionSpectrum& fusions, std::string_view code, Rng& rng);

// A change found at progression on a drug matched to `driver` (a secondary
// kinase-domain mutation or a bypass track), for a later genomic test.
struct AcquiredChange {
  std::string_view driver;  // gene of the first test's alteration that the drug targets
  std::string_view gene;
  std::string_view kind;
  std::string_view change;
  double weight;
};
const std::vector<AcquiredChange>& AcquiredChanges();

// A frameshift at a coding mononucleotide repeat that microsatellite-unstable
// tumours carry often; `rate` is the share of MSI-H tumours with it.
struct MsiFrameshift {
  std::string_view gene;
  std::string_view change;
  double rate;
};
const std::vector<MsiFrameshift>& MsiFrameshifts();

}  // namespace fedreg::synth
