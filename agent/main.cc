// fedreg-agent: runs at a hospital. Imports exports, pseudonymizes them,
// stores them and pushes them to the centre. See docs/operations.md.
#include <grpcpp/server_builder.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <malloc.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <filesystem>

#include "agent/admin_service.h"
#include "common/rocks_backup.h"
#include "agent/agent_store.h"
#include "agent/drop_watcher.h"
#include "agent/importer.h"
#include "agent/metrics.h"
#include "agent/notice_receiver.h"
#include "common/metrics_http.h"
#include "agent/sender.h"
#include "common/key_file.h"
#include "common/host_port.h"
#include "common/logging.h"
#include "common/owner_token.h"
#include "common/reload_report.h"
#include "common/service_notify.h"
#include "common/signals.h"
#include "common/tls.h"
#include "common/validate.h"

namespace {

struct AgentConfig {
  std::string site;
  std::string data_dir;
  std::string server = "127.0.0.1:7443";
  std::string ca, cert, key;
  std::string linkage_key;
  std::string reid_key;        // Default: <data_dir>/reid.key, created on first start
  std::string admin_socket;    // Default: <data_dir>/agent.sock
  std::string backup_dir;      // Default: <data_dir>/backups
  std::string drop_dir;        // Default: none (imports only via fedregctl agent import)
  std::string record_number_leading_zeros = "keep";
  int window = 8;
  int backoff_max_ms = 10000;
  int ack_timeout_ms = 15000;
  int connect_timeout_ms = 20000;
  int keepalive_time_ms = 4000;
  int keepalive_timeout_ms = 6000;
  int reconcile_interval_s = 600;
  int64_t min_free_mb = 256;
  std::string metrics_listen;  // Default: none
  unsigned tls_reload_s = 60;
  std::string compression = "zstd";
  std::string log_format = "text";
  std::string log_level = "info";
  std::string config_file;  // the --config file given, or ""
  bool check_config = false;
};

int Fail(const std::string& msg) {
  std::fprintf(stderr, "fedreg-agent: %s\n", msg.c_str());
  return 1;
}

// The options, bound to `c`. One definition for the start and for each SIGHUP
// reload, which parses the same command line (and so the same --config file)
// into a fresh AgentConfig.
void AddOptions(CLI::App& app, AgentConfig& c) {
  app.set_config("--config", "", "TOML config file (keys as the long options, e.g. site = \"ncch\")");
  app.allow_config_extras(false);  // an unknown key in the file is an error naming it
  app.add_option("--site", c.site, "this hospital's site id (must match its certificate)")->required();
  app.add_option("--data-dir", c.data_dir, "directory of the agent's RocksDB store and keys")->required();
  app.add_option("--backup-dir", c.backup_dir,
                 "where `fedregctl agent backup create` puts backups (Default: <data-dir>/backups)");
  app.add_option("--server", c.server, "aggregator address host:port")->capture_default_str();
  app.add_option("--ca", c.ca, "federation CA certificate (PEM)")->required();
  app.add_option("--cert", c.cert, "this site's client certificate (PEM)")->required();
  app.add_option("--key", c.key, "this site's private key (PEM, mode 0600)")->required();
  app.add_option("--linkage-key", c.linkage_key, "shared linkage key file (64 hex chars, mode 0600)")->required();
  app.add_option("--reid-key", c.reid_key, "re-identification table key file (created if missing)");
  app.add_option("--admin-socket", c.admin_socket, "unix socket for fedregctl agent commands");
  app.add_option("--drop-dir", c.drop_dir, "folder watched for export files");
  app.add_option("--record-number-leading-zeros", c.record_number_leading_zeros,
                 "keep: 000123 and 123 are two record numbers; strip: leading zeros are padding (one number)")
      ->check(CLI::IsMember({"keep", "strip"}))
      ->capture_default_str();
  app.add_option("--window", c.window, "batches in flight")->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("--backoff-max-ms", c.backoff_max_ms, "cap of the reconnect backoff (full jitter)")
      ->check(CLI::Range(100, 600000))
      ->capture_default_str();
  app.add_option("--ack-timeout-ms", c.ack_timeout_ms, "end a stream whose batches get no ack for this long")
      ->check(CLI::Range(1000, 600000))
      ->capture_default_str();
  app.add_option("--connect-timeout-ms", c.connect_timeout_ms,
                 "TCP connect, TLS handshake and HTTP/2 setup with the centre must finish within this")
      ->check(CLI::Range(1000, 600000))
      ->capture_default_str();
  // The centre accepts pings 1 s apart (server/main.cc): 2 s keeps every agent clear of its ping policing.
  app.add_option("--keepalive-time-ms", c.keepalive_time_ms, "ping a quiet connection to the centre this often")
      ->check(CLI::Range(2000, 3600000))
      ->capture_default_str();
  app.add_option("--keepalive-timeout-ms", c.keepalive_timeout_ms,
                 "close the connection when a ping is not answered within this (must exceed the link's round trip)")
      ->check(CLI::Range(1000, 600000))
      ->capture_default_str();
  app.add_option("--reconcile-interval-s", c.reconcile_interval_s,
                 "compare with the centre this often when idle (0 = only on demand; SIGHUP applies a new value)")
      ->check(CLI::Range(0, 86400 * 7))
      ->capture_default_str();
  app.add_option("--compression", c.compression,
                 "zstd (batches packed and compressed with Zstandard; gzip to a centre before 0.4.0), gzip, or "
                 "none (a LAN) for what is sent to the centre")
      ->check(CLI::IsMember({"zstd", "gzip", "none"}))
      ->capture_default_str();
  app.add_option("--tls-reload-s", c.tls_reload_s, "re-read certificate, key and CA files this often")
      ->check(CLI::Range(1u, 86400u))
      ->capture_default_str();
  app.add_option("--metrics-listen", c.metrics_listen, "serve Prometheus /metrics here, e.g. 127.0.0.1:9464");
  app.add_option("--min-free-mb", c.min_free_mb, "refuse imports when less is free under --data-dir")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--log-format", c.log_format, "text or json")->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", c.log_level, "trace, debug, info, warn, error (SIGHUP applies a new value)");
  app.add_flag("--check-config", c.check_config, "validate the configuration and exit");
}


