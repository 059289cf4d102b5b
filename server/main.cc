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
#include "common/reload_report.h"
#include "common/service_notify.h"
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

struct AggregatorConfig {
  std::string config_file;
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
};

// The options, bound to `c`. One definition for the start and for each SIGHUP
// reload, which parses the same command line (and so the same --config file)
// into a fresh AggregatorConfig.
void AddOptions(CLI::App& app, AggregatorConfig& c) {
  app.set_config("--config", "", "TOML config file (keys as the long options)");
  app.allow_config_extras(false);  // an unknown key in the file is an error naming it
  app.add_option("--listen", c.listen, "address for gRPC with mutual TLS (port 0 = any free port)")->capture_default_str();
  app.add_option("--data-dir", c.data_dir, "directory of the centre's RocksDB store")->required();
  app.add_option("--ca", c.ca, "federation CA certificate (PEM)")->required();
  app.add_option("--cert", c.cert, "the aggregator's server certificate (PEM)")->required();
  app.add_option("--key", c.key, "its private key (PEM, mode 0600)")->required();
  app.add_option("--trust-domain", c.trust_domain, "SPIFFE trust domain of the federation")->capture_default_str();
  app.add_option("--backup-dir", c.backup_dir,
                 "where `fedregctl backup create` puts backups (Default: <data-dir>/backups; better on another disk)");
  app.add_option("--port-file", c.port_file, "write the bound port here once listening (for scripts and tests)");
  app.add_option("--suppression-k", c.k, "sponsors see cells below k as <k (SIGHUP applies a new value)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--window", c.window, "batches in flight allowed per site")->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("--max-streams", c.max_streams, "sites streaming at once")->check(CLI::Range(1u, 100000u))->capture_default_str();
  app.add_option("--max-batch-kib", c.max_batch_kib,
                 "largest batch accepted, serialized, KiB (given to agents at Hello, who fill batches up to it)")
      ->check(CLI::Range(64u, 65536u))
      ->capture_default_str();
  app.add_option("--site-events-per-s", c.site_rate,
                 "apply rate limit per site (slowed, not refused; SIGHUP applies a new value)")
      ->check(CLI::Range(1.0, 1e9))
      ->capture_default_str();
  app.add_option("--crl-dir", c.crl_dir, "certificate revocation lists (OpenSSL hashed dir, <hash>.r0)");
  app.add_option("--tls-reload-s", c.tls_reload_s, "re-read certificate, key, CA and CRL files this often")
      ->check(CLI::Range(1u, 86400u))
      ->capture_default_str();
  app.add_option("--metrics-listen", c.metrics_listen, "serve Prometheus /metrics here, e.g. 127.0.0.1:9465");
  app.add_option("--min-free-mb", c.min_free_mb, "refuse to apply batches when less is free under --data-dir")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--log-format", c.log_format, "text or json")->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", c.log_level, "trace, debug, info, warn, error (SIGHUP applies a new value)");
  app.add_flag("--check-config", c.check_config, "validate the configuration and exit");
}


std::string Num(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// SIGHUP: parse the command line and the --config file again into a fresh
// config; apply what can change live, report the rest. A file that no longer
// parses (or holds a bad value) changes nothing: the old settings stay.
void Reload(int argc, char** argv, AggregatorConfig& cur, fedreg::server::AdminServiceImpl& admin,
            fedreg::server::SyncServiceImpl& sync) {
  fedreg::NotifyReloading("reloading " + cur.config_file);
  std::string error;
  std::optional<AggregatorConfig> reparsed =
      fedreg::ReparseConfig<AggregatorConfig>("fedreg-aggregator", argc, argv, AddOptions, &error);
  if (!reparsed) {
    fedreg::RefuseReload(cur.config_file, "serving", error);
    return;
  }
  AggregatorConfig& next = *reparsed;
  if (next.backup_dir.empty()) next.backup_dir = next.data_dir + "/backups";  // as at the start
  fedreg::ReloadReport r;
  fedreg::SetLogLevel(next.log_level);
  r.Applied("log-level", cur.log_level, next.log_level);
  admin.set_suppression_k(next.k);
  r.Applied("suppression-k", std::to_string(cur.k), std::to_string(next.k));
  sync.SetSiteEventsPerS(next.site_rate);
  r.Applied("site-events-per-s", Num(cur.site_rate), Num(next.site_rate));
  r.NeedsRestart("listen", cur.listen, next.listen);
  r.NeedsRestart("data-dir", cur.data_dir, next.data_dir);
  r.NeedsRestart("backup-dir", cur.backup_dir, next.backup_dir);
  r.NeedsRestart("ca", cur.ca, next.ca);
  r.NeedsRestart("cert", cur.cert, next.cert);
  r.NeedsRestart("key", cur.key, next.key);
  r.NeedsRestart("crl-dir", cur.crl_dir, next.crl_dir);
  r.NeedsRestart("tls-reload-s", std::to_string(cur.tls_reload_s), std::to_string(next.tls_reload_s));
  r.NeedsRestart("trust-domain", cur.trust_domain, next.trust_domain);
  r.NeedsRestart("port-file", cur.port_file, next.port_file);
  r.NeedsRestart("window", std::to_string(cur.window), std::to_string(next.window));
  r.NeedsRestart("max-streams", std::to_string(cur.max_streams), std::to_string(next.max_streams));
  r.NeedsRestart("max-batch-kib", std::to_string(cur.max_batch_kib), std::to_string(next.max_batch_kib));
  r.NeedsRestart("metrics-listen", cur.metrics_listen, next.metrics_listen);
  r.NeedsRestart("min-free-mb", std::to_string(cur.min_free_mb), std::to_string(next.min_free_mb));
  r.NeedsRestart("log-format", cur.log_format, next.log_format);
  // The credentials' provider re-reads the same paths on its own period; gRPC
  // offers no way to make it read them now.
  r.Note("certificate, key and CA files are re-read from their paths every tls-reload-s (" +
         std::to_string(cur.tls_reload_s) + " s), CRLs at each handshake");
  r.Log("SIGHUP: reloaded " + (cur.config_file.empty() ? std::string("(command line only)") : cur.config_file));
  // What needs a restart keeps its old value, so that the next report still names it.
  cur.log_level = next.log_level;
  cur.k = next.k;
  cur.site_rate = next.site_rate;
  spdlog::debug("SIGHUP: in force now: log-level {}, suppression-k {}, site-events-per-s {}", cur.log_level, cur.k,
                Num(cur.site_rate));
  fedreg::NotifyReady(std::string("serving; reloaded") + (r.restart_needed() ? ", some changes need a restart" : ""));
}

}  // namespace

