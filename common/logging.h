// Process-wide logging set-up (spdlog). Human lines by default, JSON lines for
// log shippers. Never log a patient identifier: only case ids, site ids,
// counts and file:line positions.
#pragma once

#include <string>

namespace fedreg {

// format: "text" or "json"; level: trace, debug, info, warn, error.
// Returns false (and leaves defaults) when either is unknown. gRPC's own
// diagnostics are routed through the same logger (so a JSON log is JSON on
// every line), as "grpc <file>:<line>: <message>".
bool InitLogging(const std::string& program, const std::string& format, const std::string& level);

}  // namespace fedreg
