#include "common/host_port.h"

#include <cctype>
#include <string>

namespace fedreg {

absl::Status CheckHostPort(std::string_view flag, std::string_view address, bool allow_port_zero) {
  const std::string quoted = std::string(flag) + " '" + std::string(address.substr(0, 200)) + "': ";
  const std::string form = "write host:port, e.g. centre.example.jp:7443, 10.0.0.5:7443 or [2001:db8::5]:7443";
  const size_t colon = address.rfind(':');
  if (address.empty() || colon == std::string_view::npos) return absl::InvalidArgumentError(quoted + "no port: " + form);
  std::string_view host = address.substr(0, colon), port = address.substr(colon + 1);
  if (port.empty()) return absl::InvalidArgumentError(quoted + "no port after the colon: " + form);
  if (port.size() > 5) return absl::InvalidArgumentError(quoted + "port out of range 1-65535: " + form);
  int value = 0;
  for (char c : port) {
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return absl::InvalidArgumentError(quoted + "the port is not a number: " + form);
    value = value * 10 + (c - '0');
  }
  if (value > 65535 || (value == 0 && !allow_port_zero))
    return absl::InvalidArgumentError(quoted + "port out of range 1-65535: " + form);
  if (host.empty()) return absl::InvalidArgumentError(quoted + "no host before the port: " + form);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 4) return absl::InvalidArgumentError(quoted + "an IPv6 host needs [brackets]: " + form);
    return absl::OkStatus();
  }
  if (host.find(':') != std::string_view::npos)
    return absl::InvalidArgumentError(quoted + "an IPv6 host needs [brackets]: " + form);
  for (char c : host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_'))
      return absl::InvalidArgumentError(quoted + "'" + std::string(1, c) + "' cannot be in a host name: " + form);
  }
  return absl::OkStatus();
}

}  // namespace fedreg
