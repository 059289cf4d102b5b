#include "agent/reid_table.h"

#include "common/crypto.h"

namespace fedreg::agent {

absl::StatusOr<std::optional<v1::ReidEntry>> LoadReidEntry(const AgentStore& store, const std::string& reid_key,
                                                           const std::string& rkey) {
  auto sealed = store.GetReid(rkey);
  if (!sealed.ok()) return sealed.status();
  const std::optional<std::string>& found = *sealed;
  if (!found.has_value()) return std::optional<v1::ReidEntry>();
  auto plain = crypto::AesGcmOpen(reid_key, *found, rkey);
  v1::ReidEntry entry;
  if (!plain.ok() || !entry.ParseFromString(*plain))
    return absl::DataLossError("reid entry cannot be decrypted: wrong reid key for this store?");
  return std::optional<v1::ReidEntry>(std::move(entry));
}

absl::StatusOr<std::string> SealReidEntry(const std::string& reid_key, const std::string& rkey,
                                          const v1::ReidEntry& entry) {
  std::string plain;
  entry.SerializeToString(&plain);
  return crypto::AesGcmSeal(reid_key, plain, rkey);
}

}  // namespace fedreg::agent
