// gRPC credentials for mutual TLS, and the caller's identity on the server
// side. Every connection in fedreg is mutually authenticated against the
// federation CA; the agent's local admin socket is the only plaintext one.
#pragma once

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_context.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/peer_identity.h"

namespace fedreg {

struct TlsFiles {
  std::string ca;        // federation CA, PEM
  std::string cert;      // this party's certificate, PEM
  std::string key;       // its private key, PEM, mode 0600 or stricter
  std::string crl_dir;   // optional: CRLs in OpenSSL hashed-directory form (<hash>.r0)
  // The files are re-read this often, so renewed certificates and keys take
  // effect without a restart; established connections are kept.
  unsigned reload_interval_s = 60;  // Default: 60 s
};

// Server credentials that require and verify a client certificate against
// the CA (and the CRLs, when given). TLS 1.2 is the minimum gRPC negotiates;
// 1.3 is preferred. FAILED_PRECONDITION when the key file is group/other readable.
// `on_refusal` (optional) is told of every client certificate refused in the
// handshake, for the audit log.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsFiles& files, std::function<void(const std::string& who, const std::string& reason)> on_refusal = {});

// Client credentials presenting our certificate and trusting only the CA; the
// server's certificate must name the host dialled.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(const TlsFiles& files);

// Seconds until the certificate in `pem_path` expires (negative when expired).
absl::StatusOr<int64_t> SecondsUntilExpiry(const std::string& pem_path);

// The verified caller of an RPC, from its certificate's SPIFFE URI SAN.
// UNAUTHENTICATED when the call carries no verified certificate.
absl::StatusOr<PeerIdentity> PeerFromContext(const grpc::ServerContext& ctx,
                                             const std::string& trust_domain);

}  // namespace fedreg
