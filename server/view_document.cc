#include "server/view_document.h"

#include <algorithm>
#include <deque>
#include <utility>
#include <vector>

#include "fedreg/v1/centre.pb.h"

namespace fedreg::server {
namespace {

// Sums every operand into the document in one pass (an associative operator
// would parse and re-serialize the whole document once per operand).
class ViewMergeOperator : public rocksdb::MergeOperator {
 public:
  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    std::map<std::string, int64_t> sum;
    if (in.existing_value) AddCounters(*in.existing_value, &sum);
    for (const auto& op : in.operand_list) AddCounters(op, &sum);
    out->new_value = EncodeCounters(sum);
    return true;
  }
  bool PartialMergeMulti(const rocksdb::Slice&, const std::deque<rocksdb::Slice>& operands, std::string* new_value,
                         rocksdb::Logger*) const override {
    std::map<std::string, int64_t> sum;
    for (const auto& op : operands) AddCounters(op, &sum);
    *new_value = EncodeCounters(sum);
    return true;
  }
  const char* Name() const override { return "fedreg.ViewCounters"; }
};

}  // namespace

void AddCounters(const rocksdb::Slice& encoded, std::map<std::string, int64_t>* sum) {
  v1::ViewCounters c;
  if (!c.ParseFromArray(encoded.data(), static_cast<int>(encoded.size()))) return;
  for (const auto& e : c.counters()) (*sum)[e.key()] += e.count();
}

std::string EncodeCounters(const std::map<std::string, int64_t>& sum) {
  v1::ViewCounters c;
  for (const auto& [key, count] : sum) {
    if (count == 0) continue;
    auto* e = c.add_counters();
    e->set_key(key);
    e->set_count(count);
  }
  return c.SerializeAsString();
}

std::string EncodeDeltas(const ViewDeltas& deltas) {
  std::vector<const std::pair<const std::string, int64_t>*> sorted;
  sorted.reserve(deltas.size());
  for (const auto& kv : deltas)
    if (kv.second != 0) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  v1::ViewCounters c;
  for (const auto* kv : sorted) {
    auto* e = c.add_counters();
    e->set_key(kv->first);
    e->set_count(kv->second);
  }
  return c.SerializeAsString();
}

std::shared_ptr<rocksdb::MergeOperator> NewViewMergeOperator() { return std::make_shared<ViewMergeOperator>(); }

}  // namespace fedreg::server
