// What every fedregctl command shares: the global options, how a command
// fails (one line on stderr, exit 1), JSON output, and the stubs for the
// aggregator (mutual TLS) and the local agent (unix socket).
#pragma once

#include <grpcpp/client_context.h>

#include <cstdint>
#include <memory>
#include <string>

#include "fedreg/v1/admin.grpc.pb.h"
#include "fedreg/v1/agent.grpc.pb.h"

namespace fedreg::cli {

struct Globals {
  std::string server = "127.0.0.1:7443";
  std::string ca, cert, key;
  std::string agent_socket = "/var/lib/fedreg-agent/agent.sock";
  int timeout_s = 30;
  bool json = false;
};

// Prints "fedregctl: <msg>" to stderr and exits 1.
[[noreturn]] void Die(const std::string& msg);
// Dies with "<what>: <CODE>: <message>" unless `s` is OK.
void DieOnRpc(const grpc::Status& s, const std::string& what);
// `m` as indented JSON with the proto field names, on stdout.
void PrintJson(const google::protobuf::Message& m);
void WithDeadline(grpc::ClientContext* ctx, int seconds);
// Dies when --ca, --cert or --key is missing or unreadable.
std::unique_ptr<v1::Admin::Stub> AdminStub(const Globals& g);
std::unique_ptr<v1::AgentAdmin::Stub> AgentStub(const Globals& g);
// `unix` in local time by strftime's `format`; "-" for 0 or less.
std::string LocalTime(int64_t unix, const char* format);
// "12s ago", "5m ago", "3h ago", "2d ago"; "never" for 0.
std::string Ago(int64_t unix);

}  // namespace fedreg::cli
