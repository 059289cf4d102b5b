#include "server/overlay_batch.h"

#include "common/utf8.h"
#include "server/views.h"

namespace fedreg::server {

absl::StatusOr<v1::SiteState> ReadSite(const std::string& site_id,
                                       const std::function<absl::StatusOr<bool>(std::string*)>& get) {
  std::string v;
  auto found = get(&v);
  if (!found.ok()) return found.status();
  if (!*found) return absl::NotFoundError("site " + Utf8Prefix(site_id, 40) + " never connected");
  v1::SiteState st;
  if (!st.ParseFromString(v)) return absl::DataLossError("site state of " + site_id + " does not parse");
  return st;
}

absl::Status ChangePersonMembership(OverlayBatch& wb, const std::string& person, const std::string& site,
                                    const std::string& case_id, int delta, std::map<std::string, int64_t>* deltas) {
  std::string v;
  auto found = wb.Get(kPersons, PersonCountKey(person), &v);
  if (!found.ok()) return found.status();
  int64_t before = *found ? DecodeI64(v) : 0;
  int64_t after = before + delta;
  if (after <= 0) wb.Delete(kPersons, PersonCountKey(person));
  else wb.Put(kPersons, PersonCountKey(person), EncodeI64(after));
  if (delta > 0) wb.Put(kPersons, PersonMemberKey(person, site, case_id), "");
  else wb.Delete(kPersons, PersonMemberKey(person, site, case_id));
  if (before <= 0 && after > 0) (*deltas)[PersonsViewKey()] += 1;
  if (before > 0 && after <= 0) (*deltas)[PersonsViewKey()] -= 1;
  return absl::OkStatus();
}

}  // namespace fedreg::server
