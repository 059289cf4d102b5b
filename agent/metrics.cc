#include "agent/metrics.h"

#include <chrono>

#include "common/metrics_http.h"

namespace fedreg::agent {

std::string RenderAgentMetrics(const std::string& site_id, const AgentStore& store, const Sender& sender,
                               const Importer& importer, const NoticeReceiver& notices,
                               const QuarantineActions* actions) {
  MetricsWriter w;
  const std::vector<std::pair<std::string, std::string>> site = {{"site", site_id}};
  uint64_t highest = store.highest_seq(), acked = store.acked_seq();
  w.Family("fedreg_agent_highest_seq", "gauge", "Highest seq committed to the outbox.");
  w.Sample("fedreg_agent_highest_seq", static_cast<double>(highest), site);
  w.Family("fedreg_agent_acked_seq", "gauge", "Highest seq the centre acknowledged as durable.");
  w.Sample("fedreg_agent_acked_seq", static_cast<double>(acked), site);
  w.Family("fedreg_agent_backlog", "gauge", "Changes not yet acknowledged by the centre.");
  w.Sample("fedreg_agent_backlog", static_cast<double>(highest - acked), site);
  int64_t oldest = store.OldestUnackedUnixMs();
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  w.Family("fedreg_agent_oldest_unacked_age_seconds", "gauge", "Age of the oldest unacknowledged change.");
  w.Sample("fedreg_agent_oldest_unacked_age_seconds", oldest > 0 ? (now_ms - oldest) / 1000.0 : 0.0, site);
  w.Family("fedreg_agent_cases", "gauge", "Cases stored at the site.");
  w.Sample("fedreg_agent_cases", static_cast<double>(store.case_count()), site);
  w.Family("fedreg_agent_quarantined_total", "counter", "Rows quarantined (import and centre rejections).");
  w.Sample("fedreg_agent_quarantined_total", static_cast<double>(store.quarantined_count()), site);
  w.Family("fedreg_agent_quarantine_open", "gauge",
           "Quarantined rows and centre refusals not yet retried or dropped (fedregctl agent quarantine list).");
  w.Sample("fedreg_agent_quarantine_open", static_cast<double>(store.quarantine_open()), site);
  if (actions != nullptr) {
    w.Family("fedreg_agent_quarantine_actions_total", "counter",
             "Data managers' quarantine commands since start, by action (list, show, export, retry, drop).");
    const std::pair<const char*, const std::atomic<int64_t>*> counts[] = {
        {"list", &actions->list},   {"show", &actions->show}, {"export", &actions->export_rows},
        {"retry", &actions->retry}, {"drop", &actions->drop}};
    for (const auto& [action, n] : counts)
      w.Sample("fedreg_agent_quarantine_actions_total", static_cast<double>(n->load()),
               {{"site", site_id}, {"action", action}});
  }
  w.Family("fedreg_agent_rejected_by_centre_total", "counter", "Records the centre rejected.");
  w.Sample("fedreg_agent_rejected_by_centre_total", static_cast<double>(store.rejected_count()), site);
  const ImportTotals totals = importer.Totals();
  w.Family("fedreg_agent_import_normalised_total", "counter",
           "Values rewritten to their standard form by imports since start, by kind (hgvs, gene, date, ...).");
  for (const auto& [kind, n] : totals.normalised_by_kind)
    w.Sample("fedreg_agent_import_normalised_total", static_cast<double>(n), {{"site", site_id}, {"kind", kind}});
  w.Family("fedreg_agent_import_refused_total", "counter",
           "Rows and alterations quarantined by imports since start, by kind (date, gene, record_number, size, ...).");
  for (const auto& [kind, n] : totals.refused_by_kind)
    w.Sample("fedreg_agent_import_refused_total", static_cast<double>(n), {{"site", site_id}, {"kind", kind}});
  w.Family("fedreg_agent_connected", "gauge", "1 while a sync session with the centre is up.");
  w.Sample("fedreg_agent_connected", sender.Status().connected ? 1 : 0, site);
  const NoticeReceiverStatus ns = notices.Status();
  w.Family("fedreg_agent_notices_received_total", "counter", "Trial-match notices stored since start.");
  w.Sample("fedreg_agent_notices_received_total", static_cast<double>(ns.received));
  w.Family("fedreg_agent_notice_cursor", "gauge", "Last centre notice seq stored here.");
  w.Sample("fedreg_agent_notice_cursor", static_cast<double>(store.notice_cursor()));
  return w.Take();
}

}  // namespace fedreg::agent
