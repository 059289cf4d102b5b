// fedreg-aggregator: runs at the centre. Authenticates hospitals by their
// certificates, applies what they send, and serves the national view.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/server_builder.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <malloc.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>

#include "common/key_file.h"
#include "common/host_port.h"
#include "common/logging.h"
#include "common/signals.h"
#include "common/tls.h"
#include "common/rocks_backup.h"
#include "server/admin_service.h"
#include "server/centre_store.h"
#include "server/metrics.h"
#include "common/metrics_http.h"
#include "server/sync_service.h"

namespace {

int Fail(const std::string& msg) {
  std::fprintf(stderr, "fedreg-aggregator: %s\n", msg.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // gRPC's many threads would each get a glibc malloc arena; two bound the
  // resident memory with no measurable cost here.
  mallopt(M_ARENA_MAX, 2);
  std::string listen = "127.0.0.1:7443", data_dir, ca, cert, key, trust_domain = "fedreg.example";
  std::string port_file, log_format = "text", log_level = "info";
  int k = 10;
  uint32_t window = 8;
  int64_t min_free_mb = 512;
  uint32_t max_streams = 2000;
  double site_rate = 100000;
  uint32_t max_batch_kib = 4096;
  std::string metrics_listen, crl_dir, backup_dir;
  unsigned tls_reload_s = 60;
  bool check_config = false;
  CLI::App app{"fedreg-aggregator: the centre of the fedreg registry"};
  app.set_config("--config", "", "TOML config file (keys as the long options)");
  app.allow_config_extras(false);  // an unknown key in the file is an error naming it
  app.add_option("--listen", listen, "address for gRPC with mutual TLS (port 0 = any free port)")->capture_default_str();
  app.add_option("--data-dir", data_dir, "directory of the centre's RocksDB store")->required();
  app.add_option("--ca", ca, "federation CA certificate (PEM)")->required();
  app.add_option("--cert", cert, "the aggregator's server certificate (PEM)")->required();
  app.add_option("--key", key, "its private key (PEM, mode 0600)")->required();
  app.add_option("--trust-domain", trust_domain, "SPIFFE trust domain of the federation")->capture_default_str();
  app.add_option("--backup-dir", backup_dir,
                 "where `fedregctl backup create` puts backups (Default: <data-dir>/backups; better on another disk)");
  app.add_option("--port-file", port_file, "write the bound port here once listening (for scripts and tests)");
  app.add_option("--suppression-k", k, "sponsors see cells below k as <k")->check(CLI::Range(1, 1000))->capture_default_str();
  app.add_option("--window", window, "batches in flight allowed per site")->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("--max-streams", max_streams, "sites streaming at once")->check(CLI::Range(1u, 100000u))->capture_default_str();
  app.add_option("--max-batch-kib", max_batch_kib, "largest Push message accepted, KiB (given to agents at Hello)")
      ->check(CLI::Range(64u, 65536u))
      ->capture_default_str();
  app.add_option("--site-events-per-s", site_rate, "apply rate limit per site (slowed, not refused)")
      ->check(CLI::Range(1.0, 1e9))
      ->capture_default_str();
  app.add_option("--crl-dir", crl_dir, "certificate revocation lists (OpenSSL hashed dir, <hash>.r0)");
  app.add_option("--tls-reload-s", tls_reload_s, "re-read certificate, key, CA and CRL files this often")
      ->check(CLI::Range(1u, 86400u))
      ->capture_default_str();
  app.add_option("--metrics-listen", metrics_listen, "serve Prometheus /metrics here, e.g. 127.0.0.1:9465");
  app.add_option("--min-free-mb", min_free_mb, "refuse to apply batches when less is free under --data-dir")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--log-format", log_format, "text or json")->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error");
  app.add_flag("--check-config", check_config, "validate the configuration and exit");
  CLI11_PARSE(app, argc, argv);

  if (!fedreg::InitLogging("aggregator", log_format, log_level)) return Fail("--log-level: unknown level");
  if (auto s = fedreg::CheckHostPort("--listen", listen, true); !s.ok()) return Fail(std::string(s.message()));
  if (!metrics_listen.empty()) {
    if (auto s = fedreg::CheckHostPort("--metrics-listen", metrics_listen, true); !s.ok())
      return Fail(std::string(s.message()));
  }
  if (auto checked = fedreg::MakeServerCredentials({ca, cert, key, crl_dir, tls_reload_s}); !checked.ok())
    return Fail(std::string(checked.status().message()));
  if (check_config) {
    std::printf("configuration ok\n");
    return 0;
  }
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Fail("--data-dir " + data_dir + ": " + ec.message());
  chmod(data_dir.c_str(), 0700);

  fedreg::BlockShutdownSignals();
  fedreg::server::CentreStoreOptions so;
  so.path = data_dir + "/store";
  so.min_free_bytes = min_free_mb << 20;
  auto store = fedreg::server::CentreStore::Open(so);
  if (!store.ok()) return Fail(store.status().ToString());
  // A store restored by `fedregctl backup restore` since the last run: the
  // restore becomes an entry of the (restored) audit chain before anything else.
  if (auto restored = fedreg::TakeRestoreRecord(data_dir); !restored.ok()) {
    return Fail(std::string(restored.status().message()));
  } else if (!restored->empty()) {
    spdlog::warn("this store was restored from a backup: {}", *restored);
    if (auto s = (*store)->Audit({"local/fedregctl", "backup.restore", "store", "OK", *restored}); !s.ok())
      return Fail("cannot audit the restore: " + s.ToString());
  }
  if (backup_dir.empty()) backup_dir = data_dir + "/backups";

  // Refused client certificates go to the audit log (the call never reaches a service).
  fedreg::server::CentreStore* audit_store = store->get();
  auto creds = fedreg::MakeServerCredentials(
      {ca, cert, key, crl_dir, tls_reload_s}, [audit_store](const std::string& who, const std::string& reason) {
        spdlog::warn("TLS handshake refused for {}: {}", who, reason);
        audit_store->Audit({who, "tls.handshake", "", "UNAUTHENTICATED", reason}).IgnoreError();
      });
  if (!creds.ok()) return Fail(std::string(creds.status().message()));
  fedreg::server::SyncLimits limits;
  limits.window = window;
  limits.max_streams = max_streams;
  limits.max_batch_bytes = max_batch_kib << 10;
  limits.site_events_per_s = site_rate;
  fedreg::server::SyncServiceImpl sync(**store, trust_domain, limits);
  fedreg::server::AdminServiceImpl admin(**store, sync, trust_domain, k);
  admin.set_backup_dir(backup_dir);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, *creds, &port);
  builder.RegisterService(&sync);
  builder.RegisterService(&admin);
  builder.SetMaxReceiveMessageSize(static_cast<int>(limits.max_batch_bytes) + (1 << 16));
  // Keepalive (docs/operations.md, "Timeouts"). Agents ping every 4 s by
  // default (2 s at the least) to notice a dead link within seconds: pings
  // 1 s apart are allowed, so timer jitter never earns an agent the strikes
  // that end in a GOAWAY "too_many_pings" (and a reconnect).
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 1000);
  // Find dead agents' connections (half-open after a network fault) within
  // ~20 s; a live agent's pings keep the connection busy, so these pings are
  // rare. The timeout is well above a slow link's round trip (4 s at 2 s one way).
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);  // keep pinging an idle stream
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) return Fail("cannot listen on " + listen);
  if (!port_file.empty()) {
    std::string tmp = port_file + ".tmp";
    std::ofstream(tmp) << port << "\n";
    std::filesystem::rename(tmp, port_file, ec);
  }
  fedreg::MetricsHttpServer metrics;
  if (!metrics_listen.empty()) {
    auto mport = metrics.Start(metrics_listen, [&] {
      std::string text = fedreg::server::RenderCentreMetrics(**store, sync);
      if (auto left = fedreg::SecondsUntilExpiry(cert); left.ok())
        text += "# HELP fedreg_certificate_expiry_seconds Seconds until this server's certificate expires.\n"
                "# TYPE fedreg_certificate_expiry_seconds gauge\nfedreg_certificate_expiry_seconds " +
                std::to_string(*left) + "\n";
      return text;
    });
    if (!mport.ok()) return Fail(mport.status().ToString());
    spdlog::info("metrics on http://{}/metrics", metrics_listen);
  }
  if (auto left = fedreg::SecondsUntilExpiry(cert); left.ok() && *left < 30 * 86400)
    spdlog::warn("the server certificate {} expires in {} days: renew it (deploy/pki/make-dev-pki.sh renew)", cert,
                 *left / 86400);
  spdlog::info("aggregator listening on port {} (mutual TLS, trust domain {})", port, trust_domain);

  int sig;
  while ((sig = fedreg::WaitForSignal()) == SIGHUP) spdlog::info("SIGHUP: nothing to reload yet");
  spdlog::info("signal {}: draining", sig);
  sync.CancelStreams();
  metrics.Stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  spdlog::info("aggregator stopped");
  return 0;
}
