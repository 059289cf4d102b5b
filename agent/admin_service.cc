#include "agent/admin_service.h"

#include "common/grpc_status.h"
#include "common/utf8.h"

namespace fedreg::agent {
namespace {

// Every text this service returns may quote a file (import errors), the
// centre (last_error, reconciliation) or the store: made valid UTF-8 and
// bounded here, so a reply always serializes and parses (a proto3 string
// holding anything else makes the client's parse, and so the call, fail).
std::string Text(const std::string& s, size_t max_bytes = 1024) { return Utf8Prefix(s, max_bytes); }

grpc::Status Error(const absl::Status& s) {
  const int code = static_cast<int>(s.code());
  return grpc::Status(code > 0 && code <= 16 ? static_cast<grpc::StatusCode>(code) : grpc::StatusCode::UNKNOWN,
                      Text(std::string(s.message()), 2048));
}

}  // namespace

grpc::Status AgentAdminServiceImpl::Status(grpc::ServerContext*, const v1::AgentStatusRequest*,
                                           v1::AgentStatusResponse* resp) {
  resp->set_site_id(site_id_);
  resp->set_store_id(store_.store_id());
  uint64_t highest = store_.highest_seq(), acked = store_.acked_seq();
  resp->set_highest_seq(highest);
  resp->set_acked_seq(acked);
  resp->set_backlog(highest > acked ? highest - acked : 0);
  resp->set_cases(store_.case_count());
  resp->set_quarantined(store_.quarantined_count());
  resp->set_rejected_by_centre(store_.rejected_count());
  SenderStatus s = sender_.Status();
  resp->set_connected(s.connected);
  resp->set_last_error(Text(s.last_error));
  ImportTotals totals = importer_.Totals();
  resp->set_normalised(totals.normalised);
  for (const auto& [kind, n] : totals.normalised_by_kind) (*resp->mutable_normalised_by_kind())[kind] = n;
  for (const auto& [kind, n] : totals.refused_by_kind) (*resp->mutable_refused_by_kind())[kind] = n;
  resp->set_notice_cursor(store_.notice_cursor());
  if (auto all = store_.ListNotices(); all.ok())
    for (const auto& n : *all) resp->set_notices_open(resp->notices_open() + (n.state() == v1::MATCH_STATE_OPEN));
  if (notices_ != nullptr) {
    NoticeReceiverStatus ns = notices_->Status();
    resp->set_notices_received(ns.received);
    for (double ms : ns.recent_latency_ms) resp->add_recent_notice_latency_ms(ms);
  }
  return grpc::Status::OK;
}

grpc::Status AgentAdminServiceImpl::Import(grpc::ServerContext*, const v1::ImportRequest* req,
                                           v1::ImportResponse* resp) {
  if (req->path().empty() || req->path()[0] != '/')
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "path must be absolute");
  ImportOptions options;
  options.accept_identity_changes = req->accept_identity_changes();
  options.accept_same_person = req->accept_same_person();
  auto sum = importer_.ImportFile(req->path(), options);
  if (!sum.ok()) return Error(sum.status());
  resp->set_path(Text(sum->path, 4096));
  resp->set_rows(sum->rows);
  resp->set_accepted(sum->accepted);
  resp->set_updated(sum->updated);
  resp->set_unchanged(sum->unchanged);
  resp->set_quarantined(sum->quarantined);
  for (const auto& e : sum->errors) resp->add_errors(Text(e, 512));
  resp->set_skipped_withdrawn(sum->skipped_withdrawn);
  resp->set_normalised(sum->normalised);
  for (const auto& [kind, n] : sum->normalised_by_kind) (*resp->mutable_normalised_by_kind())[kind] = n;
  for (const auto& [kind, n] : sum->refused_by_kind) (*resp->mutable_refused_by_kind())[kind] = n;
  resp->set_empty_rows(sum->empty_rows);
  resp->set_encoding(Text(sum->encoding, 128));
  resp->set_alterations_quarantined(sum->alterations_quarantined);
  resp->set_merged_tests(sum->merged_tests);
  return grpc::Status::OK;
}

grpc::Status AgentAdminServiceImpl::Withdraw(grpc::ServerContext*, const v1::WithdrawRequest* req,
                                             v1::WithdrawResponse* resp) {
  std::string reason = req->reason().empty() ? "CONSENT_WITHDRAWN" : req->reason();
  for (char c : reason) {
    if (!((c >= 'A' && c <= 'Z') || c == '_') || reason.size() > 32)
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "reason must be a code of A-Z and '_' (at most 32)");
  }
  if (req->record_number().empty()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "record number required");
  auto w = importer_.Withdraw(req->record_number(), reason);
  if (!w.ok()) return Error(w.status());
  resp->set_case_id(w->case_id);
  resp->set_seq(w->seq);
  return grpc::Status::OK;
}

grpc::Status AgentAdminServiceImpl::Rekey(grpc::ServerContext*, const v1::RekeyRequest* req,
                                          v1::RekeyResponse* resp) {
  if (req->old_record_number().empty() || req->new_record_number().empty())
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the old and the new record number are required");
  auto id = importer_.Rekey(req->old_record_number(), req->new_record_number());
  if (!id.ok()) return Error(id.status());
  resp->set_case_id(*id);
  return grpc::Status::OK;
}

grpc::Status AgentAdminServiceImpl::Reconcile(grpc::ServerContext*, const v1::AgentReconcileRequest*,
                                              v1::AgentReconcileResponse* resp) {
  auto r = sender_.ReconcileNow(60);
  if (!r.ok()) return Error(r.status());
  const std::string summary = "reconciled at seq " + std::to_string(r->as_of_seq) + " (" + std::to_string(r->cases) +
                              " cases here; " + std::to_string(r->differing) + " differed: " +
                              std::to_string(r->resent) + " re-sent, " + std::to_string(r->tombstoned) +
                              " tombstoned)";
  // The pass ran and its repairs are queued, but the centre does not know:
  // `fedregctl reconcile SITE` there still shows the previous report. An
  // error, so that the CLI (and scripts) see it.
  if (!r->reported)
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        Text(summary + ", but the report did not reach the centre (" + r->report_error +
                                 "); run it again once the centre is reachable",
                             2048));
  resp->set_as_of_seq(r->as_of_seq);
  resp->set_cases(r->cases);
  resp->set_digest(r->digest);
  resp->set_differing(r->differing);
  for (const auto& id : r->differing_case_ids) resp->add_differing_case_ids(Text(id, 64));
  resp->set_resent(r->resent);
  resp->set_tombstoned(r->tombstoned);
  return grpc::Status::OK;
}

}  // namespace fedreg::agent
