#include "server/metrics.h"

#include <algorithm>
#include <ctime>

#include "common/metrics_http.h"

namespace fedreg::server {

std::string RenderCentreMetrics(const CentreStore& store, const SyncServiceImpl& sync) {
  MetricsWriter w;
  auto sites = store.ListSites();
  if (sites.ok()) {
    struct Gauge {
      const char* name;
      const char* type;
      const char* help;
      double (*get)(const v1::SiteState&);
    };
    const Gauge gauges[] = {
        {"fedreg_site_applied_seq", "gauge", "Highest seq applied for the site's store.",
         [](const v1::SiteState& s) { return static_cast<double>(s.applied_seq()); }},
        {"fedreg_site_cases", "gauge", "Cases the centre holds for the site.",
         [](const v1::SiteState& s) { return static_cast<double>(s.cases()); }},
        {"fedreg_site_batches_total", "counter", "Batches applied for the site.",
         [](const v1::SiteState& s) { return static_cast<double>(s.batches()); }},
        {"fedreg_site_rejected_total", "counter", "Records of the site rejected by validation.",
         [](const v1::SiteState& s) { return static_cast<double>(s.rejected()); }},
        {"fedreg_site_withdrawn_total", "counter", "Cases of the site purged (withdrawn or rebased away).",
         [](const v1::SiteState& s) { return static_cast<double>(s.withdrawn()); }},
        {"fedreg_site_store_identity_refusals_total", "counter",
         "Hellos refused because the agent's store is new or lost data (needs 'fedregctl sites rebase').",
         [](const v1::SiteState& s) { return static_cast<double>(s.identity_refusals()); }},
        {"fedreg_site_snapshot_pending", "gauge", "1 while the centre waits for the site's snapshot.",
         [](const v1::SiteState& s) { return s.snapshot_pending() ? 1.0 : 0.0; }},
        {"fedreg_site_last_seen_age_seconds", "gauge", "Seconds since the site was last heard from.",
         [](const v1::SiteState& s) {
           return s.last_seen_unix() ? static_cast<double>(std::time(nullptr) - s.last_seen_unix()) : -1.0;
         }},
    };
    for (const auto& g : gauges) {
      w.Family(g.name, g.type, g.help);
      for (const auto& s : *sites) w.Sample(g.name, g.get(s), {{"site", s.site_id()}});
    }
    w.Family("fedreg_site_connected", "gauge", "1 while the site has a Push stream open.");
    for (const auto& s : *sites) w.Sample("fedreg_site_connected", sync.IsStreaming(s.site_id()) ? 1 : 0, {{"site", s.site_id()}});
  }
  const SyncMetrics& m = sync.metrics();
  w.Family("fedreg_sync_batches_total", "counter", "Batches applied.");
  w.Sample("fedreg_sync_batches_total", static_cast<double>(m.batches.load()));
  w.Family("fedreg_sync_events_total", "counter", "Events received in batches.");
  w.Sample("fedreg_sync_events_total", static_cast<double>(m.events.load()));
  w.Family("fedreg_sync_bytes_total", "counter", "Serialized batch bytes received.");
  w.Sample("fedreg_sync_bytes_total", static_cast<double>(m.bytes.load()));
  w.Family("fedreg_sync_packed_batches_total", "counter", "Batches received packed (zstd, from 0.4.0 agents).");
  w.Sample("fedreg_sync_packed_batches_total", static_cast<double>(m.packed_batches.load()));
  w.Family("fedreg_sync_packed_bytes_total", "counter", "Bytes of the packed batches as received (compressed).");
  w.Sample("fedreg_sync_packed_bytes_total", static_cast<double>(m.packed_bytes.load()));
  w.Family("fedreg_sync_rejected_total", "counter", "Records rejected by validation at the centre.");
  w.Sample("fedreg_sync_rejected_total", static_cast<double>(m.rejected.load()));
  w.Family("fedreg_sync_refused_calls_total", "counter", "Sync calls refused (identity or payload naming another site).");
  w.Sample("fedreg_sync_refused_calls_total", static_cast<double>(m.refused_calls.load()));
  int64_t apply[SyncMetrics::kBuckets + 1], fresh[SyncMetrics::kFreshBuckets + 1],
      arrive[SyncMetrics::kFreshBuckets + 1];
  for (int i = 0; i <= SyncMetrics::kBuckets; ++i) apply[i] = m.apply_ms_bucket[i].load();
  for (int i = 0; i <= SyncMetrics::kFreshBuckets; ++i) fresh[i] = m.fresh_bucket[i].load();
  for (int i = 0; i <= SyncMetrics::kFreshBuckets; ++i) arrive[i] = m.arrive_bucket[i].load();
  // Seconds, Prometheus' base unit (promtool's lint refuses _ms); the buckets
  // are kept in ms where they are counted (SyncMetrics).
  double apply_s[SyncMetrics::kBuckets], fresh_s[SyncMetrics::kFreshBuckets];
  for (int i = 0; i < SyncMetrics::kBuckets; ++i) apply_s[i] = SyncMetrics::kBucketMs[i] / 1000.0;
  for (int i = 0; i < SyncMetrics::kFreshBuckets; ++i) fresh_s[i] = SyncMetrics::kFreshMs[i] / 1000.0;
  w.Histogram("fedreg_apply_latency_seconds",
              "Time to build one batch and queue it for the writer (reads, validation, view deltas).", apply_s,
              SyncMetrics::kBuckets, apply, m.apply_us_sum.load() / 1e6);
  w.Histogram("fedreg_freshness_seconds",
              "From a change committed at the site to applied and visible at the centre (site and centre clocks).",
              fresh_s, SyncMetrics::kFreshBuckets, fresh, m.fresh_us_sum.load() / 1e6);
  w.Histogram("fedreg_arrival_seconds",
              "From a change committed at the site to its batch received by the centre (the agent's send and the "
              "link; site and centre clocks). Freshness minus arrival is the centre's own part.",
              fresh_s, SyncMetrics::kFreshBuckets, arrive, m.arrive_us_sum.load() / 1e6);
  w.Family("fedreg_wal_syncs_total", "counter",
           "WAL syncs made by the group commit (each confirms every batch before it as durable).");
  w.Sample("fedreg_wal_syncs_total", static_cast<double>(store.WalSyncs()));
  w.Family("fedreg_trial_matches_open", "gauge", "Open trial matches across every trial and site.");
  w.Sample("fedreg_trial_matches_open", static_cast<double>(store.OpenMatches()));
  w.Family("fedreg_notices_sent_total", "counter", "Notices written to sites' Notices streams.");
  w.Sample("fedreg_notices_sent_total", static_cast<double>(sync.notices_sent()));
  if (auto backlogs = store.NoticeBacklogs(); backlogs.ok()) {
    w.Family("fedreg_notices_pending", "gauge", "Notices made for the site that it has not yet said it stored.");
    for (const auto& b : *backlogs)
      w.Sample("fedreg_notices_pending", static_cast<double>(b.made - std::min(b.stored, b.made)), {{"site", b.site_id}});
    w.Family("fedreg_notices_oldest_pending_age_seconds", "gauge",
             "Age of the site's oldest notice not yet stored there (0 when none).");
    for (const auto& b : *backlogs)
      w.Sample("fedreg_notices_oldest_pending_age_seconds",
               b.oldest_pending_unix > 0 ? static_cast<double>(std::time(nullptr) - b.oldest_pending_unix) : 0.0,
               {{"site", b.site_id}});
  }
  return w.Take();
}

}  // namespace fedreg::server
