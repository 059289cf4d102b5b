#include "bench/case_pool.h"

#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "agent/agent_store.h"
#include "agent/importer.h"
#include "common/crypto.h"
#include "common/synth.h"

namespace fedreg::bench {
namespace {

std::string Random(size_t n) {
  auto r = crypto::RandomBytes(n);
  if (!r.ok()) throw std::runtime_error(r.status().ToString());
  return *r;
}

}  // namespace

std::vector<v1::Case> ImportedCases(const std::string& site, const std::vector<std::string>& files,
                                    const std::string& scratch_dir) {
  agent::AgentStoreOptions ao;
  ao.path = scratch_dir;
  ao.min_free_bytes = 0;
  std::filesystem::remove_all(scratch_dir);
  auto store = agent::AgentStore::Open(ao);
  if (!store.ok()) throw std::runtime_error(store.status().ToString());
  agent::Importer importer(**store, site, {Random(32), Random(32)});
  for (const auto& f : files) {
    auto s = importer.ImportFile(f);
    if (!s.ok()) throw std::runtime_error(f + ": " + s.status().ToString());
  }
  auto cases = (*store)->AllCases();
  if (!cases.ok()) throw std::runtime_error(cases.status().ToString());
  store->reset();
  std::filesystem::remove_all(scratch_dir);
  return *cases;
}

std::vector<v1::Case> CasePool(int n, uint64_t seed) {
  const auto dir = std::filesystem::temp_directory_path() / ("fedreg-pool-" + std::to_string(::getpid()));
  synth::SynthOptions so;
  so.seed = seed;
  so.total_cases = n;
  so.malformed_rate = 0;
  so.shared_person_rate = 0;
  so.sites = {"ncch"};
  so.out_dir = (dir / "export").string();
  auto written = synth::WriteExports(so);
  if (!written.ok()) throw std::runtime_error(written.status().ToString());
  auto cases = ImportedCases("ncch", written->files, (dir / "store").string());
  std::filesystem::remove_all(dir);
  return cases;
}

}  // namespace fedreg::bench
