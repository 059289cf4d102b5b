#include "cli/ndjson_export.h"

#include <google/protobuf/util/json_util.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace fedreg::cli {

absl::StatusOr<int64_t> WriteNdjson(const std::vector<v1::Case>& cases, const std::string& path) {
  const std::string tmp = path + ".tmp";
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out) return absl::InternalError(tmp + ": cannot be written: " + std::strerror(errno));
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  o.add_whitespace = false;  // one line per case
  int64_t lines = 0;
  std::string json;
  for (const auto& c : cases) {
    json.clear();
    auto s = google::protobuf::util::MessageToJsonString(c, &json, o);
    if (!s.ok()) return absl::InternalError("case " + c.case_id() + " cannot be written as JSON: " + s.ToString());
    out << json << '\n';
    ++lines;
  }
  out.close();
  if (!out) return absl::InternalError(tmp + ": write failed: " + std::strerror(errno));
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return absl::InternalError(tmp + " -> " + path + ": rename failed: " + std::strerror(errno));
  return lines;
}

}  // namespace fedreg::cli
