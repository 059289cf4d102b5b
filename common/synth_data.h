// Facts behind the synthetic exports (common/synth.h), compiled in. Copied
// from the registry's reference data (case-mix.tsv, alteration-priors.tsv,
// sites.tsv, trials.tsv) plus name tables, regimens and a few clearly marked
// additions for realism. Nothing is read from disk at run time.
#pragma once

#include <string_view>
#include <vector>

namespace fedreg::synth {

// Whether `code` is one of the space-separated OncoTree codes in `list`
// (the form of AlterationOption's only_codes and except_codes and of the
// per-type code lists of the synth files).
inline bool InCodeList(std::string_view list, std::string_view code) {
  size_t pos = 0;
  while (pos < list.size()) {
    size_t end = list.find(' ', pos);
    if (end == std::string_view::npos) end = list.size();
    if (list.substr(pos, end - pos) == code) return true;
    pos = end + 1;
  }
  return false;
}

// One row of case-mix.tsv, with the age profile used to draw ages.
struct CaseMixEntry {
  std::string_view code;  // OncoTree code (version oncotree_2025_10_03)
  double weight;          // relative weight
  bool hematologic;
  double age_mean;  // years at registration; drawn from a clamped normal
  double age_sd;
};
const std::vector<CaseMixEntry>& CaseMix();

struct RateOverride {
  std::string_view code;
  double rate;
};

// One alteration a prior may produce. `only_codes` (space separated
// OncoTree codes) restricts the option to those diagnoses; `except_codes`
// excludes it from them. Empty means any.
//
// An SNV or INDEL option with an empty `change` draws the change from a
// spectrum of synth_spectrum.h (its kind, SNV or INDEL, comes with it); a
// FUSION option with an empty `change` draws the fusion, and the gene column
// it is filed under, from the fusion partners of the gene. `spectrum` names
// the spectrum when it is not the gene's own (FLT3-TKD).
struct AlterationOption {
  std::string_view gene;
  std::string_view kind;    // SNV INDEL FUSION AMP DEL
  std::string_view change;  // HGVS, fusion, or empty (see above; always empty for AMP/DEL)
  double weight;
  std::string_view only_codes;
  std::string_view except_codes;
  std::string_view spectrum = {};  // Default: the gene's
};

// A row of alteration-priors.tsv (or an addition marked from_priors = false).
struct AlterationPrior {
  std::string_view label;  // the gene column of the TSV
  double default_rate;
  std::vector<RateOverride> overrides;
  std::vector<AlterationOption> options;
  int exclusive_group;  // at most one alteration per non-zero group per case
  bool from_priors;
};
const std::vector<AlterationPrior>& AlterationPriors();

// The BIOMARKER rows of alteration-priors.tsv.
struct BiomarkerPrior {
  double default_rate;
  std::vector<RateOverride> overrides;
};
const BiomarkerPrior& MsiHighPrior();  // MSI-H
const BiomarkerPrior& TmbHighPrior();  // TMB >= 10 mut/Mb

// The share of tumours of OncoTree `code` that are MSI-H, or have a TMB of
// at least 10 mut/Mb: the reference's override for the code when it has
// one, else a per-type addition (the reference's pan-cancer defaults are
// carried by common cancers outside this rare-cancer mix; synth_data.cc).
double MsiHighRate(std::string_view code);
double TmbHighRate(std::string_view code);

// Names. `era` is the birth cohort a given name is typical of: 0 any,
// 1 born before 1960, 2 born 1960-1994, 3 born 1995 or later. `sex` is 'M',
// 'F' or 'X' (family names). `weight` is a relative frequency.
struct NameEntry {
  std::string_view kanji;  // usual written form (a few are hiragana by choice)
  std::string_view kana;   // reading in full-width katakana
  char sex;
  int era;
  double weight;
};
const std::vector<NameEntry>& FamilyNames();
const std::vector<NameEntry>& GivenNames();

// Latin-script names of foreign residents (upper case, as on a residence card).
struct LatinName {
  std::string_view name;
  char sex;  // 'M', 'F', or 'X' for family names
};
const std::vector<LatinName>& LatinFamilyNames();
const std::vector<LatinName>& LatinGivenNames();

// Full-width katakana character -> half-width katakana (1 or 2 characters).
struct KanaPair {
  std::string_view full;
  std::string_view half;
};
const std::vector<KanaPair>& HalfWidthKatakana();

// Systemic therapy by diagnosis. The last category has empty `codes` and is
// the fallback. Regimens are INN names, lower case, joined by '+'.
struct TherapyCategory {
  std::string_view codes;  // space separated OncoTree codes
  double treated_rate;     // share of cases that receive any systemic therapy
  std::vector<std::string_view> first_line;
  std::vector<std::string_view> later_lines;
  bool in_order = false;  // later lines follow the listed order (else random)
};
const std::vector<TherapyCategory>& TherapyCategories();

// A biomarker- or diagnosis-matched therapy, optionally given on a trial
// (trial ids from trials.tsv). `gene` empty means "by diagnosis only";
// `gene` "MSI-H" / "TMB-H" match the biomarkers.
struct MatchedTherapy {
  std::string_view gene;
  std::string_view change_contains;  // substring of the change, empty = any
  std::string_view codes;            // space separated, empty = any
  std::string_view drugs;
  std::string_view trial_id;  // empty = never on a trial
  double trial_rate;          // share given on the trial
  double use_rate;            // share of eligible treated cases that get it
};
const std::vector<MatchedTherapy>& MatchedTherapies();

// How a hospital exports: the file layout follows the site index; these
// choices vary within what docs/export-format.md allows.
struct ExportStyle {
  bool bom = false;            // CSV: UTF-8 byte-order mark
  bool crlf = false;           // CSV: CRLF line ends (RFC 4180)
  bool quote_all = false;      // CSV: every field quoted
  bool shuffled_header = false;  // CSV: columns in a different order
  bool nulls = false;          // NDJSON: empty fields as null instead of absent
  bool blank_lines = false;    // NDJSON: an occasional blank line
  bool sorted_keys = false;    // NDJSON: keys in alphabetical order
};

// Per-site facts for the generator, in the order of sites.tsv.
struct SiteProfile {
  std::string_view id;
  std::string_view record_prefix;  // record numbers are "<prefix>-<8 digits>"
  double weight;                   // share of the cases (ncch largest)
  int first_year;                  // first registration (joined the registry)
  int first_month;
  bool pediatric;  // children's hospital: young patients, pediatric case mix
  ExportStyle style;
};
const std::vector<SiteProfile>& SiteProfiles();

// Codes that look like OncoTree codes but are not in the project's table.
const std::vector<std::string_view>& UnknownOncoTreeCodes();

}  // namespace fedreg::synth
