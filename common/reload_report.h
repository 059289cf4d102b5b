// What a SIGHUP reload did, as one log line: the keys applied (old -> new),
// the changed keys that only a restart applies, and notes. Used by both
// daemons' main.cc; the values are compared as the text the config holds.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace fedreg {

class ReloadReport {
 public:
  // A key applied live; listed only when its value changed.
  void Applied(const std::string& key, const std::string& old_value, const std::string& new_value);
  // A key read only at start; listed only when its value changed.
  void NeedsRestart(const std::string& key, const std::string& old_value, const std::string& new_value);
  void Note(const std::string& text) { notes_.push_back(text); }

  bool restart_needed() const { return !restart_.empty(); }
  // "applied log-level info->debug, suppression-k 10->5; needs a restart to
  // apply: listen 127.0.0.1:7443->0.0.0.0:7443; <notes>", or "nothing changed; <notes>".
  std::string Line() const;
  // Logs "<prefix>: <Line()>" at info, or at warn when the level now in force
  // hides info (a reload to log-level warn still says what it did).
  void Log(const std::string& prefix) const;

 private:
  std::vector<std::string> applied_, restart_, notes_;
};

// Sets the level of every spdlog logger (the process's default one among
// them). False, and nothing changed, when `level` is not a level's name.
bool SetLogLevel(const std::string& level);

// The --config file `app` was given, or "" (for the reload's log line).
inline std::string ConfigFile(CLI::App& app) {
  CLI::Option* opt = app.get_config_ptr();
  return opt != nullptr && opt->count() > 0 ? opt->as<std::string>() : "";
}

}  // namespace fedreg