int main(int argc, char** argv) {
  // gRPC's many threads would each get a glibc malloc arena; two bound the
  // resident memory with no measurable cost here.
  mallopt(M_ARENA_MAX, 2);
  AggregatorConfig cfg;
  CLI::App app{"fedreg-aggregator: the centre of the fedreg registry"};
  AddOptions(app, cfg);
  CLI11_PARSE(app, argc, argv);
  cfg.config_file = fedreg::ConfigFile(app);
  // Plain names for the start, as before the config became a struct.
  const std::string &listen = cfg.listen, &data_dir = cfg.data_dir, &ca = cfg.ca, &cert = cfg.cert, &key = cfg.key;
  const std::string &trust_domain = cfg.trust_domain, &port_file = cfg.port_file, &crl_dir = cfg.crl_dir;
  const std::string& metrics_listen = cfg.metrics_listen;
  const unsigned tls_reload_s = cfg.tls_reload_s;


  if (!fedreg::InitLogging("aggregator", cfg.log_format, cfg.log_level)) return Fail("--log-level: unknown level");
  if (auto s = fedreg::CheckHostPort("--listen", listen, true); !s.ok()) return Fail(std::string(s.message()));
  if (!metrics_listen.empty()) {
    if (auto s = fedreg::CheckHostPort("--metrics-listen", metrics_listen, true); !s.ok())
      return Fail(std::string(s.message()));
  }
  if (auto checked = fedreg::MakeServerCredentials({ca, cert, key, crl_dir, tls_reload_s}); !checked.ok())
    return Fail(std::string(checked.status().message()));
  if (cfg.check_config) {
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
  so.min_free_bytes = cfg.min_free_mb << 20;
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
  if (cfg.backup_dir.empty()) cfg.backup_dir = data_dir + "/backups";

  // Refused client certificates go to the audit log (the call never reaches a service).
  fedreg::server::CentreStore* audit_store = store->get();
  auto creds = fedreg::MakeServerCredentials(
      {ca, cert, key, crl_dir, tls_reload_s}, [audit_store](const std::string& who, const std::string& reason) {
        spdlog::warn("TLS handshake refused for {}: {}", who, reason);
        audit_store->Audit({who, "tls.handshake", "", "UNAUTHENTICATED", reason}).IgnoreError();
      });
  if (!creds.ok()) return Fail(std::string(creds.status().message()));
  fedreg::server::SyncLimits limits;
  limits.window = cfg.window;
  limits.max_streams = cfg.max_streams;
  limits.max_batch_bytes = cfg.max_batch_kib << 10;
  limits.site_events_per_s = cfg.site_rate;
  fedreg::server::SyncServiceImpl sync(**store, trust_domain, limits);
  fedreg::server::AdminServiceImpl admin(**store, sync, trust_domain, cfg.k);
  admin.set_backup_dir(cfg.backup_dir);

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

  // The watchdog's ping proves two things: this thread is scheduled, and the
  // store answers a point read (RocksDB open, its read path not wedged). It
  // does not prove that gRPC serves calls or that writes go through: a full
  // disk is the refusals' and the metrics' business, not a reason to restart.
  fedreg::server::CentreStore* probe_store = store->get();
  fedreg::WatchdogPinger watchdog([probe_store] {
    auto s = probe_store->GetSite("watchdog-probe");
    return s.ok() || absl::IsNotFound(s.status());
  });
  if (auto period = watchdog.Start(); period.count() > 0)
    spdlog::info("systemd watchdog: pinging every {} ms", period.count() / 1000);
  // READY=1 only now: the store is open and the listener bound (port file written).
  fedreg::NotifyReady("serving on port " + std::to_string(port) + ", trust domain " + trust_domain);

  int sig;
  while ((sig = fedreg::WaitForSignal()) == SIGHUP) Reload(argc, argv, cfg, admin, sync);
  spdlog::info("signal {}: draining", sig);
  fedreg::NotifyStopping("draining after signal " + std::to_string(sig));
  watchdog.Stop();
  sync.CancelStreams();
  metrics.Stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  spdlog::info("aggregator stopped");
  return 0;
}
