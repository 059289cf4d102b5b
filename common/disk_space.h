// Free-space guard. RocksDB must not meet a full disk in the middle of a WAL
// write: the Debian 7.8 build asserts on the next write after such a failure
// (facebook/rocksdb#12448). So writers check the free space first and refuse
// with RESOURCE_EXHAUSTED, naming the directory, while reads go on.
#pragma once

#include <sys/statvfs.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace fedreg {

// Bytes available to unprivileged writers on the filesystem holding `path`; -1 on error.
inline int64_t FreeBytes(const std::string& path) {
  struct statvfs s;
  if (statvfs(path.c_str(), &s) != 0) return -1;
  return static_cast<int64_t>(s.f_bavail) * static_cast<int64_t>(s.f_frsize);
}

// RESOURCE_EXHAUSTED when fewer than `min_free` bytes are free under `path`.
inline absl::Status CheckFreeSpace(const std::string& path, int64_t min_free, const std::string& what) {
  int64_t free = FreeBytes(path);
  if (free >= 0 && free < min_free) {
    return absl::ResourceExhaustedError("disk full: " + std::to_string(free >> 20) + " MiB free under " + path +
                                        ", " + what + " needs at least " + std::to_string(min_free >> 20) +
                                        " MiB; free space and retry (status and serving go on)");
  }
  return absl::OkStatus();
}

}  // namespace fedreg