// SIGHUP: parse the command line and the --config file again into a fresh
// config; apply what can change live, report the rest. A file that no longer
// parses (or holds a bad value) changes nothing: the old settings stay.
void Reload(int argc, char** argv, AgentConfig& cur, fedreg::agent::Sender& sender) {
  fedreg::NotifyReloading("reloading " + cur.config_file);
  std::string error;
  std::optional<AgentConfig> reparsed =
      fedreg::ReparseConfig<AgentConfig>("fedreg-agent", argc, argv, AddOptions, &error);
  if (!reparsed) {
    fedreg::RefuseReload(cur.config_file, "running", error);
    return;
  }
  AgentConfig& next = *reparsed;
  // Defaults filled in at start, so that an unchanged file compares equal.
  if (next.reid_key.empty()) next.reid_key = next.data_dir + "/reid.key";
  if (next.admin_socket.empty()) next.admin_socket = next.data_dir + "/agent.sock";
  fedreg::ReloadReport r;
  fedreg::SetLogLevel(next.log_level);
  r.Applied("log-level", cur.log_level, next.log_level);
  sender.SetReconcileIntervalS(next.reconcile_interval_s);
  r.Applied("reconcile-interval-s", std::to_string(cur.reconcile_interval_s), std::to_string(next.reconcile_interval_s));
  const auto num = [](auto v) { return std::to_string(v); };
  r.NeedsRestart("site", cur.site, next.site);
  r.NeedsRestart("data-dir", cur.data_dir, next.data_dir);
  r.NeedsRestart("backup-dir", cur.backup_dir, next.backup_dir);
  r.NeedsRestart("server", cur.server, next.server);
  r.NeedsRestart("ca", cur.ca, next.ca);
  r.NeedsRestart("cert", cur.cert, next.cert);
  r.NeedsRestart("key", cur.key, next.key);
  r.NeedsRestart("linkage-key", cur.linkage_key, next.linkage_key);
  r.NeedsRestart("reid-key", cur.reid_key, next.reid_key);
  r.NeedsRestart("admin-socket", cur.admin_socket, next.admin_socket);
  r.NeedsRestart("drop-dir", cur.drop_dir, next.drop_dir);
  r.NeedsRestart("record-number-leading-zeros", cur.record_number_leading_zeros, next.record_number_leading_zeros);
  r.NeedsRestart("window", num(cur.window), num(next.window));
  r.NeedsRestart("backoff-max-ms", num(cur.backoff_max_ms), num(next.backoff_max_ms));
  r.NeedsRestart("ack-timeout-ms", num(cur.ack_timeout_ms), num(next.ack_timeout_ms));
  r.NeedsRestart("connect-timeout-ms", num(cur.connect_timeout_ms), num(next.connect_timeout_ms));
  r.NeedsRestart("keepalive-time-ms", num(cur.keepalive_time_ms), num(next.keepalive_time_ms));
  r.NeedsRestart("keepalive-timeout-ms", num(cur.keepalive_timeout_ms), num(next.keepalive_timeout_ms));
  r.NeedsRestart("min-free-mb", num(cur.min_free_mb), num(next.min_free_mb));
  r.NeedsRestart("metrics-listen", cur.metrics_listen, next.metrics_listen);
  r.NeedsRestart("tls-reload-s", num(cur.tls_reload_s), num(next.tls_reload_s));
  r.NeedsRestart("compression", cur.compression, next.compression);
  r.NeedsRestart("log-format", cur.log_format, next.log_format);
  // The credentials' provider re-reads the same paths on its own period; gRPC
  // offers no way to make it read them now.
  r.Note("certificate, key and CA files are re-read from their paths every tls-reload-s (" +
         std::to_string(cur.tls_reload_s) + " s)");
  r.Log("SIGHUP: reloaded " + (cur.config_file.empty() ? std::string("(command line only)") : cur.config_file));
  // What needs a restart keeps its old value, so that the next report still names it.
  cur.log_level = next.log_level;
  cur.reconcile_interval_s = next.reconcile_interval_s;
  spdlog::debug("SIGHUP: in force now: log-level {}, reconcile-interval-s {}", cur.log_level, cur.reconcile_interval_s);
  fedreg::NotifyReady(std::string("running; reloaded") + (r.restart_needed() ? ", some changes need a restart" : ""));
}

}  // namespace

