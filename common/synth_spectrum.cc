// Per-gene change spectra and fusion partners for the synthetic exports. See
// synth_spectrum.h.
//
// Sources (what each table is shaped on; none of it is copied data):
//  - Hotspot residues and their rough ranking: Chang MT et al., Nat
//    Biotechnol 2016;34:155-163 and Cancer Discov 2018;8:174-183
//    (cancerhotspots.org v2, single-residue and in-frame indel hotspots).
//  - TP53 hotspots, nonsense and splice sites: the IARC/NCI TP53 Database
//    (R20; Bouaoun L et al., Hum Mutat 2016;37:865-876). The reference
//    protein is UniProt P04637 (canonical isoform, 393 aa); the long tail is
//    generated from it, so every tail change names the true residue.
//  - Fusion partners by tumour type: the WHO Classification of Tumours, Soft
//    Tissue and Bone (5th ed., 2020) for the sarcoma fusions, and the
//    Mitelman Database of Chromosome Aberrations and Gene Fusions in Cancer
//    for the partners of ALK, ROS1, RET, NTRK1-3 and FGFR2.
//  - Changes at progression on a matched drug: published resistance
//    mechanisms (e.g. ALK G1202R, Gainor JF et al., Cancer Discov 2016;6:1118;
//    KIT exon 13/14/17 mutations on imatinib in GIST; NTRK solvent-front
//    G595R/G623R, Drilon A et al., Cancer Discov 2017;7:963; ROS1 G2032R,
//    Awad MM et al., NEJM 2013;368:2395; FGFR2 N549K/V564F, Goyal L et al.,
//    Cancer Discov 2017;7:252; IDH isoform switching, Harding JJ et al.,
//    Cancer Discov 2018;8:1540).
//  - MSI frameshifts: RNF43 G659fs (Giannakis M et al., Nat Genet
//    2014;46:1264) and other coding-repeat frameshifts recurrent in MSI-H
//    tumours in cBioPortal's public cohorts.
// The relative weights follow those rankings but are rounded by hand: they
// are approximations for synthetic data only, not frequencies to quote.
#include "common/synth_spectrum.h"
#include "common/synth_data.h"

#include <string>
#include <string_view>
#include <vector>

