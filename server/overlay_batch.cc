#include "server/overlay_batch.h"

#include <algorithm>

#include "common/utf8.h"
#include "server/views.h"

namespace fedreg::server {

void OverlayBatch::Seal() {
  // Sorts positions, not the operations: moving an Op moves two strings, and
  // a batch holds tens of thousands (callgrind, bench/README.md fifth round).
  std::vector<uint32_t> order(ops_.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [this](uint32_t x, uint32_t y) {
    const Op& a = ops_[x];
    const Op& b = ops_[y];
    return a.cf != b.cf ? a.cf < b.cf : a.key < b.key;
  });
  for (uint32_t i : order) {
    const Op& op = ops_[i];
    rocksdb::ColumnFamilyHandle* cf = cfs_[op.cf];
    switch (op.kind) {
      case Op::kPut: write_->batch.Put(cf, op.key, op.value).PermitUncheckedError(); break;
      case Op::kDelete: write_->batch.Delete(cf, op.key).PermitUncheckedError(); break;
      case Op::kMerge: write_->batch.Merge(cf, op.key, op.value).PermitUncheckedError(); break;
    }
  }
  ops_.clear();
}

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
                                    const std::string& case_id, int delta, ViewDeltas* deltas) {
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
