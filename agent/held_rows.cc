#include "agent/held_rows.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

namespace fedreg::agent {
namespace {

absl::Status Errno(const std::string& what, const std::string& dir) {
  return absl::UnavailableError(what + " in " + dir + " (" + std::strerror(errno) +
                                "): the rows of repeated record numbers wait there until the file's end; "
                                "free space in the agent's data directory and import the file again");
}

}  // namespace

HeldRows::HeldRows(std::string dir) : dir_(std::move(dir)) {}

HeldRows::~HeldRows() {
  if (fd_ >= 0) close(fd_);
}

absl::Status HeldRows::Open() {
  fd_ = open(dir_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd_ >= 0) return absl::OkStatus();
  if (errno != EOPNOTSUPP && errno != EISDIR) return Errno("cannot make a spill file", dir_);
  // A file system without O_TMPFILE: a named file, unlinked at once.
  std::string name = dir_ + "/.import-held-XXXXXX";
  fd_ = mkostemp(name.data(), O_CLOEXEC);
  if (fd_ < 0) return Errno("cannot make a spill file", dir_);
  unlink(name.c_str());
  return absl::OkStatus();
}

absl::Status HeldRows::Hold(const std::string& record_number, int64_t line, const std::string& raw) {
  if (raw.size() > std::numeric_limits<uint32_t>::max())
    return absl::InvalidArgumentError("a row of over 4 GiB cannot be held");
  if (fd_ < 0)
    if (auto s = Open(); !s.ok()) return s;
  size_t done = 0;
  while (done < raw.size()) {
    const ssize_t n = pwrite(fd_, raw.data() + done, raw.size() - done, static_cast<off_t>(end_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Errno("cannot write the spill file", dir_);
    done += static_cast<size_t>(n);
  }
  held_.push_back({record_number, line, end_, static_cast<uint32_t>(raw.size())});
  end_ += raw.size();
  return absl::OkStatus();
}

absl::Status HeldRows::ForEachGroup(
    const std::function<absl::Status(const std::string& record_number, std::vector<Row>& rows)>& group) {
  // Stable: a record number's rows stay in the order they were held.
  std::stable_sort(held_.begin(), held_.end(),
                   [](const Held& a, const Held& b) { return a.record_number < b.record_number; });
  std::vector<Row> rows;
  for (size_t i = 0; i < held_.size();) {
    size_t j = i;
    rows.clear();
    for (; j < held_.size() && held_[j].record_number == held_[i].record_number; ++j) {
      Row& r = rows.emplace_back();
      r.line = held_[j].line;
      r.raw.resize(held_[j].length);
      size_t done = 0;
      while (done < r.raw.size()) {
        const ssize_t n = pread(fd_, r.raw.data() + done, r.raw.size() - done,
                                static_cast<off_t>(held_[j].offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return Errno("cannot read the spill file back", dir_);
        done += static_cast<size_t>(n);
      }
    }
    if (auto s = group(held_[i].record_number, rows); !s.ok()) return s;
    i = j;
  }
  return absl::OkStatus();
}

}  // namespace fedreg::agent
