// fedregctl: the operators' CLI. Speaks gRPC with mutual TLS to the
// aggregator (operator, auditor or sponsor certificate) and gRPC over the
// agent's unix socket for local agent commands. Human tables by default,
// --json for scripts; on failure a one-line reason and a non-zero exit.
// Each group of commands is its own file: centre_commands (sites,
// reconcile, stats, audit), agent_commands, notices_commands,
// trials_commands; this file has the global options and `synth`.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/agent_commands.h"
#include "cli/backup_commands.h"
#include "cli/centre_commands.h"
#include "cli/chart_commands.h"
#include "cli/cohort_commands.h"
#include "cli/export_commands.h"
#include "cli/notices_commands.h"
#include "cli/quarantine_commands.h"
#include "cli/rpc.h"
#include "cli/trials_commands.h"
#include "common/synth.h"

int main(int argc, char** argv) {
  fedreg::cli::Globals g;
  CLI::App app{"fedregctl: operate the fedreg registry"};
  app.require_subcommand(1);
  app.add_option("--server", g.server, "aggregator host:port")->envname("FEDREG_SERVER")->capture_default_str();
  app.add_option("--ca", g.ca, "federation CA (PEM)")->envname("FEDREG_CA");
  app.add_option("--cert", g.cert, "your certificate (PEM)")->envname("FEDREG_CERT");
  app.add_option("--key", g.key, "your private key (PEM, mode 0600)")->envname("FEDREG_KEY");
  app.add_option("--agent-socket", g.agent_socket, "the agent's admin socket")
      ->envname("FEDREG_AGENT_SOCKET")
      ->capture_default_str();
  app.add_option("--timeout", g.timeout_s, "deadline of each call in seconds")->capture_default_str();
  app.add_flag("--json", g.json, "machine-readable output");

  fedreg::cli::CentreCommands centre_commands(app);
  fedreg::cli::AgentCommands agent_commands(app);
  fedreg::cli::NoticesCommands notices_commands(agent_commands.agent());
  fedreg::cli::QuarantineCommands quarantine_commands(agent_commands.agent());
  fedreg::cli::TrialsCommands trials_commands(app);
  fedreg::cli::CohortCommands cohort_commands(app);
  fedreg::cli::ExportCommands export_commands(app);
  fedreg::cli::ChartCommands chart_commands(app);
  fedreg::cli::BackupCommands backup_commands(app, agent_commands.agent());

  fedreg::synth::SynthOptions so;
  auto* synth = app.add_subcommand("synth", "write synthetic hospital exports (reproducible from a seed)");
  synth->add_option("--seed", so.seed, "random seed")->capture_default_str();
  synth->add_option("--cases", so.total_cases, "cases across all hospitals")->capture_default_str();
  synth->add_option("--out", so.out_dir, "output directory")->required();
  synth->add_option("--sites", so.sites, "only these site ids");
  synth->add_option("--malformed-rate", so.malformed_rate, "share of deliberately bad rows")->capture_default_str();

  CLI11_PARSE(app, argc, argv);

  if (centre_commands.Run(g) || agent_commands.Run(g) || notices_commands.Run(g) || quarantine_commands.Run(g) || trials_commands.Run(g) ||
      cohort_commands.Run(g) || export_commands.Run(g) ||
      chart_commands.Run(g) || backup_commands.Run(g))
    return 0;
  if (*synth) {
    auto res = fedreg::synth::WriteExports(so);
    if (!res.ok()) fedreg::cli::Die(std::string(res.status().message()));
    for (const auto& f : res->files) std::cout << f << "\n";
    std::cout << res->rows << " rows (" << res->malformed << " deliberately malformed, " << res->shared_persons
              << " persons registered at two hospitals) in " << res->files.size() << " files\n";
  }
  return 0;
}
