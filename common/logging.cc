#include "common/logging.h"

#include <grpc/support/log.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace fedreg {
namespace {

// %* : the message as a JSON string body (quotes, backslashes and control
// characters escaped), so JSON log lines stay valid whatever is logged.
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    for (char c : std::string_view(msg.payload.data(), msg.payload.size())) {
      switch (c) {
        case '"': dest.append(std::string_view("\\\"")); break;
        case '\\': dest.append(std::string_view("\\\\")); break;
        case '\n': dest.append(std::string_view("\\n")); break;
        case '\r': dest.append(std::string_view("\\r")); break;
        case '\t': dest.append(std::string_view("\\t")); break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof(buf), "\\u%04x", c);
            dest.append(std::string_view(buf));
          } else {
            dest.push_back(c);
          }
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonEscapedMessage>(); }
};

// gRPC's own diagnostics (a failed handshake, a resolver error) would go
// to stderr in gRPC's format ("E1130 12:00:00 ... file.cc:123] ..."),
// breaking a JSON log; they go through the process's logger instead.
void GrpcToLogger(gpr_log_func_args* args) {
  const spdlog::level::level_enum lvl = args->severity == GPR_LOG_SEVERITY_ERROR  ? spdlog::level::err
                                        : args->severity == GPR_LOG_SEVERITY_INFO ? spdlog::level::info
                                                                                  : spdlog::level::debug;
  std::string_view file = args->file != nullptr ? args->file : "?";
  if (auto slash = file.rfind('/'); slash != std::string_view::npos) file.remove_prefix(slash + 1);
  spdlog::log(lvl, "grpc {}:{}: {}", file, args->line, args->message != nullptr ? args->message : "");
}

}  // namespace

bool InitLogging(const std::string& program, const std::string& format, const std::string& level) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") return false;
  auto logger = spdlog::stderr_logger_mt(program);
  if (format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%e%z","prog":"%n","level":"%l","msg":"%*"})");
    logger->set_formatter(std::move(formatter));
  } else if (format == "text") {
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %n %l %v");
  } else {
    return false;
  }
  logger->set_level(lvl);
  spdlog::set_default_logger(logger);
  spdlog::flush_on(spdlog::level::info);
  gpr_set_log_function(GrpcToLogger);
  return true;
}

}  // namespace fedreg