int main(int argc, char** argv) {
  // gRPC's many threads would each get a glibc malloc arena; two bound the
  // resident memory with no measurable cost here.
  mallopt(M_ARENA_MAX, 2);
  // RocksDB's memtable arenas come in blocks of about a megabyte: mapped
  // apart, they go back to the system when a flushed memtable is freed instead
  // of staying in a fragmented heap (with a 1,000,000-change backlog: 74 -> 59 MiB).
  mallopt(M_MMAP_THRESHOLD, 128 << 10);
  AgentConfig cfg;
  CLI::App app{"fedreg-agent: the hospital side of the fedreg registry"};
  AddOptions(app, cfg);
  CLI11_PARSE(app, argc, argv);
  cfg.config_file = fedreg::ConfigFile(app);

  if (!fedreg::IsSiteId(cfg.site)) return Fail("--site: '" + cfg.site + "' is not a site id ([a-z][a-z0-9-]+)");
  if (!fedreg::InitLogging("agent", cfg.log_format, cfg.log_level)) return Fail("--log-level: unknown level");
  if (auto s = fedreg::CheckHostPort("--server", cfg.server); !s.ok()) return Fail(std::string(s.message()));
  if (!cfg.metrics_listen.empty()) {
    if (auto s = fedreg::CheckHostPort("--metrics-listen", cfg.metrics_listen, true); !s.ok())
      return Fail(std::string(s.message()));
  }
  if (cfg.reid_key.empty()) cfg.reid_key = cfg.data_dir + "/reid.key";
  if (cfg.admin_socket.empty()) cfg.admin_socket = cfg.data_dir + "/agent.sock";
  std::error_code ec;
  std::filesystem::create_directories(cfg.data_dir, ec);
  if (ec) return Fail("--data-dir " + cfg.data_dir + ": " + ec.message());
  chmod(cfg.data_dir.c_str(), 0700);

  for (const auto& secret : {cfg.key}) {
    if (auto s = fedreg::CheckPrivateFileMode(secret); !s.ok()) return Fail(std::string(s.message()));
  }
  auto linkage = fedreg::LoadKeyFile(cfg.linkage_key);
  if (!linkage.ok()) return Fail("--linkage-key: " + std::string(linkage.status().message()));
  auto reid = fedreg::LoadOrCreateKeyFile(cfg.reid_key);
  if (!reid.ok()) return Fail("--reid-key: " + std::string(reid.status().message()));
  if (cfg.check_config) {
    // The CA, certificate and key read and parsed here, not at the first connection.
    if (auto creds = fedreg::MakeChannelCredentials({cfg.ca, cfg.cert, cfg.key}); !creds.ok())
      return Fail(std::string(creds.status().message()));
    std::printf("configuration ok\n");
    return 0;
  }

  fedreg::BlockShutdownSignals();
  fedreg::agent::AgentStoreOptions so;
  so.path = cfg.data_dir + "/store";
  so.min_free_bytes = cfg.min_free_mb << 20;
  auto store = fedreg::agent::AgentStore::Open(so);
  if (!store.ok()) return Fail(store.status().ToString());
  // A store restored by `fedregctl agent backup restore`: a new store id
  // first (so the centre takes nothing from it before a rebase), then the
  // record is consumed; a crash between the two renews the id once more.
  if (std::filesystem::exists(cfg.data_dir + "/restore-record.txt", ec)) {
    const std::string old_id = (*store)->store_id();
    if (auto s = (*store)->RenewStoreIdAfterRestore(); !s.ok()) return Fail("after a restore: " + s.ToString());
    auto restored = fedreg::TakeRestoreRecord(cfg.data_dir);
    if (!restored.ok()) return Fail(std::string(restored.status().message()));
    spdlog::warn("this store was restored from a backup ({}); it is now store {} (was {}): the centre refuses it "
                 "until 'fedregctl sites rebase {}' is run there, then this agent sends a snapshot",
                 *restored, (*store)->store_id(), old_id, cfg.site);
  }

  fedreg::agent::RecordNumberRules record_numbers;
  fedreg::agent::ParseLeadingZeros(cfg.record_number_leading_zeros, &record_numbers.leading_zeros);  // checked above
  fedreg::agent::Importer importer(**store, cfg.site, {*linkage, *reid}, 512, record_numbers);
  fedreg::agent::SenderOptions sopts;
  sopts.site_id = cfg.site;
  sopts.server = cfg.server;
  sopts.tls = {cfg.ca, cfg.cert, cfg.key, "", cfg.tls_reload_s};
  sopts.window = cfg.window;
  sopts.backoff_max_ms = cfg.backoff_max_ms;
  sopts.ack_timeout_ms = cfg.ack_timeout_ms;
  sopts.connect_timeout_ms = cfg.connect_timeout_ms;
  sopts.keepalive_time_ms = cfg.keepalive_time_ms;
  sopts.keepalive_timeout_ms = cfg.keepalive_timeout_ms;
  sopts.reconcile_interval_s = cfg.reconcile_interval_s;
  using Compression = fedreg::agent::SenderOptions::Compression;
  sopts.compression = cfg.compression == "zstd"   ? Compression::kZstd
                      : cfg.compression == "gzip" ? Compression::kGzip
                                                  : Compression::kNone;
  fedreg::agent::Sender sender(**store, sopts);
  if (auto s = sender.Start(); !s.ok()) return Fail(s.ToString());
  fedreg::agent::NoticeReceiverOptions nopts;
  nopts.site_id = cfg.site;
  nopts.backoff_max_ms = cfg.backoff_max_ms;
  fedreg::agent::NoticeReceiver notices(**store, sender, nopts);
  if (auto s = notices.Start(); !s.ok()) return Fail(s.ToString());

  fedreg::agent::AgentAdminServiceImpl admin(cfg.site, **store, importer, sender, &notices);
  // Identifying fields of quarantined rows only to whoever can read this
  // file (the agent's user and root): common/owner_token.h.
  auto owner_token = fedreg::WriteOwnerToken(cfg.admin_socket);
  if (!owner_token.ok()) return Fail("owner token: " + owner_token.status().ToString());
  admin.set_owner_token(*owner_token);
  admin.set_backup_dir(cfg.backup_dir.empty() ? cfg.data_dir + "/backups" : cfg.backup_dir);
  std::filesystem::remove(cfg.admin_socket, ec);
  grpc::ServerBuilder builder;
  // Local only: a unix socket, protected by the data directory's mode.
  builder.AddListeningPort("unix:" + cfg.admin_socket, grpc::InsecureServerCredentials());
  builder.RegisterService(&admin);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server) return Fail("cannot listen on unix:" + cfg.admin_socket);
  chmod(cfg.admin_socket.c_str(), 0660);

  std::unique_ptr<fedreg::agent::DropWatcher> watcher;
  if (!cfg.drop_dir.empty()) {
    watcher = std::make_unique<fedreg::agent::DropWatcher>(importer, cfg.drop_dir);
    if (auto s = watcher->Start(); !s.ok()) return Fail(s.ToString());
  }
  fedreg::MetricsHttpServer metrics;
  if (!cfg.metrics_listen.empty()) {
    auto port = metrics.Start(cfg.metrics_listen, [&] {
      std::string text =
          fedreg::agent::RenderAgentMetrics(cfg.site, **store, sender, importer, notices, &admin.quarantine_actions());
      if (auto left = fedreg::SecondsUntilExpiry(cfg.cert); left.ok())
        text += "# HELP fedreg_certificate_expiry_seconds Seconds until this agent's certificate expires.\n"
                "# TYPE fedreg_certificate_expiry_seconds gauge\nfedreg_certificate_expiry_seconds " +
                std::to_string(*left) + "\n";
      return text;
    });
    if (!port.ok()) return Fail(port.status().ToString());
    spdlog::info("metrics on http://{}/metrics", cfg.metrics_listen);
  }
  if (auto left = fedreg::SecondsUntilExpiry(cfg.cert); left.ok() && *left < 30 * 86400)
    spdlog::warn("the site certificate {} expires in {} days: renew it", cfg.cert, *left / 86400);
  spdlog::info("agent {} started: store {} (highest seq {}, acked {}), admin unix:{}", cfg.site,
               (*store)->store_id(), (*store)->highest_seq(), (*store)->acked_seq(), cfg.admin_socket);

  // The watchdog's ping proves two things: this thread is scheduled, and the
  // store answers a point read (RocksDB open, its read path not wedged). It
  // does not prove that the centre is reachable (an outage is normal and
  // shown by the metrics) nor that the drop folder is watched.
  fedreg::agent::AgentStore* probe_store = store->get();
  fedreg::WatchdogPinger watchdog([probe_store] { return probe_store->GetCase("watchdog-probe").ok(); });
  if (auto period = watchdog.Start(); period.count() > 0)
    spdlog::info("systemd watchdog: pinging every {} ms", period.count() / 1000);
  // READY=1 only now: the store is open and the admin socket bound.
  fedreg::NotifyReady("site " + cfg.site + ": store open, admin socket " + cfg.admin_socket +
                      (cfg.drop_dir.empty() ? "" : ", watching " + cfg.drop_dir));

  int sig;
  while ((sig = fedreg::WaitForSignal()) == SIGHUP) Reload(argc, argv, cfg, sender);
  spdlog::info("signal {}: draining", sig);
  fedreg::NotifyStopping("draining after signal " + std::to_string(sig));
  watchdog.Stop();
  if (watcher) watcher->Stop();
  metrics.Stop();
  notices.Stop();
  sender.Stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  spdlog::info("agent {} stopped", cfg.site);
  return 0;
}
