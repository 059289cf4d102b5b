#include "cli/rpc.h"

#include <google/protobuf/util/json_util.h>
#include <grpcpp/create_channel.h>

#include <chrono>
#include <ctime>
#include <iostream>

#include "common/grpc_status.h"
#include "common/tls.h"

namespace fedreg::cli {

[[noreturn]] void Die(const std::string& msg) {
  std::cerr << "fedregctl: " << msg << "\n";
  std::exit(1);
}

void DieOnRpc(const grpc::Status& s, const std::string& what) {
  if (s.ok()) return;
  Die(what + ": " + std::string(StatusCodeName(s.error_code())) + ": " + s.error_message());
}

void PrintJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = true;
  opts.always_print_primitive_fields = true;
  opts.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(m, &out, opts).ok()) Die("cannot render JSON");
  std::cout << out;
}

void WithDeadline(grpc::ClientContext* ctx, int seconds) {
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

std::unique_ptr<v1::Admin::Stub> AdminStub(const Globals& g) {
  if (g.ca.empty() || g.cert.empty() || g.key.empty())
    Die("--ca, --cert and --key (or FEDREG_CA, FEDREG_CERT, FEDREG_KEY) are needed to reach the aggregator");
  auto creds = MakeChannelCredentials({g.ca, g.cert, g.key});
  if (!creds.ok()) Die(std::string(creds.status().message()));
  return v1::Admin::NewStub(grpc::CreateChannel(g.server, *creds));
}

std::unique_ptr<v1::AgentAdmin::Stub> AgentStub(const Globals& g) {
  return v1::AgentAdmin::NewStub(
      grpc::CreateChannel("unix:" + g.agent_socket, grpc::InsecureChannelCredentials()));
}

std::string LocalTime(int64_t unix, const char* format) {
  if (unix <= 0) return "-";
  char buf[64];
  time_t t = unix;
  struct tm tm;
  localtime_r(&t, &tm);
  strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string Ago(int64_t unix) {
  if (unix == 0) return "never";
  int64_t d = std::time(nullptr) - unix;
  if (d < 0) d = 0;
  if (d < 120) return std::to_string(d) + "s ago";
  if (d < 7200) return std::to_string(d / 60) + "m ago";
  if (d < 172800) return std::to_string(d / 3600) + "h ago";
  return std::to_string(d / 86400) + "d ago";
}

}  // namespace fedreg::cli
