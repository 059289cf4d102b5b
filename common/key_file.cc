#include "common/key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "common/crypto.h"

namespace fedreg {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int e = errno;
    std::string msg = path + ": " + std::strerror(e);
    if (e == ENOENT) return absl::NotFoundError(msg);
    if (e == EACCES) return absl::PermissionDeniedError(msg);
    return absl::UnavailableError(msg);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::Status CheckPrivateFileMode(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? absl::NotFoundError(path + ": no such file")
                           : absl::UnavailableError(path + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", st.st_mode & 07777);
    return absl::FailedPreconditionError(path + " has mode " + mode +
                                         "; secret files must be 0600 or stricter (chmod 600 " +
                                         path + ")");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> LoadKeyFile(const std::string& path) {
  if (auto s = CheckPrivateFileMode(path); !s.ok()) return s;
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::string hex = *text;
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r' || hex.back() == ' '))
    hex.pop_back();
  auto key = crypto::FromHex(hex);
  if (!key.ok() || key->size() != crypto::kKeyBytes)
    return absl::InvalidArgumentError(path + ": must hold 64 hex characters (a 32-byte key)");
  return *key;
}

absl::StatusOr<std::string> LoadOrCreateKeyFile(const std::string& path) {
  if (access(path.c_str(), F_OK) == 0) return LoadKeyFile(path);
  auto key = crypto::RandomBytes(crypto::kKeyBytes);
  if (!key.ok()) return key.status();
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return absl::UnavailableError(path + ": cannot create: " + std::strerror(errno));
  std::string text = crypto::ToHex(*key) + "\n";
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = fsync(fd) == 0 && ok;
  close(fd);
  if (!ok) return absl::UnavailableError(path + ": cannot write key");
  return *key;
}

}  // namespace fedreg
