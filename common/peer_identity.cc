#include "common/peer_identity.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "common/validate.h"

namespace fedreg {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kSite: return "site";
    case Role::kOperator: return "operator";
    case Role::kSponsor: return "sponsor";
    case Role::kAuditor: return "auditor";
    case Role::kAggregator: return "aggregator";
  }
  return "unknown";
}

absl::StatusOr<PeerIdentity> ParseSpiffeId(std::string_view uri, std::string_view trust_domain) {
  const std::string prefix = "spiffe://" + std::string(trust_domain) + "/";
  if (uri.substr(0, prefix.size()) != prefix)
    return absl::PermissionDeniedError("certificate is not of trust domain " + std::string(trust_domain));
  std::string_view rest = uri.substr(prefix.size());
  PeerIdentity id;
  id.spiffe_id = std::string(uri);
  if (rest == "aggregator") {
    id.role = Role::kAggregator;
    id.name = "aggregator";
    return id;
  }
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return absl::PermissionDeniedError("certificate URI has no role");
  std::string_view role = rest.substr(0, slash), name = rest.substr(slash + 1);
  if (role == "site") id.role = Role::kSite;
  else if (role == "operator") id.role = Role::kOperator;
  else if (role == "sponsor") id.role = Role::kSponsor;
  else if (role == "auditor") id.role = Role::kAuditor;
  else return absl::PermissionDeniedError("unknown role '" + std::string(role) + "' in certificate");
  if (!IsSiteId(name)) return absl::PermissionDeniedError("malformed name in certificate URI");
  id.name = std::string(name);
  return id;
}

absl::StatusOr<PeerIdentity> IdentityFromPem(std::string_view pem, std::string_view trust_domain) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                &BIO_free);
  if (!bio) return absl::InternalError("BIO_new_mem_buf");
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr),
                                                   &X509_free);
  if (!cert) return absl::PermissionDeniedError("peer certificate cannot be parsed");
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return absl::PermissionDeniedError("peer certificate has no subjectAltName");
  std::vector<std::string> uris;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type != GEN_URI) continue;
    const ASN1_IA5STRING* s = gn->d.uniformResourceIdentifier;
    uris.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), ASN1_STRING_length(s));
  }
  GENERAL_NAMES_free(names);
  if (uris.size() != 1)
    return absl::PermissionDeniedError("peer certificate must carry exactly one URI SAN");
  return ParseSpiffeId(uris[0], trust_domain);
}

}  // namespace fedreg
