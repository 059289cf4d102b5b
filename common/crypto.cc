#include "common/crypto.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <unistd.h>

#include <cstring>
#include <memory>
#include <vector>

#include "absl/status/status.h"

namespace fedreg::crypto {
namespace {

constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

absl::Status OpenSslError(std::string_view what) {
  char buf[256] = "no detail";
  unsigned long code = ERR_get_error();
  if (code != 0) ERR_error_string_n(code, buf, sizeof(buf));
  ERR_clear_error();
  return absl::InternalError(std::string(what) + ": " + buf);
}

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

const unsigned char* U(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// OpenSSL 3 looks an algorithm up by name on every call of its one-shot and
// legacy entry points (HMAC(), EVP_aes_256_gcm()): fetched once here instead.
// An import makes several HMACs and one seal per row (bench/README.md).
const EVP_CIPHER* Aes256Gcm() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

// Keyed HMAC-SHA256 states per thread: a call copies the state for its key
// (EVP_MAC_CTX_dup) instead of fetching the MAC and digest and hashing the
// key again. A process uses two or three keys (linkage, reid, audit).
class HmacStates {
 public:
  ~HmacStates() {
    for (auto& e : entries_) {
      EVP_MAC_CTX_free(e.ctx);
      OPENSSL_cleanse(e.key.data(), e.key.size());
    }
  }
  // A fresh context keyed with `key`; nullptr on an OpenSSL failure.
  EVP_MAC_CTX* NewFor(std::string_view key) {
    for (auto& e : entries_) {
      if (e.key == key) return EVP_MAC_CTX_dup(e.ctx);
    }
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) return nullptr;
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
    if (ctx == nullptr || EVP_MAC_init(ctx, U(key), key.size(), params) != 1) {
      EVP_MAC_CTX_free(ctx);
      return nullptr;
    }
    if (entries_.size() >= kMaxKeys) {
      EVP_MAC_CTX_free(entries_.front().ctx);
      OPENSSL_cleanse(entries_.front().key.data(), entries_.front().key.size());
      entries_.erase(entries_.begin());
    }
    entries_.push_back({std::string(key), ctx});
    return EVP_MAC_CTX_dup(ctx);
  }

 private:
  static constexpr size_t kMaxKeys = 4;
  struct Entry {
    std::string key;
    EVP_MAC_CTX* ctx;
  };
  std::vector<Entry> entries_;
};

// RAND_bytes costs about 2 us a call whatever its length; small requests
// (nonces, case ids) are served from a per-thread block of its output. The
// block is dropped in a forked child, so parent and child never share bytes.
class RandomBlock {
 public:
  bool Take(unsigned char* out, size_t n) {
    if (n > kBlock / 4) return RAND_bytes(out, static_cast<int>(n)) == 1;
    if (pid_ != getpid() || used_ + n > kBlock) {
      if (RAND_bytes(block_, kBlock) != 1) return false;
      pid_ = getpid();
      used_ = 0;
    }
    std::memcpy(out, block_ + used_, n);
    std::memset(block_ + used_, 0, n);  // served bytes are not kept
    used_ += n;
    return true;
  }
  ~RandomBlock() { OPENSSL_cleanse(block_, kBlock); }

 private:
  static constexpr size_t kBlock = 4096;
  unsigned char block_[kBlock];
  size_t used_ = kBlock;
  pid_t pid_ = -1;
};

}  // namespace

absl::StatusOr<std::string> RandomBytes(size_t n) {
  thread_local RandomBlock block;
  std::string out(n, '\0');
  if (!block.Take(reinterpret_cast<unsigned char*>(out.data()), n)) return OpenSslError("RAND_bytes");
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  thread_local HmacStates states;
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t len = 0;
  EVP_MAC_CTX* ctx = states.NewFor(key);
  const bool ok = ctx != nullptr && EVP_MAC_update(ctx, U(data), data.size()) == 1 &&
                  EVP_MAC_final(ctx, mac, &len, sizeof(mac)) == 1;
  EVP_MAC_CTX_free(ctx);
  if (!ok) {
    // Only when OpenSSL cannot make a context (out of memory): the one-shot
    // call computes the same MAC.
    unsigned int one_shot_len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), U(data), data.size(), mac, &one_shot_len);
    len = one_shot_len;
  }
  return std::string(reinterpret_cast<char*>(mac), len);
}

std::string Sha256(std::string_view data) {
  // SHA256() fetches the digest by name on each call: the largest part of the
  // centre's per-case reconciliation digest (bench/README.md, fifth round).
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char md[SHA256_DIGEST_LENGTH];
  unsigned int len = 0;
  if (sha256 == nullptr || EVP_Digest(data.data(), data.size(), md, &len, sha256, nullptr) != 1)
    SHA256(U(data), data.size(), md);  // only if OpenSSL could not fetch or allocate: the same digest
  return std::string(reinterpret_cast<char*>(md), sizeof(md));
}

absl::StatusOr<std::string> AesGcmSeal(std::string_view key, std::string_view plaintext,
                                       std::string_view aad) {
  if (key.size() != kKeyBytes) return absl::InvalidArgumentError("AES-256-GCM key must be 32 bytes");
  auto nonce = RandomBytes(kNonceBytes);
  if (!nonce.ok()) return nonce.status();
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return OpenSslError("EVP_CIPHER_CTX_new");
  std::string out = *nonce;
  out.resize(kNonceBytes + plaintext.size() + kTagBytes);
  auto* dst = reinterpret_cast<unsigned char*>(out.data()) + kNonceBytes;
  int len = 0, total = 0;
  if (EVP_EncryptInit_ex2(ctx.get(), Aes256Gcm(), U(key), U(*nonce), nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), dst, &len, U(plaintext), static_cast<int>(plaintext.size())) != 1)
    return OpenSslError("AES-GCM encrypt");
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), dst + total, &len) != 1) return OpenSslError("AES-GCM final");
  total += len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, dst + total) != 1)
    return OpenSslError("AES-GCM tag");
  return out;
}

absl::StatusOr<std::string> AesGcmOpen(std::string_view key, std::string_view sealed,
                                       std::string_view aad) {
  if (key.size() != kKeyBytes) return absl::InvalidArgumentError("AES-256-GCM key must be 32 bytes");
  if (sealed.size() < kNonceBytes + kTagBytes) return absl::DataLossError("sealed value too short");
  std::string_view nonce = sealed.substr(0, kNonceBytes);
  std::string_view body = sealed.substr(kNonceBytes, sealed.size() - kNonceBytes - kTagBytes);
  std::string tag(sealed.substr(sealed.size() - kTagBytes));
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return OpenSslError("EVP_CIPHER_CTX_new");
  std::string out(body.size(), '\0');
  int len = 0;
  if (EVP_DecryptInit_ex2(ctx.get(), Aes256Gcm(), U(key), U(nonce), nullptr) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, U(body),
                        static_cast<int>(body.size())) != 1)
    return OpenSslError("AES-GCM decrypt");
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1)
    return OpenSslError("AES-GCM set tag");
  int fin = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &fin) != 1) {
    ERR_clear_error();
    return absl::DataLossError("AES-GCM tag mismatch: wrong key or tampered value");
  }
  return out;
}

std::string ToHex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

absl::StatusOr<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return absl::InvalidArgumentError("odd number of hex digits");
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = val(hex[i]), lo = val(hex[i + 1]);
    if (hi < 0 || lo < 0) return absl::InvalidArgumentError("not a hex digit");
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace fedreg::crypto
