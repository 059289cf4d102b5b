// Turns one export row into a pseudonymized Case (DESIGN.md section 3): the
// identifiers are used to compute the link tokens and the age, then dropped;
// every date but the registration month becomes a day offset.
#pragma once

#include <string>

#include "agent/export_parser.h"
#include "fedreg/v1/agent.pb.h"
#include "fedreg/v1/case.pb.h"

namespace fedreg::agent {

struct BuiltCase {
  v1::Case record;          // record_version left 0; the importer sets it
  v1::ReidEntry reid;       // the identifiers kept (encrypted) at the site
};

struct BuildError {
  std::string field;        // source field name, e.g. "oncotree_code", "alterations[1].change"
  std::string reason;       // never contains an identifier's value
};

// The site's secrets used for pseudonymization.
struct SiteKeys {
  std::string linkage_key;  // 32 bytes, shared by the hospitals, never sent to the centre
  std::string reid_key;     // 32 bytes, this site only
};

// Builds the case for `case_id`. Returns false and fills `error` on the first
// problem found, after the row-level checks and the shared ValidateCase.
bool BuildCase(const SourceRecord& row, const std::string& site_id, const std::string& case_id,
               const SiteKeys& keys, BuiltCase* out, BuildError* error);

// "T1:<hex>" and "T2:<hex>" for the normalized identifiers. False when a name
// is not valid UTF-8 or normalizes to nothing.
bool ComputeLinkTokens(const std::string& linkage_key, const std::string& family, const std::string& given,
                       const std::string& birth_yyyymmdd, const std::string& sex_code,
                       std::vector<std::string>* tokens, BuildError* error);

// The reid table key for a record number: "r" + HMAC(reid_key, record_number).
std::string ReidKey(const std::string& reid_key, const std::string& record_number);

// Parses YYYY-MM-DD into days since 1970-01-01. False when not a real date.
bool ParseDate(const std::string& text, int64_t* days);

}  // namespace fedreg::agent
