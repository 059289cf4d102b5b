// Verifies client certificates in the application instead of inside the
// TLS library, so that every refusal (unknown CA, expired, revoked, wrong
// purpose) can be audited with who tried, and so that CA and CRL files are
// re-read when they change. Plugged into gRPC as an ExternalCertificateVerifier
// with the handshake set to require a certificate but leave its verification
// to us. Thread-safe: gRPC calls Verify from its handshake threads.
#pragma once

#include <grpcpp/security/tls_certificate_verifier.h>

#include <functional>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"

namespace fedreg {

class FederationCertVerifier final : public grpc::experimental::ExternalCertificateVerifier {
 public:
  // Called for every refused certificate: who it claims to be ("site/ncch",
  // or "unknown") and why. May be empty.
  using RefusalSink = std::function<void(const std::string& who, const std::string& reason)>;

  FederationCertVerifier(std::string ca_path, std::string crl_dir, RefusalSink sink)
      : ca_path_(std::move(ca_path)), crl_dir_(std::move(crl_dir)), sink_(std::move(sink)) {}

  bool Verify(grpc::experimental::TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)> callback, grpc::Status* sync_status) override;
  void Cancel(grpc::experimental::TlsCustomVerificationCheckRequest*) override {}

  // Verifies a PEM leaf (and PEM chain of intermediates, may be empty) against
  // the CA and CRLs as they are on disk now. Exposed for tests.
  absl::Status Check(const std::string& leaf_pem, const std::string& chain_pem);

 private:
  const std::string ca_path_, crl_dir_;
  const RefusalSink sink_;
  std::mutex mu_;  // serializes verification (the X509_STORE is rebuilt per call)
};

}  // namespace fedreg
