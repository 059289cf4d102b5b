// Loading secret key files: 64 hex characters (32 bytes), optionally followed
// by a newline. A key file readable by group or others is refused, naming the
// file, since a copied key defeats pseudonymization.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace fedreg {

// Returns the 32 raw key bytes. FAILED_PRECONDITION when the mode allows
// group/other access, INVALID_ARGUMENT when the content is not a key,
// NOT_FOUND when the file is missing.
absl::StatusOr<std::string> LoadKeyFile(const std::string& path);

// FAILED_PRECONDITION when `path` (any secret: TLS key, key file) is
// accessible by group or others.
absl::Status CheckPrivateFileMode(const std::string& path);

// Creates a new random key file with mode 0600 unless it exists; returns the key.
absl::StatusOr<std::string> LoadOrCreateKeyFile(const std::string& path);

// Reads a whole file. NOT_FOUND / PERMISSION_DENIED naming the path.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace fedreg
