// The agent's gRPC channel to the centre: its arguments (keepalive, connect
// timeout, reconnect backoff, compression), a fresh channel after a failed
// session, and a connect phase with a deadline of its own that says what is
// slow when it fails: the TCP connect or the TLS handshake.
//
// Why a connect phase apart from the calls: in gRPC core the minimum
// reconnect backoff (GRPC_ARG_MIN_RECONNECT_BACKOFF_MS) is also the deadline
// of each connection attempt (TCP + TLS handshake + the server's HTTP/2
// SETTINGS, subchannel.cc: max(next backoff, now + min_connect_timeout)). At
// 100 ms, as the agent once set it, a link with a 1 s round trip could never
// finish a handshake until the backoff had grown, and each failed session
// started again from 100 ms with a new channel.
//
// Threading: used by the sender's thread only.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include <grpcpp/channel.h>
#include <grpcpp/security/credentials.h>

namespace fedreg::agent {

struct CentreChannelOptions {
  std::string server;                // host:port of the aggregator
  // TCP connect + TLS handshake + HTTP/2 settings must finish within this.
  int connect_timeout_ms = 20000;    // Default: 20 s (a link with a 2 s one-way delay needs about 8 s)
  // Idle connections are pinged this often; a ping unanswered for
  // keepalive_timeout_ms closes the connection (and the Push stream on it).
  // A dead link is then noticed within time + timeout.
  int keepalive_time_ms = 4000;      // Default: 4 s (the centre accepts pings 1 s apart)
  int keepalive_timeout_ms = 6000;   // Default: 6 s; must exceed the link's round trip plus what is queued ahead of a ping
  int backoff_max_ms = 10000;        // Default: 10 s, cap of gRPC's own reconnect backoff
  bool gzip = true;                  // Default: compress messages sent
  int max_send_message_bytes = 4 << 20;
};

class CentreChannel {
 public:
  // `creds` are the agent's mutual-TLS credentials (common/tls.h).
  CentreChannel(CentreChannelOptions options, std::shared_ptr<grpc::ChannelCredentials> creds);
  CentreChannel(const CentreChannel&) = delete;
  CentreChannel& operator=(const CentreChannel&) = delete;

  // The current channel; never null.
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // Replaces the channel by a new one (a new connection): after a failed
  // session the old connection may be half-open, and gRPC would keep using it
  // until keepalive noticed.
  void Renew();

  // Connects the channel: returns OK once it is READY, taking at most
  // connect_timeout_ms. Otherwise UNAVAILABLE with gRPC's reason when the
  // attempt failed outright (refused, reset, certificate refused),
  // DEADLINE_EXCEEDED naming the slow phase ("TCP connect to H:P did not finish
  // within N ms" or "TLS handshake with H:P timed out after N ms (TCP connected
  // in M ms)"), CANCELLED as soon as `stop` is set.
  absl::Status Connect(const std::atomic<bool>& stop);

  // How long the last successful Connect took, in milliseconds.
  int64_t last_connect_ms() const { return last_connect_ms_; }

 private:
  const CentreChannelOptions options_;
  const std::shared_ptr<grpc::ChannelCredentials> creds_;
  std::shared_ptr<grpc::Channel> channel_;
  int generation_ = 0;
  int64_t last_connect_ms_ = 0;
};

}  // namespace fedreg::agent