namespace fedreg::synth {
namespace {

// UniProt P04637 (TP53_HUMAN), canonical isoform, residues 1-393.
constexpr std::string_view kTp53Protein =
    "MEEPQSDPSVEPPLSQETFSDLWKLLPENNVLSPLPSQAMDDLMLSPDDIEQWFTEDPGP"  //   1- 60
    "DEAPRMPEAAPPVAPAPAAPTPAAPAPAPSWPLSSSVPSQKTYQGSYGFRLGFLHSGTAK"  //  61-120
    "SVTCTYSPALNKMFCQLAKTCPVQLWVDSTPPPGTRVRAMAIYKQSQHMTEVVRRCPHHE"  // 121-180
    "RCSDSDGLAPPQHLIRVEGNLRVEYLDDRNTFRHSVVVPYEPPEVGSDCTTIHYNYMCNS"  // 181-240
    "SCMGGMNRRPILTIITLEDSSGNLLGRNSFEVRVCACPGRDRRTEEENLRKKGEPHHELP"  // 241-300
    "PGSTKRALPNNTSSSPQPKKKPLDGEYFTLQIRGRERFEMFRELNEALELKDAQAGKEPG"  // 301-360
    "GSRAHSSHLKSKKGQSTSRHKKLMFKTEGPDSD";                            // 361-393

constexpr std::string_view kAminoAcids = "ACDEFGHIKLMNPQRSTVWY";

bool Applies(std::string_view only, std::string_view except, std::string_view code) {
  return (only.empty() || InCodeList(only, code)) && !InCodeList(except, code);
}

std::string Residue(char ref, int pos) { return std::string(1, ref) + std::to_string(pos); }

// One change of the tail of `t`.
DrawnChange DrawTail(const SpectrumTail& t, Rng& rng) {
  const int length = static_cast<int>(t.sequence.size());
  const std::vector<double> classes = {t.missense, t.nonsense, t.frameshift,
                                       t.splice_codons.empty() ? 0 : t.splice};
  switch (rng.Weighted(classes)) {
    case 0: {
      const bool in_domain = t.domain_first > 0 && rng.Chance(0.9);
      const int lo = in_domain ? t.domain_first : 2;
      const int hi = in_domain ? t.domain_last : length;
      const int pos = static_cast<int>(rng.Int(lo, hi));
      const char ref = t.sequence[pos - 1];
      char alt = ref;
      while (alt == ref) alt = kAminoAcids[static_cast<size_t>(rng.Int(0, 19))];
      return {"SNV", "p." + Residue(ref, pos) + alt};
    }
    case 1: {
      // A stop one base away: CGA (R), CAG/CAA (Q), TGG (W), GAG/GAA (E),
      // AAG/AAA (K), TAC/TAT (Y). Redraw until the residue is one of them.
      for (;;) {
        const int pos = static_cast<int>(rng.Int(2, length));
        const char ref = t.sequence[pos - 1];
        if (std::string_view("RQWEKY").find(ref) != std::string_view::npos) {
          return {"SNV", "p." + Residue(ref, pos) + "*"};
        }
      }
    }
    case 2: {
      const int pos = static_cast<int>(rng.Int(2, length));
      return {"INDEL", "p." + Residue(t.sequence[pos - 1], pos) + "fs"};
    }
    default:
      return {"SNV", "p.X" + std::to_string(rng.Pick(t.splice_codons)) + "_splice"};
  }
}

}  // namespace

const std::vector<GeneSpectrum>& Spectra() {
  static const auto* spectra = new std::vector<GeneSpectrum>{
      // TP53: about 45% of changes at the listed hotspots, the rest a tail
      // across the protein, missense mostly in the DNA-binding domain
      // (residues 94-292), a third of the tail truncating.
      {"TP53",
       {
           {"SNV", "p.R175H", 4.5, "", ""},  {"SNV", "p.R273H", 3.0, "", ""},
           {"SNV", "p.R248Q", 3.0, "", ""},  {"SNV", "p.R273C", 2.6, "", ""},
           {"SNV", "p.R248W", 2.5, "", ""},  {"SNV", "p.R282W", 2.0, "", ""},
           {"SNV", "p.Y220C", 1.6, "", ""},  {"SNV", "p.G245S", 1.5, "", ""},
           {"SNV", "p.R249S", 1.2, "", ""},  {"SNV", "p.H179R", 0.9, "", ""},
           {"SNV", "p.V157F", 0.9, "", ""},  {"SNV", "p.R158H", 0.8, "", ""},
           {"SNV", "p.C176F", 0.8, "", ""},  {"SNV", "p.H193R", 0.8, "", ""},
           {"SNV", "p.Y163C", 0.8, "", ""},  {"SNV", "p.M237I", 0.8, "", ""},
           {"SNV", "p.V272M", 0.7, "", ""},  {"SNV", "p.E285K", 0.6, "", ""},
           {"SNV", "p.R280K", 0.6, "", ""},  {"SNV", "p.I195T", 0.6, "", ""},
           {"SNV", "p.Y234C", 0.6, "", ""},  {"SNV", "p.C275F", 0.5, "", ""},
           {"SNV", "p.P278S", 0.5, "", ""},  {"SNV", "p.G245D", 0.5, "", ""},
           {"SNV", "p.R158L", 0.5, "", ""},  {"SNV", "p.S241F", 0.4, "", ""},
           {"SNV", "p.C242F", 0.4, "", ""},  {"SNV", "p.G266R", 0.4, "", ""},
           {"SNV", "p.Y205C", 0.4, "", ""},  {"SNV", "p.H214R", 0.4, "", ""},
           {"SNV", "p.R273L", 0.4, "", ""},  {"SNV", "p.E286K", 0.4, "", ""},
           {"SNV", "p.K132N", 0.4, "", ""},  {"SNV", "p.R248L", 0.3, "", ""},
           {"SNV", "p.N239D", 0.3, "", ""},  {"SNV", "p.C135Y", 0.3, "", ""},
           {"SNV", "p.R110L", 0.2, "", ""},  {"SNV", "p.R337H", 0.2, "", ""},
           // Recurrent nonsense (CGA arginine codons first), splice sites
           // and frameshifts.
           {"SNV", "p.R213*", 1.4, "", ""},  {"SNV", "p.R196*", 1.0, "", ""},
           {"SNV", "p.R342*", 1.0, "", ""},  {"SNV", "p.R306*", 0.9, "", ""},
           {"SNV", "p.Q192*", 0.5, "", ""},  {"SNV", "p.E298*", 0.4, "", ""},
           {"SNV", "p.W146*", 0.4, "", ""},  {"SNV", "p.Q136*", 0.3, "", ""},
           {"SNV", "p.R65*", 0.2, "", ""},   {"SNV", "p.X126_splice", 0.6, "", ""},
           {"SNV", "p.X224_splice", 0.6, "", ""}, {"SNV", "p.X187_splice", 0.5, "", ""},
           {"SNV", "p.X261_splice", 0.4, "", ""}, {"SNV", "p.X307_splice", 0.4, "", ""},
           {"SNV", "p.X332_splice", 0.3, "", ""}, {"SNV", "p.X33_splice", 0.3, "", ""},
           {"INDEL", "p.R209fs", 0.3, "", ""},    {"INDEL", "p.P152fs", 0.3, "", ""},
       },
       {55, kTp53Protein, 94, 292, 62, 14, 19, 5, {33, 126, 187, 224, 261, 307, 332}}},
      // KRAS: codon 12 about 80%, then G13, Q61, A146 and K117.
      {"KRAS",
       {
           {"SNV", "p.G12D", 30, "", ""}, {"SNV", "p.G12V", 23, "", ""},
           {"SNV", "p.G12C", 12, "", ""}, {"SNV", "p.G12R", 7, "", ""},
           {"SNV", "p.G12A", 5, "", ""},  {"SNV", "p.G12S", 3, "", ""},
           {"SNV", "p.G13D", 7, "", ""},  {"SNV", "p.G13C", 1, "", ""},
           {"SNV", "p.Q61H", 4, "", ""},  {"SNV", "p.Q61L", 2, "", ""},
           {"SNV", "p.Q61R", 2, "", ""},  {"SNV", "p.Q61K", 1, "", ""},
           {"SNV", "p.A146T", 2, "", ""}, {"SNV", "p.A146V", 0.5, "", ""},
           {"SNV", "p.K117N", 1, "", ""}, {"SNV", "p.A59T", 0.5, "", ""},
       },
       {}},
      // NRAS: Q61 mostly, then G12/G13.
      {"NRAS",
       {
           {"SNV", "p.Q61R", 35, "", ""}, {"SNV", "p.Q61K", 30, "", ""},
           {"SNV", "p.Q61L", 10, "", ""}, {"SNV", "p.Q61H", 5, "", ""},
           {"SNV", "p.G12D", 8, "", ""},  {"SNV", "p.G13D", 5, "", ""},
           {"SNV", "p.G13R", 4, "", ""},  {"SNV", "p.G12C", 3, "", ""},
       },
       {}},
      // BRAF other than V600E (V600E itself is the prior's own row): V600K,
      // class 2 (K601E, L597V/Q, G464V, G469A/V/R, N486_P490del) and class 3
      // (D594G/N, G466V/E, N581S/I, G596R).
      {"BRAF",
       {
           {"SNV", "p.V600K", 12, "", ""},        {"SNV", "p.G469A", 12, "", ""},
           {"SNV", "p.D594G", 10, "", ""},        {"SNV", "p.K601E", 8, "", ""},
           {"SNV", "p.G466V", 8, "", ""},         {"SNV", "p.D594N", 6, "", ""},
           {"SNV", "p.G469V", 6, "", ""},         {"SNV", "p.N581S", 5, "", ""},
           {"INDEL", "p.N486_P490del", 4, "", ""}, {"SNV", "p.G469R", 3, "", ""},
           {"SNV", "p.L597V", 3, "", ""},         {"SNV", "p.G464V", 3, "", ""},
           {"SNV", "p.G466E", 3, "", ""},         {"SNV", "p.G596R", 3, "", ""},
           {"SNV", "p.L597Q", 2, "", ""},         {"SNV", "p.N581I", 2, "", ""},
       },
       {}},
      // PIK3CA: helical (E542/E545/Q546) and kinase (H1047) domains, then
      // the ABD, C2 and other recurrent residues.
      {"PIK3CA",
       {
           {"SNV", "p.H1047R", 30, "", ""}, {"SNV", "p.E545K", 22, "", ""},
           {"SNV", "p.E542K", 14, "", ""},  {"SNV", "p.H1047L", 5, "", ""},
           {"SNV", "p.N345K", 5, "", ""},   {"SNV", "p.C420R", 3, "", ""},
           {"SNV", "p.E726K", 3, "", ""},   {"SNV", "p.Q546K", 3, "", ""},
           {"SNV", "p.R88Q", 3, "", ""},    {"SNV", "p.Q546R", 2, "", ""},
           {"SNV", "p.M1043I", 2, "", ""},  {"SNV", "p.G118D", 2, "", ""},
           {"SNV", "p.E453K", 2, "", ""},   {"SNV", "p.R93W", 1, "", ""},
           {"SNV", "p.G1049R", 1, "", ""},  {"SNV", "p.H1047Y", 1, "", ""},
           {"SNV", "p.E545A", 1, "", ""},   {"SNV", "p.E545G", 1, "", ""},
           {"SNV", "p.K111E", 1, "", ""},   {"INDEL", "p.E110del", 1, "", ""},
       },
       {}},
      // KIT: GIST exon 11 (the prior's "exon 11 mutation"; deletions around
      // W557-K558 most common), exon 9 A502_Y503dup and rare primary exon
      // 13/17 changes (additions); systemic mastocytosis D816V.
      {"KIT",
       {
           {"INDEL", "p.W557_K558del", 20, "", "SM"}, {"SNV", "p.V559D", 12, "", "SM"},
           {"SNV", "p.V560D", 6, "", "SM"},           {"SNV", "p.W557R", 5, "", "SM"},
           {"SNV", "p.L576P", 4, "", "SM"},           {"SNV", "p.V559A", 4, "", "SM"},
           {"INDEL", "p.V559del", 4, "", "SM"},       {"INDEL", "p.V559_V560del", 3, "", "SM"},
           {"INDEL", "p.D579del", 2, "", "SM"},       {"INDEL", "p.A502_Y503dup", 10, "", "SM"},
           {"SNV", "p.K642E", 1, "", "SM"},           {"SNV", "p.N822K", 1, "", "SM"},
           {"SNV", "p.D816V", 90, "SM", ""},          {"SNV", "p.D816Y", 3, "SM", ""},
           {"SNV", "p.D816H", 2, "SM", ""},
       },
       {}},
      // PDGFRA in KIT-negative GIST: exon 18 D842V mostly.
      {"PDGFRA",
       {
           {"SNV", "p.D842V", 65, "", ""},          {"INDEL", "p.D842_H845del", 6, "", ""},
           {"SNV", "p.N659K", 5, "", ""},           {"SNV", "p.V561D", 5, "", ""},
           {"SNV", "p.D842Y", 4, "", ""},           {"INDEL", "p.I843_D846del", 4, "", ""},
       },
       {}},
      // GNAQ / GNA11 in uveal melanoma: Q209 mostly, R183 the rest.
      {"GNAQ",
       {{"SNV", "p.Q209P", 47, "", ""}, {"SNV", "p.Q209L", 45, "", ""},
        {"SNV", "p.R183Q", 6, "", ""},  {"SNV", "p.Q209H", 2, "", ""}},
       {}},
      {"GNA11",
       {{"SNV", "p.Q209L", 88, "", ""}, {"SNV", "p.R183C", 8, "", ""},
        {"SNV", "p.Q209P", 4, "", ""}},
       {}},
      // IDH1 R132: C most common in cholangiocarcinoma and chondrosarcoma,
      // H in oligodendroglioma.
      {"IDH1",
       {
           {"SNV", "p.R132C", 55, "", "ODG"}, {"SNV", "p.R132L", 12, "", "ODG"},
           {"SNV", "p.R132G", 12, "", "ODG"}, {"SNV", "p.R132S", 8, "", "ODG"},
           {"SNV", "p.R132H", 13, "", "ODG"}, {"SNV", "p.R132H", 90, "ODG", ""},
           {"SNV", "p.R132C", 4, "ODG", ""},  {"SNV", "p.R132G", 2, "ODG", ""},
           {"SNV", "p.R132S", 2, "ODG", ""},
       },
       {}},
      // MYD88 in Waldenstrom macroglobulinemia: L265P almost always.
      {"MYD88",
       {{"SNV", "p.L265P", 96, "", ""}, {"SNV", "p.S219C", 2, "", ""},
        {"SNV", "p.M232T", 2, "", ""}},
       {}},
      // FLT3: internal tandem duplications of the juxtamembrane domain
      // (Y591-Y599, written as insertions, as panel reports do; a few with
      // non-templated residues), and TKD D835/I836 (an addition).
      {"FLT3",
       {
           {"INDEL", "p.E598_Y599insDVDFREYE", 30, "", ""},
           {"INDEL", "p.Y599_D600insYVDFREYEY", 25, "", ""},
           {"INDEL", "p.D600_L601insDFREYEYD", 20, "", ""},
           {"INDEL", "p.Y597_E598insVDFREY", 15, "", ""},
       },
       {}},
      {"FLT3-TKD",  // tyrosine kinase domain changes, drawn by their own prior
       {{"SNV", "p.D835Y", 50, "", ""}, {"SNV", "p.D835V", 15, "", ""},
        {"SNV", "p.D835H", 15, "", ""}, {"INDEL", "p.I836del", 10, "", ""},
        {"SNV", "p.D835E", 10, "", ""}},
       {}},
      // CTNNB1 exon 3 (the GSK3B/CK1 phosphorylation sites D32-S45).
      {"CTNNB1",
       {
           {"SNV", "p.T41A", 30, "", ""}, {"SNV", "p.S45F", 25, "", ""},
           {"SNV", "p.S45P", 12, "", ""}, {"SNV", "p.S33C", 8, "", ""},
           {"SNV", "p.S37F", 6, "", ""},  {"SNV", "p.S37C", 4, "", ""},
           {"SNV", "p.D32N", 4, "", ""},  {"SNV", "p.G34R", 4, "", ""},
           {"SNV", "p.D32Y", 3, "", ""},  {"SNV", "p.S33F", 2, "", ""},
           {"SNV", "p.T41I", 2, "", ""},
       },
       {}},
      // ARID1A: truncating throughout (recurrent ones listed).
      {"ARID1A",
       {
           {"INDEL", "p.D1850fs", 25, "", ""}, {"SNV", "p.R1989*", 20, "", ""},
           {"SNV", "p.R1276*", 15, "", ""},    {"SNV", "p.R1335*", 12, "", ""},
           {"SNV", "p.R1722*", 12, "", ""},    {"SNV", "p.Q563*", 10, "", ""},
       },
       {}},
      // TERT promoter (hg19 chr5:1,295,228 C>T = c.-124C>T and 1,295,250
      // C>T = c.-146C>T; Horn S et al., Science 2013;339:959).
      {"TERT",
       {{"SNV", "c.-124C>T", 75, "", ""}, {"SNV", "c.-146C>T", 25, "", ""}},
       {}},
  };
  return *spectra;
}

const GeneSpectrum* FindSpectrum(std::string_view name) {
  for (const GeneSpectrum& s : Spectra()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

DrawnChange DrawChange(const GeneSpectrum& spectrum, std::string_view code, Rng& rng) {
  std::vector<double> weights;
  for (const SpectrumEntry& e : spectrum.entries) {
    weights.push_back(Applies(e.only_codes, e.except_codes, code) ? e.weight : 0);
  }
  const bool tail = !spectrum.tail.sequence.empty() && spectrum.tail.weight > 0;
  weights.push_back(tail ? spectrum.tail.weight : 0);
  double total = 0;
  for (double w : weights) total += w;
  if (total <= 0) {
    const SpectrumEntry& e = spectrum.entries.front();
    return {std::string(e.kind), std::string(e.change)};
  }
  const size_t i = rng.Weighted(weights);
  if (i == spectrum.entries.size()) return DrawTail(spectrum.tail, rng);
  const SpectrumEntry& e = spectrum.entries[i];
  return {std::string(e.kind), std::string(e.change)};
}

const std::vector<FusionSpectrum>& FusionSpectra() {
  static const auto* fusions = new std::vector<FusionSpectrum>{
      // NTRK: ETV6::NTRK3 defines secretory carcinoma and infantile
      // fibrosarcoma; elsewhere the partners vary.
      {"NTRK3",
       {
           {"NTRK3", "ETV6::NTRK3", 96, "HNMASC JSCB IFS", ""},
           {"NTRK3", "EML4::NTRK3", 4, "IFS", ""},
           {"NTRK3", "ETV6::NTRK3", 50, "", "HNMASC JSCB IFS"},
           {"NTRK3", "EML4::NTRK3", 10, "", "HNMASC JSCB IFS"},
           {"NTRK3", "RBPMS::NTRK3", 5, "", "HNMASC JSCB IFS"},
           {"NTRK3", "SQSTM1::NTRK3", 3, "", "HNMASC JSCB IFS"},
       }},
      {"NTRK1",
       {
           {"NTRK1", "TPM3::NTRK1", 40, "", ""},   {"NTRK1", "LMNA::NTRK1", 25, "", ""},
           {"NTRK1", "TPR::NTRK1", 10, "", ""},    {"NTRK1", "IRF2BP2::NTRK1", 5, "", ""},
           {"NTRK1", "SQSTM1::NTRK1", 5, "", ""},
       }},
      {"NTRK2",
       {
           {"NTRK2", "NACC2::NTRK2", 20, "", ""},  {"NTRK2", "QKI::NTRK2", 20, "", ""},
           {"NTRK2", "AGBL4::NTRK2", 15, "", ""},  {"NTRK2", "TRIM24::NTRK2", 10, "", ""},
           {"NTRK2", "SQSTM1::NTRK2", 10, "", ""}, {"NTRK2", "ETV6::NTRK2", 10, "", ""},
       }},
      // ALK: NPM1 in ALCL; TPM3/TPM4/CLTC/RANBP2 (epithelioid IMT) and others
      // in IMT; EML4 first elsewhere.
      {"ALK",
       {
           {"ALK", "NPM1::ALK", 85, "ALCL", ""},      {"ALK", "TPM3::ALK", 6, "ALCL", ""},
           {"ALK", "ATIC::ALK", 3, "ALCL", ""},       {"ALK", "CLTC::ALK", 2, "ALCL", ""},
           {"ALK", "TFG::ALK", 2, "ALCL", ""},        {"ALK", "MSN::ALK", 1, "ALCL", ""},
           {"ALK", "TPM4::ALK", 1, "ALCL", ""},
           {"ALK", "TPM3::ALK", 20, "IMT", ""},       {"ALK", "TPM4::ALK", 15, "IMT", ""},
           {"ALK", "CLTC::ALK", 12, "IMT", ""},       {"ALK", "RANBP2::ALK", 8, "IMT", ""},
           {"ALK", "EML4::ALK", 8, "IMT", ""},        {"ALK", "CARS1::ALK", 5, "IMT", ""},
           {"ALK", "ATIC::ALK", 5, "IMT", ""},        {"ALK", "SEC31A::ALK", 4, "IMT", ""},
           {"ALK", "PPFIBP1::ALK", 4, "IMT", ""},
           {"ALK", "EML4::ALK", 70, "", "ALCL IMT"},  {"ALK", "STRN::ALK", 8, "", "ALCL IMT"},
           {"ALK", "KIF5B::ALK", 6, "", "ALCL IMT"},  {"ALK", "TPM3::ALK", 6, "", "ALCL IMT"},
           {"ALK", "CLTC::ALK", 4, "", "ALCL IMT"},
       }},
      // ROS1 (an addition): TFG and YWHAE in IMT, GOPC in glioma, CD74 and
      // EZR first elsewhere.
      {"ROS1",
       {
           {"ROS1", "TFG::ROS1", 30, "IMT", ""},      {"ROS1", "YWHAE::ROS1", 30, "IMT", ""},
           {"ROS1", "TPM3::ROS1", 20, "IMT", ""},     {"ROS1", "GOPC::ROS1", 60, "GB", ""},
           {"ROS1", "CD74::ROS1", 40, "", "IMT GB"},  {"ROS1", "EZR::ROS1", 15, "", "IMT GB"},
           {"ROS1", "GOPC::ROS1", 15, "", "IMT GB"},  {"ROS1", "SLC34A2::ROS1", 10, "", "IMT GB"},
           {"ROS1", "SDC4::ROS1", 10, "", "IMT GB"},  {"ROS1", "TPM3::ROS1", 5, "", "IMT GB"},
       }},
      // RET (an addition).
      {"RET",
       {
           {"RET", "KIF5B::RET", 45, "", ""},  {"RET", "CCDC6::RET", 30, "", ""},
           {"RET", "NCOA4::RET", 20, "", ""},  {"RET", "TRIM33::RET", 5, "", ""},
       }},
      // Sarcoma-defining fusions (WHO 2020).
      {"SS18",
       {{"SS18", "SS18::SSX1", 64, "", ""}, {"SS18", "SS18::SSX2", 34, "", ""},
        {"SS18", "SS18::SSX4", 2, "", ""}}},
      // Ewing sarcoma: EWSR1::FLI1 in about 85%, EWSR1::ERG in about 10%,
      // then the other ETS partners; FUS::ERG is filed under ERG.
      {"EWSR1",
       {
           {"EWSR1", "EWSR1::FLI1", 85, "", ""}, {"EWSR1", "EWSR1::ERG", 10, "", ""},
           {"ERG", "FUS::ERG", 2, "", ""},       {"EWSR1", "EWSR1::ETV1", 1, "", ""},
           {"EWSR1", "EWSR1::ETV4", 1, "", ""},  {"EWSR1", "EWSR1::FEV", 1, "", ""},
       }},
      {"WT1", {{"WT1", "EWSR1::WT1", 1, "", ""}}},
      // Clear cell sarcoma: EWSR1::ATF1, EWSR1::CREB1 in about 10%.
      {"ATF1", {{"ATF1", "EWSR1::ATF1", 90, "", ""}, {"CREB1", "EWSR1::CREB1", 10, "", ""}}},
      {"TFE3", {{"TFE3", "ASPSCR1::TFE3", 1, "", ""}}},
      // Epithelioid hemangioendothelioma: WWTR1::CAMTA1, YAP1::TFE3 in about 10%.
      {"CAMTA1", {{"CAMTA1", "WWTR1::CAMTA1", 90, "", ""}, {"TFE3", "YAP1::TFE3", 10, "", ""}}},
      // FGFR2 in intrahepatic cholangiocarcinoma: FGFR2 is the 5' partner;
      // BICC1 the most common of many 3' partners.
      {"FGFR2",
       {
           {"FGFR2", "FGFR2::BICC1", 30, "", ""},    {"FGFR2", "FGFR2::AHCYL1", 10, "", ""},
           {"FGFR2", "FGFR2::PPHLN1", 10, "", ""},   {"FGFR2", "FGFR2::TACC3", 8, "", ""},
           {"FGFR2", "FGFR2::KIAA1217", 6, "", ""},  {"FGFR2", "FGFR2::CCDC6", 5, "", ""},
           {"FGFR2", "FGFR2::WAC", 5, "", ""},
       }},
  };
  return *fusions;
}

const FusionSpectrum* FindFusions(std::string_view driver) {
  for (const FusionSpectrum& f : FusionSpectra()) {
    if (f.driver == driver) return &f;
  }
  return nullptr;
}

const FusionOption& DrawFusion(const FusionSpectrum& fusions, std::string_view code, Rng& rng) {
  std::vector<double> weights;
  double total = 0;
  for (const FusionOption& o : fusions.options) {
    weights.push_back(Applies(o.only_codes, o.except_codes, code) ? o.weight : 0);
    total += weights.back();
  }
  if (total <= 0) return fusions.options.front();
  return fusions.options[rng.Weighted(weights)];
}

const std::vector<AcquiredChange>& AcquiredChanges() {
  static const auto* changes = new std::vector<AcquiredChange>{
      {"KIT", "KIT", "SNV", "p.V654A", 30},      {"KIT", "KIT", "SNV", "p.T670I", 15},
      {"KIT", "KIT", "SNV", "p.N822K", 15},      {"KIT", "KIT", "SNV", "p.D816H", 10},
      {"KIT", "KIT", "SNV", "p.D820Y", 10},      {"KIT", "KIT", "SNV", "p.Y823D", 8},
      {"KIT", "KIT", "SNV", "p.A829P", 5},
      {"ALK", "ALK", "SNV", "p.G1202R", 35},     {"ALK", "ALK", "SNV", "p.L1196M", 20},
      {"ALK", "ALK", "SNV", "p.I1171N", 10},     {"ALK", "ALK", "SNV", "p.F1174L", 10},
      {"ALK", "ALK", "SNV", "p.G1269A", 10},     {"ALK", "ALK", "SNV", "p.C1156Y", 5},
      {"NTRK1", "NTRK1", "SNV", "p.G595R", 60},  {"NTRK1", "NTRK1", "SNV", "p.G667C", 30},
      {"NTRK1", "NTRK1", "SNV", "p.F589L", 10},
      {"NTRK3", "NTRK3", "SNV", "p.G623R", 70},  {"NTRK3", "NTRK3", "SNV", "p.G696A", 30},
      {"ROS1", "ROS1", "SNV", "p.G2032R", 70},   {"ROS1", "ROS1", "SNV", "p.D2033N", 15},
      {"ROS1", "ROS1", "SNV", "p.L2026M", 15},
      {"RET", "RET", "SNV", "p.G810R", 40},      {"RET", "RET", "SNV", "p.G810S", 30},
      {"RET", "RET", "SNV", "p.V804M", 30},
      {"FGFR2", "FGFR2", "SNV", "p.N549K", 40},  {"FGFR2", "FGFR2", "SNV", "p.V564F", 40},
      {"FGFR2", "FGFR2", "SNV", "p.E565A", 20},
      {"BRAF", "NRAS", "SNV", "p.Q61K", 30},     {"BRAF", "NRAS", "SNV", "p.Q61R", 20},
      {"BRAF", "MAP2K1", "SNV", "p.C121S", 20},  {"BRAF", "MAP2K1", "SNV", "p.E203K", 10},
      {"BRAF", "KRAS", "SNV", "p.G12D", 10},
      {"IDH1", "IDH1", "SNV", "p.S280F", 40},    {"IDH1", "IDH2", "SNV", "p.R172V", 30},
      {"IDH1", "IDH2", "SNV", "p.R140Q", 30},
      {"ERBB2", "PIK3CA", "SNV", "p.H1047R", 50}, {"ERBB2", "ERBB2", "SNV", "p.L755S", 50},
      {"FLT3", "FLT3", "SNV", "p.F691L", 50},    {"FLT3", "NRAS", "SNV", "p.G12D", 30},
      {"FLT3", "NRAS", "SNV", "p.Q61K", 20},
  };
  return *changes;
}

const std::vector<MsiFrameshift>& MsiFrameshifts() {
  static const auto* shifts = new std::vector<MsiFrameshift>{
      {"ACVR2A", "p.K437fs", 0.5},
      {"RNF43", "p.G659fs", 0.4},
      {"JAK1", "p.K860fs", 0.15},
  };
  return *shifts;
}

}  // namespace fedreg::synth
