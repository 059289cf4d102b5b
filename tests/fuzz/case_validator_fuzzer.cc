// libFuzzer target: the input is a serialised fedreg.v1.Case, as the centre
// receives it from any site; ValidateCase must handle anything ("Never
// throws; any input is safe").
//
// Invariants: FormatErrors is empty exactly when there are no errors, every
// error names a field and a reason, and validation is stable across a
// serialise/parse round trip (agent and centre validate different copies).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <google/protobuf/stubs/logging.h>

#include "common/validate.h"
#include "fedreg/v1/case.pb.h"

namespace {

void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "\n*** fedreg fuzz invariant violated: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  google::protobuf::SetLogHandler(nullptr);  // no "invalid UTF-8" log line per rejected input
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fedreg::v1::Case c;
  if (!c.ParseFromArray(data, static_cast<int>(size))) return 0;
  auto errors = fedreg::ValidateCase(c);
  std::string text = fedreg::FormatErrors(errors);
  if (errors.empty() != text.empty()) Fail("FormatErrors empty iff no errors", text);
  for (const auto& e : errors) {
    if (e.field.empty() && e.reason.empty()) Fail("error with neither field nor reason", text);
  }

  fedreg::v1::Case back;
  if (!back.ParseFromString(c.SerializeAsString())) Fail("case does not parse back", c.ShortDebugString());
  auto errors2 = fedreg::ValidateCase(back);
  if (fedreg::FormatErrors(errors2) != text) Fail("validation differs after a round trip", text);
  return 0;
}
