#include "common/tls.h"

#include <grpcpp/security/auth_context.h>

#include "absl/status/status.h"
#include "common/key_file.h"

namespace fedreg {
namespace {

struct Pems {
  std::string ca, cert, key;
};

absl::StatusOr<Pems> ReadPems(const TlsFiles& files) {
  if (auto s = CheckPrivateFileMode(files.key); !s.ok()) return s;
  Pems p;
  auto ca = ReadFile(files.ca);
  if (!ca.ok()) return ca.status();
  auto cert = ReadFile(files.cert);
  if (!cert.ok()) return cert.status();
  auto key = ReadFile(files.key);
  if (!key.ok()) return key.status();
  p.ca = *std::move(ca);
  p.cert = *std::move(cert);
  p.key = *std::move(key);
  return p;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(const TlsFiles& files) {
  auto pems = ReadPems(files);
  if (!pems.ok()) return pems.status();
  grpc::SslServerCredentialsOptions opts(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  opts.pem_root_certs = pems->ca;
  opts.pem_key_cert_pairs.push_back({pems->key, pems->cert});
  return grpc::SslServerCredentials(opts);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(const TlsFiles& files) {
  auto pems = ReadPems(files);
  if (!pems.ok()) return pems.status();
  grpc::SslCredentialsOptions opts;
  opts.pem_root_certs = pems->ca;
  opts.pem_private_key = pems->key;
  opts.pem_cert_chain = pems->cert;
  return grpc::SslCredentials(opts);
}

absl::StatusOr<PeerIdentity> PeerFromContext(const grpc::ServerContext& ctx,
                                             const std::string& trust_domain) {
  auto auth = ctx.auth_context();
  if (!auth || !auth->IsPeerAuthenticated())
    return absl::UnauthenticatedError("no verified client certificate");
  auto pems = auth->FindPropertyValues("x509_pem_cert");
  if (pems.empty()) return absl::UnauthenticatedError("no client certificate");
  return IdentityFromPem(std::string_view(pems[0].data(), pems[0].size()), trust_domain);
}

}  // namespace fedreg
