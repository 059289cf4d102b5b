#include "common/tls.h"

#include <grpcpp/security/auth_context.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>

#include "absl/status/status.h"
#include "common/key_file.h"
#include "common/peer_verifier.h"

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

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsFiles& files, std::function<void(const std::string& who, const std::string& reason)> on_refusal) {
  // Read once now so that a missing or unreadable file fails at start, naming it.
  if (auto pems = ReadPems(files); !pems.ok()) return pems.status();
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      files.key, files.cert, files.ca, files.reload_interval_s);
  grpc::experimental::TlsServerCredentialsOptions opts(provider);
  opts.watch_identity_key_cert_pairs();
  // A client certificate is required; its verification (chain to the CA,
  // validity, CRLs, client purpose) is ours, so that refusals are audited and
  // new CRLs apply at the next handshake (common/peer_verifier.h).
  opts.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
  opts.set_certificate_verifier(grpc::experimental::ExternalCertificateVerifier::Create<FederationCertVerifier>(
      files.ca, files.crl_dir, std::move(on_refusal)));
  return grpc::experimental::TlsServerCredentials(opts);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(const TlsFiles& files) {
  if (auto pems = ReadPems(files); !pems.ok()) return pems.status();
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      files.key, files.cert, files.ca, files.reload_interval_s);
  grpc::experimental::TlsChannelCredentialsOptions opts;
  opts.set_certificate_provider(provider);
  opts.watch_root_certs();
  opts.watch_identity_key_cert_pairs();
  if (!files.crl_dir.empty()) opts.set_crl_directory(files.crl_dir);
  return grpc::experimental::TlsCredentials(opts);
}

absl::StatusOr<int64_t> SecondsUntilExpiry(const std::string& pem_path) {
  auto pem = ReadFile(pem_path);
  if (!pem.ok()) return pem.status();
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())),
                                                &BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr),
                                                   &X509_free);
  if (!cert) return absl::InvalidArgumentError(pem_path + ": not a PEM certificate");
  int days = 0, secs = 0;
  if (ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(cert.get())) != 1)
    return absl::InvalidArgumentError(pem_path + ": unreadable notAfter");
  return static_cast<int64_t>(days) * 86400 + secs;
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
