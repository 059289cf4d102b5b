#include "common/reload_report.h"

#include <spdlog/spdlog.h>

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

bool SetLogLevel(const std::string& level) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") return false;
  spdlog::set_level(lvl);  // every registered logger, the default one included
  return true;
}

}  // namespace fedreg
