#include "agent/centre_channel.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>

#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/channel_arguments.h>

namespace fedreg::agent {
namespace {

using Clock = std::chrono::steady_clock;

int64_t MsSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

struct HostPort {
  std::string host, port;
};

// "host:port", "[v6]:port", optionally behind a gRPC scheme ("dns:///", "ipv4:").
std::optional<HostPort> SplitTarget(std::string target) {
  for (const char* scheme : {"dns:///", "dns:", "ipv4:", "ipv6:"}) {
    if (target.rfind(scheme, 0) == 0) {
      target.erase(0, std::strlen(scheme));
      break;
    }
  }
  HostPort hp;
  if (!target.empty() && target[0] == '[') {
    size_t close = target.find(']');
    if (close == std::string::npos || close + 1 >= target.size() || target[close + 1] != ':') return std::nullopt;
    hp.host = target.substr(1, close - 1);
    hp.port = target.substr(close + 2);
  } else {
    size_t colon = target.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    hp.host = target.substr(0, colon);
    hp.port = target.substr(colon + 1);
  }
  if (hp.host.empty() || hp.port.empty()) return std::nullopt;
  return hp;
}

// A plain non-blocking TCP connect to the centre, beside gRPC's own attempt,
// to tell a slow TCP connect from a slow TLS handshake. Closed as soon as it
// connects: the centre sees a connection that closes before any TLS.
class TcpProbe {
 public:
  explicit TcpProbe(const std::string& target) : start_(Clock::now()) {
    auto hp = SplitTarget(target);
    if (!hp) {
      Fail("cannot tell host and port apart in '" + target + "'");
      return;
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = getaddrinfo(hp->host.c_str(), hp->port.c_str(), &hints, &found); rc != 0 || found == nullptr) {
      Fail("cannot resolve " + hp->host + ": " + gai_strerror(rc));
      return;
    }
    fd_ = socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int rc = fd_ < 0 ? -1 : connect(fd_, found->ai_addr, found->ai_addrlen);
    int err = errno;
    freeaddrinfo(found);
    if (fd_ >= 0 && rc == 0) Connected();
    else if (fd_ >= 0 && err == EINPROGRESS) state_ = State::kPending;
    else Fail(std::strerror(err));
  }
  ~TcpProbe() { CloseFd(); }
  TcpProbe(const TcpProbe&) = delete;
  TcpProbe& operator=(const TcpProbe&) = delete;

  // Notes progress; never blocks.
  void Poll() {
    if (state_ != State::kPending) return;
    pollfd p{fd_, POLLOUT, 0};
    if (poll(&p, 1, 0) <= 0) return;
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err == 0) Connected();
    else Fail(std::strerror(err));
  }

  // Why a connection attempt of `timeout_ms` did not finish.
  std::string Explain(const std::string& server, int timeout_ms) {
    Poll();
    const std::string after = " timed out after " + std::to_string(timeout_ms) + " ms";
    switch (state_) {
      case State::kConnected:
        return "TLS handshake with " + server + after + " (TCP connected in " + std::to_string(connect_ms_) +
               " ms): a slow link (raise connect-timeout-ms) or something on the way that stalls TLS";
      case State::kPending:
        return "TCP connect to " + server + after + " (no answer to a TCP connect for " +
               std::to_string(MsSince(start_)) + " ms: packets dropped, no route, or the centre's host is down)";
      case State::kFailed:
        return "TCP connect to " + server + " failed: " + error_ + " (the gRPC connection attempt" + after + ")";
    }
    return "connecting to " + server + after;
  }

 private:
  enum class State { kPending, kConnected, kFailed };
  void Connected() {
    state_ = State::kConnected;
    connect_ms_ = MsSince(start_);
    CloseFd();
  }
  void Fail(std::string error) {
    state_ = State::kFailed;
    error_ = std::move(error);
    CloseFd();
  }
  void CloseFd() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  const Clock::time_point start_;
  int fd_ = -1;
  State state_ = State::kFailed;
  int64_t connect_ms_ = 0;
  std::string error_;
};

// gRPC's reason for a failed connection: a fail-fast call on a channel in
// TRANSIENT_FAILURE fails at once with it. The method exists on no server, so
// if the channel has connected meanwhile the call ends UNIMPLEMENTED.
grpc::Status FailFastProbe(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_wait_for_ready(false);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::CompletionQueue cq;
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1), response;
  auto call = stub.PrepareUnaryCall(&ctx, "/fedreg.v1.Sync/ConnectProbe", request, &cq);
  call->StartCall();
  grpc::Status status;
  call->Finish(&response, &status, &status);
  void* tag = nullptr;
  bool ok = false;
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

}  // namespace

