#include "common/schema_version.h"

#include <spdlog/spdlog.h>

namespace fedreg {

absl::Status MigrateSchema(const std::string& store, const std::string& program, uint32_t on_disk, uint32_t binary,
                           const std::vector<SchemaStep>& steps) {
  if (on_disk > binary)
    return absl::FailedPreconditionError(
        store + " has schema version " + std::to_string(on_disk) + ", newer than this " + program + " (schema " +
        std::to_string(binary) + "): it was written by a newer release. Run that release (or newer) again; "
        "downgrading a store is not supported (restore a backup taken before the upgrade instead)");
  for (uint32_t v = on_disk + 1; v <= binary; ++v) {
    const SchemaStep* step = nullptr;
    for (const auto& s : steps) {
      if (s.to == v) step = &s;
    }
    if (step == nullptr)
      return absl::InternalError(store + ": no migration to schema version " + std::to_string(v));
    spdlog::info("{}: migrating schema {} -> {}: {}", store, v - 1, v, step->what);
    if (auto s = step->run(); !s.ok())
      return absl::Status(s.code(), store + ": migration to schema " + std::to_string(v) + " failed: " +
                                        std::string(s.message()) + " (the store is left at schema " +
                                        std::to_string(v - 1) + "; fix the cause and start again)");
  }
  return absl::OkStatus();
}

}  // namespace fedreg
