#include "agent/admin_service.h"

namespace fedreg::agent {

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
  resp->set_last_error(s.last_error);
  return grpc::Status::OK;
}

grpc::Status AgentAdminServiceImpl::Import(grpc::ServerContext*, const v1::ImportRequest* req,
                                           v1::ImportResponse* resp) {
  if (req->path().empty() || req->path()[0] != '/')
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "path must be absolute");
  auto sum = importer_.ImportFile(req->path());
  if (!sum.ok())
    return grpc::Status(static_cast<grpc::StatusCode>(sum.status().code()), std::string(sum.status().message()));
  resp->set_path(sum->path);
  resp->set_rows(sum->rows);
  resp->set_accepted(sum->accepted);
  resp->set_updated(sum->updated);
  resp->set_unchanged(sum->unchanged);
  resp->set_quarantined(sum->quarantined);
  for (const auto& e : sum->errors) resp->add_errors(e);
  resp->set_skipped_withdrawn(sum->skipped_withdrawn);
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
  if (!w.ok()) return grpc::Status(static_cast<grpc::StatusCode>(w.status().code()), std::string(w.status().message()));
  resp->set_case_id(w->case_id);
  resp->set_seq(w->seq);
  return grpc::Status::OK;
}

}  // namespace fedreg::agent

namespace fedreg::agent {

grpc::Status AgentAdminServiceImpl::Reconcile(grpc::ServerContext*, const v1::AgentReconcileRequest*,
                                              v1::AgentReconcileResponse* resp) {
  auto r = sender_.ReconcileNow(60);
  if (!r.ok()) return grpc::Status(static_cast<grpc::StatusCode>(r.status().code()), std::string(r.status().message()));
  resp->set_as_of_seq(r->as_of_seq);
  resp->set_cases(r->cases);
  resp->set_digest(r->digest);
  resp->set_differing(r->differing);
  for (const auto& id : r->differing_case_ids) resp->add_differing_case_ids(id);
  resp->set_resent(r->resent);
  resp->set_tombstoned(r->tombstoned);
  return grpc::Status::OK;
}

}  // namespace fedreg::agent
