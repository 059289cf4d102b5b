// Watches the drop folder where the hospital's systems leave exports. A file
// is imported once it has not changed for `settle_ms` (so half-copied files
// are left alone), then moved to done/ (or failed/ when it could not be read).
// Threading: one thread of its own between Start() and Stop().
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "agent/importer.h"

namespace fedreg::agent {

class DropWatcher {
 public:
  DropWatcher(Importer& importer, std::string dir, int poll_ms = 1000, int settle_ms = 1000)
      : importer_(importer), dir_(std::move(dir)), poll_ms_(poll_ms), settle_ms_(settle_ms) {}
  ~DropWatcher() { Stop(); }

  absl::Status Start();
  void Stop();

 private:
  void Run();
  void ScanOnce();

  Importer& importer_;
  const std::string dir_;
  const int poll_ms_, settle_ms_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace fedreg::agent
