// `fedregctl agent ...`: hospital IT's commands to the local agent over its
// unix socket (status, wait-drained, import, reconcile, withdraw, rekey);
// `agent notices` is cli/notices_commands.h, registered under agent().
// Registers its subcommands on construction; Run carries out the one given.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/rpc.h"

namespace fedreg::cli {

class AgentCommands {
 public:
  explicit AgentCommands(CLI::App& app);
  // The `agent` subcommand, for commands registered elsewhere.
  CLI::App& agent() { return *agent_; }
  // False when none of these subcommands was given.
  bool Run(const Globals& g) const;

 private:
  CLI::App* agent_ = nullptr;
  CLI::App* reconcile_ = nullptr;
  CLI::App* status_ = nullptr;
  CLI::App* wait_ = nullptr;
  CLI::App* import_ = nullptr;
  CLI::App* withdraw_ = nullptr;
  CLI::App* rekey_ = nullptr;
  std::vector<std::string> sockets_;
  std::string file_;
  bool accept_identity_changes_ = false;
  bool accept_same_person_ = false;
  std::string record_number_;
  std::string reason_ = "CONSENT_WITHDRAWN";
  std::string old_number_, new_number_;
};

}  // namespace fedreg::cli
