#include "agent/drop_watcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "common/thread_name.h"

namespace fedreg::agent {
namespace fs = std::filesystem;

absl::Status DropWatcher::Start() {
  std::error_code ec;
  for (const char* sub : {"", "done", "failed"}) {
    fs::create_directories(fs::path(dir_) / sub, ec);
    if (ec) return absl::UnavailableError("drop folder " + dir_ + ": " + ec.message());
  }
  thread_ = std::thread([this] {
    NameThisThread("fedreg-drop");
    Run();
  });
  return absl::OkStatus();
}

void DropWatcher::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void DropWatcher::Run() {
  while (!stop_) {
    ScanOnce();
    for (int waited = 0; waited < poll_ms_ && !stop_; waited += 50)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void DropWatcher::ScanOnce() {
  std::error_code ec;
  std::vector<fs::path> ready;
  auto now = fs::file_time_type::clock::now();
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    if (!entry.is_regular_file()) continue;
    auto ext = entry.path().extension().string();
    if (ext != ".csv" && ext != ".ndjson" && ext != ".jsonl") continue;
    auto mtime = fs::last_write_time(entry.path(), ec);
    if (ec || now - mtime < std::chrono::milliseconds(settle_ms_)) continue;
    ready.push_back(entry.path());
  }
  std::sort(ready.begin(), ready.end());
  for (const auto& path : ready) {
    if (stop_) return;
    auto sum = importer_.ImportFile(path.string());
    if (!sum.ok() && absl::IsResourceExhausted(sum.status())) {
      // Full disk: leave the file in place and try again later.
      spdlog::error("import of {} refused: {}", path.string(), sum.status().ToString());
      return;
    }
    const char* sub = sum.ok() ? "done" : "failed";
    if (!sum.ok()) spdlog::error("import of {} failed: {}", path.string(), sum.status().ToString());
    fs::rename(path, fs::path(dir_) / sub / path.filename(), ec);
    if (ec) spdlog::error("cannot move {} to {}/: {}", path.string(), sub, ec.message());
  }
}

}  // namespace fedreg::agent