CentreChannel::CentreChannel(CentreChannelOptions options, std::shared_ptr<grpc::ChannelCredentials> creds)
    : options_(std::move(options)), creds_(std::move(creds)) {
  Renew();
}

void CentreChannel::Renew() {
  grpc::ChannelArguments args;
  // Liveness (docs/operations.md, "Timeouts"): an idle Push stream is pinged
  // every keepalive_time_ms and a ping unanswered for keepalive_timeout_ms
  // closes the connection, so a dead link shows within time + timeout. Pings
  // go on without calls and without data (gRPC stops after 2 data-less pings
  // by default, which would leave an idle stream unwatched); the centre allows
  // pings 1 s apart (server/main.cc), well under keepalive_time_ms.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, options_.keepalive_time_ms);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, options_.keepalive_timeout_ms);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // gRPC's "minimum reconnect backoff" is the deadline of each connection
  // attempt (see the header). It is set above our own connect timeout, so that
  // Connect() ends first and can say which phase was slow.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, options_.connect_timeout_ms + 2000);
  // A refused or reset attempt is retried quickly, then with backoff.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, options_.backoff_max_ms);
  if (options_.gzip) args.SetCompressionAlgorithm(GRPC_COMPRESS_GZIP);
  args.SetMaxSendMessageSize(options_.max_send_message_bytes);
  // A distinct argument keeps gRPC from sharing the old (possibly dead)
  // subchannel; the counter is per process, as gRPC's subchannel pool is.
  static std::atomic<int> generation{0};
  generation_ = ++generation;
  args.SetInt("fedreg.channel_generation", generation_);
  channel_ = grpc::CreateCustomChannel(options_.server, creds_, args);
}

absl::Status CentreChannel::Connect(const std::atomic<bool>& stop) {
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::milliseconds(options_.connect_timeout_ms);
  // Started only when the connection is not up within a second (a healthy
  // link is), so most connects cost the centre no extra TCP connection.
  constexpr auto kProbeAfter = std::chrono::seconds(1);
  std::unique_ptr<TcpProbe> probe;
  grpc_connectivity_state state = channel_->GetState(/*try_to_connect=*/true);
  while (true) {
    if (state == GRPC_CHANNEL_READY) {
      last_connect_ms_ = MsSince(start);
      return absl::OkStatus();
    }
    if (stop) return absl::CancelledError("stopping");
    if (state == GRPC_CHANNEL_TRANSIENT_FAILURE || state == GRPC_CHANNEL_SHUTDOWN) {
      grpc::Status why = FailFastProbe(channel_);
      if (why.error_code() == grpc::StatusCode::UNIMPLEMENTED) {  // it reached a server: connected after all
        last_connect_ms_ = MsSince(start);
        return absl::OkStatus();
      }
      return absl::UnavailableError("connecting to " + options_.server + " failed after " +
                                    std::to_string(MsSince(start)) + " ms: " + why.error_message());
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      if (!probe)
        return absl::DeadlineExceededError("connecting to " + options_.server + " timed out after " +
                                           std::to_string(options_.connect_timeout_ms) + " ms");
      return absl::DeadlineExceededError(probe->Explain(options_.server, options_.connect_timeout_ms));
    }
    if (!probe && now - start >= kProbeAfter) probe = std::make_unique<TcpProbe>(options_.server);
    if (probe) probe->Poll();
    const auto slice = std::min<Clock::duration>(deadline - now, std::chrono::milliseconds(100));
    channel_->WaitForStateChange(state, std::chrono::system_clock::now() + slice);
    state = channel_->GetState(/*try_to_connect=*/true);
  }
}

}  // namespace fedreg::agent
