// Who is calling: the role and name carried in a certificate's SPIFFE-style
// URI SAN, spiffe://<trust-domain>/<role>/<name>.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fedreg {

enum class Role { kSite, kOperator, kSponsor, kAuditor, kAggregator };

std::string_view RoleName(Role role);

struct PeerIdentity {
  Role role = Role::kSite;
  std::string name;       // site id, operator name, sponsor org, auditor name
  std::string spiffe_id;  // the full URI
};

// PERMISSION_DENIED unless `uri` is spiffe://<trust_domain>/<role>/<name> with a
// known role and a well-formed name.
absl::StatusOr<PeerIdentity> ParseSpiffeId(std::string_view uri, std::string_view trust_domain);

// Extracts the URI SANs of a PEM certificate and parses the single SPIFFE id.
absl::StatusOr<PeerIdentity> IdentityFromPem(std::string_view pem, std::string_view trust_domain);

}  // namespace fedreg
