// The agent's owner token: how the admin socket tells the agent's own user
// (and root) from the other members of the socket's group. The socket is
// mode 0660 so a hospital's data managers can use it; a row's identifying
// fields (record number, names, birth date) go only to a caller that can
// read the token file, mode 0600 and owned by the agent's user, beside the
// socket. A new token is written at every start.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace fedreg {

// gRPC metadata key carrying the token.
inline constexpr char kOwnerTokenMetadata[] = "x-fedreg-owner-token";

// "<socket>.owner"
std::string OwnerTokenPath(const std::string& socket_path);

// Writes a new random token (64 hex chars) to OwnerTokenPath, mode 0600,
// replacing any old one atomically. Returns it.
absl::StatusOr<std::string> WriteOwnerToken(const std::string& socket_path);

// The token when this process can read the file; std::nullopt otherwise.
std::optional<std::string> ReadOwnerToken(const std::string& socket_path);

// Constant-time comparison of a presented token with the agent's.
bool OwnerTokenMatches(const std::string& presented, const std::string& token);

}  // namespace fedreg
