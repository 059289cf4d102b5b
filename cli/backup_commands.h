// `fedregctl backup create|list|verify|restore` (the centre) and
// `fedregctl agent backup create|list|verify|restore` (the local agent):
// create, list and verify are RPCs to the running daemon (the centre's
// Admin service over mutual TLS, the agent's admin socket); restore is
// offline and local (the daemon must be stopped), with RocksDB's
// BackupEngine (common/rocks_backup.h). Procedure: docs/backup-restore.md.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "cli/rpc.h"

namespace fedreg::cli {

class BackupCommands {
 public:
  // `agent` is the `fedregctl agent` subcommand the agent's ones go under.
  BackupCommands(CLI::App& app, CLI::App& agent);
  // False when none of these subcommands was given.
  bool Run(const Globals& g) const;

 private:
  struct Target {
    CLI::App* create = nullptr;
    CLI::App* list = nullptr;
    CLI::App* verify = nullptr;
    CLI::App* restore = nullptr;
  };
  Target centre_, agent_;
  uint32_t keep_ = 0;
  uint32_t id_ = 0;
  std::string backup_dir_;
  std::string data_dir_;
};

}  // namespace fedreg::cli
