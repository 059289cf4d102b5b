// The import stage alone, for profiling and for the before/after figures of
// bench/README.md ("Import with the intake normalisation"): imports one export
// file with the agent's Importer into a fresh store, --runs times, and prints
// the time of each run and the summary of the last.
//
//   fedreg_import_file --file ncch.csv --runs 3 [--scratch DIR]
//
// The file is read from the page cache after the first run (as an agent
// reads a fresh export); each run's store is new, so every row is a new case.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "agent/agent_store.h"
#include "agent/importer.h"

int main(int argc, char** argv) {
  std::string file, scratch = std::filesystem::temp_directory_path() / "fedreg-import-bench";
  int runs = 3;
  CLI::App app{"fedreg_import_file: time the agent's import of one export file"};
  app.add_option("--file", file, "CSV or NDJSON export")->required()->check(CLI::ExistingFile);
  app.add_option("--runs", runs, "imports, each into a fresh store")->check(CLI::Range(1, 100))->capture_default_str();
  app.add_option("--scratch", scratch, "directory for the stores (removed)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::err);  // quarantine lines would time the terminal

  const std::string path = std::filesystem::absolute(file);
  for (int run = 1; run <= runs; ++run) {
    std::filesystem::remove_all(scratch);
    fedreg::agent::AgentStoreOptions o;
    o.path = scratch;
    o.min_free_bytes = 0;
    auto store = fedreg::agent::AgentStore::Open(o);
    if (!store.ok()) {
      std::fprintf(stderr, "store: %s\n", std::string(store.status().message()).c_str());
      return 1;
    }
    fedreg::agent::Importer importer(**store, "ncch", {std::string(32, 'L'), std::string(32, 'R')});
    const auto t0 = std::chrono::steady_clock::now();
    auto sum = importer.ImportFile(path);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!sum.ok()) {
      std::fprintf(stderr, "import: %s\n", std::string(sum.status().message()).c_str());
      return 1;
    }
    std::printf("run %d: %lld rows in %.0f ms (%.0f rows/s): accepted %lld, quarantined %lld, normalised %lld\n", run,
                static_cast<long long>(sum->rows), ms, sum->rows / ms * 1000.0, static_cast<long long>(sum->accepted),
                static_cast<long long>(sum->quarantined), static_cast<long long>(sum->normalised));
  }
  std::filesystem::remove_all(scratch);
  return 0;
}
