// The agent admin service's notice RPCs: the only place where a trial match
// meets a patient. Served on the local admin socket only; the record number
// comes from the sealed reid table (the agent keeps no names).
#include "agent/admin_service.h"
#include "agent/reid_table.h"
#include "common/grpc_status.h"
#include "common/notice_status.h"
#include "common/utf8.h"

namespace fedreg::agent {

void AgentAdminServiceImpl::Reidentify(const v1::AgentNotice& notice, v1::NoticeView* view) const {
  *view->mutable_notice() = notice;
  auto rkey = store_.ReidKeyForCase(notice.case_id());
  if (!rkey.ok()) return;
  const std::optional<std::string>& key = *rkey;
  if (!key.has_value()) return;  // the case is gone (withdrawn)
  auto entry = LoadReidEntry(store_, importer_.reid_key(), *key);
  if (!entry.ok()) return;
  const std::optional<v1::ReidEntry>& reid = *entry;
  if (!reid.has_value()) return;
  view->set_record_number(reid->record_number());
  view->set_birth_date(reid->birth_date());
}

grpc::Status AgentAdminServiceImpl::ListNotices(grpc::ServerContext*, const v1::ListNoticesRequest* req,
                                                v1::ListNoticesResponse* resp) {
  const std::string& filter = req->status();
  v1::NoticeStatus wanted = v1::NOTICE_STATUS_UNSPECIFIED;
  const bool by_state = filter == "open" || filter == "ended" || filter == "cancelled";
  if (!filter.empty() && !by_state && filter != "new" && !ParseNoticeStatus(filter, &wanted))
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "--status: '" + Utf8Prefix(filter, 40) +
                            "' is not open, ended, cancelled, new or a referral status (contacted, referred, "
                            "screening, enrolled, screen_failed, declined, not_eligible, deferred)");
  auto all = store_.ListNotices();
  if (!all.ok()) return ToGrpc(all.status());
  for (const auto& n : *all) {
    if (!req->trial_id().empty() && n.trial_id() != req->trial_id()) continue;
    if (by_state && MatchStateName(n.state()) != filter) continue;
    if (!by_state && !filter.empty() && NoticeStatusName(n.status()) != filter) continue;
    Reidentify(n, resp->add_notices());
  }
  // Newest first: the coordinator's work queue.
  std::sort(resp->mutable_notices()->begin(), resp->mutable_notices()->end(),
            [](const v1::NoticeView& a, const v1::NoticeView& b) { return a.notice().id() > b.notice().id(); });
  return grpc::Status::OK;
}

grpc::Status AgentAdminServiceImpl::SetNoticeStatus(grpc::ServerContext*, const v1::SetNoticeStatusRequest* req,
                                                    v1::SetNoticeStatusResponse* resp) {
  if (req->status() < v1::NOTICE_STATUS_CONTACTED || req->status() > v1::NOTICE_STATUS_DEFERRED)
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "status must be contacted, referred, screening, enrolled, screen_failed, declined, "
                        "not_eligible or deferred");
  if (req->note().size() > 2000)
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "--note: at most 2000 bytes");
  v1::AgentNotice updated;
  auto seq = store_.SetNoticeStatus(req->id(), req->status(), Utf8Prefix(req->note(), 2000), &updated);
  if (!seq.ok()) return ToGrpc(seq.status());
  Reidentify(updated, resp->mutable_notice());
  resp->set_seq(*seq);
  return grpc::Status::OK;
}

}  // namespace fedreg::agent
