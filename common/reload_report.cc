#include "common/reload_report.h"

#include <spdlog/spdlog.h>

#include "common/service_notify.h"

namespace fedreg {
namespace {

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

}  // namespace

void ReloadReport::Applied(const std::string& key, const std::string& old_value, const std::string& new_value) {
  if (old_value != new_value) applied_.push_back(key + " " + old_value + "->" + new_value);
}

void ReloadReport::NeedsRestart(const std::string& key, const std::string& old_value, const std::string& new_value) {
  if (old_value != new_value) restart_.push_back(key + " " + old_value + "->" + new_value);
}

std::string ReloadReport::Line() const {
  std::string out = applied_.empty() ? "nothing applied" : "applied " + Join(applied_);
  if (!restart_.empty()) out += "; changed but only a restart applies them: " + Join(restart_);
  for (const auto& n : notes_) out += "; " + n;
  return out;
}

void ReloadReport::Log(const std::string& prefix) const {
  const auto lvl = spdlog::default_logger()->level() <= spdlog::level::info ? spdlog::level::info : spdlog::level::warn;
  spdlog::log(lvl, "{}: {}", prefix, Line());
}

bool IsLogLevel(const std::string& level) {
  // from_str answers "off" for any name it does not know.
  return spdlog::level::from_str(level) != spdlog::level::off || level == "off";
}

bool SetLogLevel(const std::string& level) {
  if (!IsLogLevel(level)) return false;
  spdlog::set_level(spdlog::level::from_str(level));  // every registered logger, the default one included
  return true;
}

void RefuseReload(const std::string& config_file, const std::string& state, const std::string& error) {
  spdlog::error("SIGHUP: config {} refused, the old settings stay: {}", config_file.empty() ? "(none)" : config_file,
                error);
  NotifyReady(state + "; the last reload was refused: " + error);
}

}  // namespace fedreg
