// What a SIGHUP reload did, as one log line: the keys applied (old -> new),
// the changed keys that only a restart applies, and notes. Used by both
// daemons' main.cc; the values are compared as the text the config holds.
// Also the reload's first half both daemons share: reading the configuration
// again, and refusing it when it no longer reads.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
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
// Whether `level` names a spdlog level ("off" among them).
bool IsLogLevel(const std::string& level);

// A SIGHUP's fresh reading of the configuration: parses the daemon's command
// line, and the --config file it names, again into a new Config, with the
// options `add_options(app, config)` declares (the daemon's AddOptions, so
// the reload reads exactly what the start read). Config needs a std::string
// log_level. Errors: nullopt, with *error set to CLI11's message when the
// file no longer parses or a value fails its check, or to "--log-level:
// unknown level '<x>'" when log_level names no level; the caller then keeps
// its old settings (RefuseReload).
template <class Config, class AddOptions>
std::optional<Config> ReparseConfig(const std::string& app_name, int argc, char** argv, AddOptions add_options,
                                    std::string* error) {
  Config next;
  CLI::App app{app_name};
  add_options(app, next);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    *error = e.what();
    return std::nullopt;
  }
  if (!IsLogLevel(next.log_level)) {
    *error = "--log-level: unknown level '" + next.log_level + "'";
    return std::nullopt;
  }
  return next;
}

// Ends a reload that changes nothing: logs that `config_file` ("" = command
// line only) was refused and why, and tells the service manager "<state>;
// the last reload was refused: <error>".
void RefuseReload(const std::string& config_file, const std::string& state, const std::string& error);

// The --config file `app` was given, or "" (for the reload's log line).
inline std::string ConfigFile(CLI::App& app) {
  CLI::Option* opt = app.get_config_ptr();
  return opt != nullptr && opt->count() > 0 ? opt->as<std::string>() : "";
}

}  // namespace fedreg
