// Thin RAII-free wrappers over OpenSSL's one-shot primitives. OpenSSL errors
// become absl::Status here, once, with the error queue's text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fedreg::crypto {

inline constexpr size_t kKeyBytes = 32;

// Cryptographically secure random bytes: RAND_bytes, small requests served
// from a per-thread block of its output (dropped on fork).
absl::StatusOr<std::string> RandomBytes(size_t n);

// HMAC-SHA256(key, data), 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// AES-256-GCM. Sealed layout (on disk, never change): nonce(12) | ciphertext | tag(16).
// `aad` binds the ciphertext to its context (e.g. the RocksDB key).
absl::StatusOr<std::string> AesGcmSeal(std::string_view key, std::string_view plaintext,
                                       std::string_view aad);
// Fails with DATA_LOSS when the tag does not verify (wrong key or tampering).
absl::StatusOr<std::string> AesGcmOpen(std::string_view key, std::string_view sealed,
                                       std::string_view aad);

std::string ToHex(std::string_view bytes);
// INVALID_ARGUMENT unless `hex` is an even number of hex digits.
absl::StatusOr<std::string> FromHex(std::string_view hex);

// SHA-256, 32 raw bytes.
std::string Sha256(std::string_view data);

}  // namespace fedreg::crypto
