// libFuzzer target: the input is an NDJSON export (see import_fuzz.h).
#include "tests/fuzz/import_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fedreg::fuzz::RunImport(data, size, fedreg::agent::ExportKind::kNdjson);
}
