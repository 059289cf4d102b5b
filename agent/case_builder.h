// Turns one export row into a pseudonymized Case (DESIGN.md section 3): the
// identifiers are used to compute the link tokens and the age, then dropped;
// every date but the registration month becomes a day offset.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agent/export_parser.h"
#include "common/units.h"
#include "fedreg/v1/agent.pb.h"
#include "fedreg/v1/case.pb.h"

namespace fedreg::agent {

// The identifiers a person's link tokens are computed from.
struct PersonFields {
  std::string family, given;            // as exported (kanji, kana or latin)
  std::string family_kana, given_kana;  // the kana reading, when the export has it
  std::string birth_yyyymmdd;
  std::string sex_code;                 // "M", "F", "O", "U"
};

struct BuildError {
  std::string field;        // source field name, e.g. "oncotree_code", "alterations[1].change"
  std::string reason;       // never contains an identifier's value; valid UTF-8
  std::string kind = "field";  // for the import summary: "date", "oncotree", "gene", "hgvs", "size", ...
};

struct BuiltCase {
  v1::Case record;          // record_version left 0; the importer sets it
  v1::ReidEntry reid;       // the identifiers kept (encrypted) at the site
  // Alterations refused one by one: the case goes in without them and they
  // are quarantined (file, line, field, item), never the whole case.
  std::vector<BuildError> held;
  // What was rewritten to its standard form, by kind ("hgvs" -> 2, ...).
  std::map<std::string, int> normalised;
  // The identifiers the tokens were computed from, so that the importer can
  // compare like with like with a case stored under older name rules
  // (ComputeLinkTokens(..., 1, ...)); never stored or sent.
  PersonFields person;
};

// What the builder needs to know of the whole file, from the importer's
// first pass over it.
struct FileContext {
  // The VAF unit of each assay's cells in this file (common/units.h);
  // nullptr: every VAF is read as a fraction.
  const VafUnitDecider* vaf_units = nullptr;
};

// Per-case limits, checked at import (docs/export-format.md "Limits"): a case
// must fit well inside one sync batch (the agent sends at most 2 MiB a batch,
// the centre accepts 4 MiB), or it could never be sent.
inline constexpr size_t kMaxRowBytes = 2 << 20;          // 2 MiB of export text per row
inline constexpr size_t kMaxAlterationsPerRow = 20000;   // a hypermutated exome lists a few thousand
inline constexpr size_t kMaxTreatmentsPerCase = 100;
inline constexpr size_t kMaxTestsPerCase = 50;
inline constexpr size_t kMaxCaseBytes = 1 << 20;         // 1 MiB serialized

// INVALID_ARGUMENT naming the limit when `c` exceeds one (tests, bytes).
absl::Status CheckCaseLimits(const v1::Case& c);

// The site's secrets used for pseudonymization.
struct SiteKeys {
  std::string linkage_key;  // 32 bytes, shared by the hospitals, never sent to the centre
  std::string reid_key;     // 32 bytes, this site only
};

// Builds the case for `case_id`. Returns false and fills `error` on the first
// problem found, after the row-level checks and the shared ValidateCase.
// Every cell is normalised to its standard form first (dates, codes, genes,
// changes, units: docs/export-format.md); a value that cannot be read
// without guessing refuses the row, or only its alteration.
bool BuildCase(const SourceRecord& row, const std::string& site_id, const std::string& case_id,
               const SiteKeys& keys, const FileContext& file, BuiltCase* out, BuildError* error);

// The link tokens of `p` under name rules `rules_version`
// (common/normalize.h; docs/pseudonymization.md): "T1<v>:<hex>" (family,
// given, birth date, sex), "T2<v>:<hex>" (family, birth date, sex) and, from
// version 2 when the export has a reading, "K1<v>:<hex>" (the kana reading,
// birth date, sex); <v> is "" for version 1 and "v2" for version 2. False
// with the normaliser's message (naming the field) when a name is refused
// (invalid UTF-8, a placeholder for an unstorable character) or normalises
// to nothing.
bool ComputeLinkTokens(const std::string& linkage_key, const PersonFields& p, int rules_version,
                       std::vector<std::string>* tokens, BuildError* error);
// The same for the names alone, under the current rules.
bool ComputeLinkTokens(const std::string& linkage_key, const std::string& family, const std::string& given,
                       const std::string& birth_yyyymmdd, const std::string& sex_code,
                       std::vector<std::string>* tokens, BuildError* error);

// The reid table key for a record number: "r" + HMAC(reid_key, record_number).
std::string ReidKey(const std::string& reid_key, const std::string& record_number);

// Parses a date cell in any form common/dates.h reads into days since
// 1970-01-01. False when it is not a date read without guessing.
bool ParseDate(const std::string& text, int64_t* days);

}  // namespace fedreg::agent
