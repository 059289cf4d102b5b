// gRPC credentials for mutual TLS, and the caller's identity on the server
// side. Every connection in fedreg is mutually authenticated against the
// federation CA; the agent's local admin socket is the only plaintext one.
#pragma once

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_context.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/peer_identity.h"

namespace fedreg {

struct TlsFiles {
  std::string ca;    // federation CA, PEM
  std::string cert;  // this party's certificate, PEM
  std::string key;   // its private key, PEM, mode 0600 or stricter
};

// Server credentials that require and verify a client certificate.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(const TlsFiles& files);

// Client credentials presenting our certificate and trusting only the CA.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(const TlsFiles& files);

// The verified caller of an RPC, from its certificate's SPIFFE URI SAN.
// UNAUTHENTICATED when the call carries no verified certificate.
absl::StatusOr<PeerIdentity> PeerFromContext(const grpc::ServerContext& ctx,
                                             const std::string& trust_domain);

}  // namespace fedreg
