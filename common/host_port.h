// "host:port" addresses as the daemons' --server, --listen and
// --metrics-listen take them, checked before anything connects or binds (an
// address without a port used to pass --check-config, and the agent then
// only ever said "DEADLINE_EXCEEDED: Hello").
#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace fedreg {

// OK for "name:port", "1.2.3.4:port" and "[v6]:port" with a port of 1 to
// 65535 (0 too when `allow_port_zero`: "any free port", for listeners).
// INVALID_ARGUMENT otherwise, naming `flag`, the value and the form wanted.
absl::Status CheckHostPort(std::string_view flag, std::string_view address, bool allow_port_zero = false);

}  // namespace fedreg
