#include "common/owner_token.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "common/crypto.h"

namespace fedreg {

std::string OwnerTokenPath(const std::string& socket_path) { return socket_path + ".owner"; }

absl::StatusOr<std::string> WriteOwnerToken(const std::string& socket_path) {
  auto bytes = crypto::RandomBytes(32);
  if (!bytes.ok()) return bytes.status();
  const std::string token = crypto::ToHex(*bytes);
  const std::string path = OwnerTokenPath(socket_path), tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return absl::UnavailableError(tmp + ": " + std::strerror(errno));
  const bool written = ::write(fd, token.data(), token.size()) == static_cast<ssize_t>(token.size());
  const bool closed = ::close(fd) == 0;
  if (!written || !closed || std::rename(tmp.c_str(), path.c_str()) != 0)
    return absl::UnavailableError(path + ": " + std::strerror(errno));
  return token;
}

std::optional<std::string> ReadOwnerToken(const std::string& socket_path) {
  std::ifstream in(OwnerTokenPath(socket_path));
  std::string token;
  if (!in || !std::getline(in, token) || token.empty()) return std::nullopt;
  return token;
}

bool OwnerTokenMatches(const std::string& presented, const std::string& token) {
  return !token.empty() && presented.size() == token.size() &&
         CRYPTO_memcmp(presented.data(), token.data(), token.size()) == 0;
}

}  // namespace fedreg
