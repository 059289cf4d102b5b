// Shared body of csv_import_fuzzer and ndjson_import_fuzzer: the bytes are one
// export file, read with ReadExportStream; every record goes through
// agent::BuildCase exactly as the importer does (parser, builder, ICU
// normalisation, link tokens, ValidateCase).
//
// Invariants checked (a violation aborts, so libFuzzer keeps the input):
//  * the row callback gets exactly one of (record, error);
//  * a case BuildCase accepts passes ValidateCase (with record_version 1, as
//    the importer sets it) and survives a serialise/parse round trip;
//  * BuildCase is deterministic (the importer's "unchanged" detection and
//    the centre's digest rely on it).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "agent/case_builder.h"
#include "agent/export_parser.h"
#include "common/validate.h"

namespace fedreg::fuzz {

inline void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "\n*** fedreg fuzz invariant violated: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

inline int RunImport(const uint8_t* data, size_t size, agent::ExportKind kind) {
  static const agent::SiteKeys kKeys{std::string(32, '\x11'), std::string(32, '\x22')};
  static const std::string kSite = "ncch";
  static const std::string kCaseId = "ncch-0000000001";
  const std::string name = kind == agent::ExportKind::kCsv ? "fuzz.csv" : "fuzz.ndjson";

  static const bool verbose = std::getenv("FEDREG_FUZZ_VERBOSE") != nullptr;  // print each row's fate
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  absl::Status status = agent::ReadExportStream(in, name, kind, [&](const agent::SourceRecord* r,
                                                                   const agent::RowError* e) {
    if ((r == nullptr) == (e == nullptr)) Fail("row callback", "expected exactly one of record and error");
    if (e) {
      if (verbose) std::fprintf(stderr, "line %lld: row error: %s: %s\n", (long long)e->line, e->field.c_str(), e->reason.c_str());
      if (e->line < 1) Fail("row error line", std::to_string(e->line));
      return;
    }
    if (r->line < 1) Fail("record line", std::to_string(r->line));
    agent::BuiltCase built;
    agent::BuildError err;
    if (!agent::BuildCase(*r, kSite, kCaseId, kKeys, {}, &built, &err)) {
      if (verbose) std::fprintf(stderr, "line %lld: build error: %s: %s\n", (long long)r->line, err.field.c_str(), err.reason.c_str());
      return;
    }
    if (verbose) std::fprintf(stderr, "line %lld: built %s\n", (long long)r->line, built.record.ShortDebugString().c_str());

    v1::Case c = built.record;
    c.set_record_version(1);
    auto errors = ValidateCase(c);
    if (!errors.empty()) Fail("BuildCase accepted a case ValidateCase rejects", FormatErrors(errors));
    std::string bytes = c.SerializeAsString();
    v1::Case back;
    if (!back.ParseFromString(bytes)) Fail("built case does not parse back", c.ShortDebugString());
    if (!ValidateCase(back).empty()) Fail("built case invalid after round trip", FormatErrors(ValidateCase(back)));

    agent::BuiltCase again;
    agent::BuildError err2;
    if (!agent::BuildCase(*r, kSite, kCaseId, kKeys, {}, &again, &err2) ||
        again.record.SerializeAsString() != built.record.SerializeAsString() ||
        again.reid.SerializeAsString() != built.reid.SerializeAsString())
      Fail("BuildCase is not deterministic", r->raw);
  });
  if (verbose && !status.ok()) std::fprintf(stderr, "file: %s\n", status.ToString().c_str());
  (void)status;  // a bad header is an ordinary outcome
  return 0;
}

}  // namespace fedreg::fuzz
