// `fedregctl sites|reconcile|stats|audit ...`: the central office's view of
// the sync (per-site state, rebase, reconciliation), the national view and
// the audit log, over mutual TLS to the aggregator. Registers its
// subcommands on construction; Run carries out the one given.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "cli/rpc.h"

namespace fedreg::cli {

class CentreCommands {
 public:
  explicit CentreCommands(CLI::App& app);
  // False when none of these subcommands was given.
  bool Run(const Globals& g) const;

 private:
  CLI::App* sites_ = nullptr;
  CLI::App* sites_rebase_ = nullptr;
  CLI::App* reconcile_ = nullptr;
  CLI::App* stats_ = nullptr;
  CLI::App* audit_list_ = nullptr;
  CLI::App* audit_verify_ = nullptr;
  std::string site_;
  bool verify_ = false;
  int top_ = 15;
  uint64_t audit_from_ = 0;
  uint32_t audit_limit_ = 50;
};

}  // namespace fedreg::cli
