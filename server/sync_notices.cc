// The Sync service's notice RPCs (docs/trials.md, "Notices"): each site
// reads only its own notice log, named by its certificate, over its own
// mutually authenticated channel. The stream starts after the agent's
// cursor and sends only notices durable at the centre, so a notice the
// agent stored can never be taken back by a centre crash.
#include <spdlog/spdlog.h>

#include "common/grpc_status.h"
#include "server/sync_service.h"

namespace fedreg::server {

grpc::Status SyncServiceImpl::HandleNotices(grpc::ServerContext* ctx, const v1::NoticesRequest* req,
                                            NoticeWriter* writer) {
  std::string site;
  if (auto s = Authenticate(*ctx, req->site_id(), "Notices", &site); !s.ok()) return s;
  if (auto s = Admit(SyncRpc::kNotices, site, req->store_id()); !s.ok()) return s;
  uint64_t cursor = req->after_seq();
  // The cursor is the agent's word that it stored every notice up to it: an
  // acknowledgement, so one lost with a reset link is made good here.
  if (cursor > 0) {
    if (auto s = store_.AckNotices(site, cursor); !s.ok())
      spdlog::warn("site {} resumes notices after seq {}: {}", site, cursor, s.ToString());
  }
  while (!ctx->IsCancelled() && !stopping_) {
    auto notices = store_.WaitNotices(site, cursor, 500, std::chrono::milliseconds(500));
    if (!notices.ok()) return Refuse("site/" + site, "Notices", site, ToGrpc(notices.status()));
    for (const auto& n : *notices) {
      if (!writer->Write(n)) return grpc::Status(grpc::StatusCode::CANCELLED, "the agent went away");
      cursor = n.seq();
      ++notices_sent_;
    }
  }
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the centre is stopping: reconnect from the last notice stored");
}

grpc::Status SyncServiceImpl::AckNotices(grpc::ServerContext* ctx, const v1::AckNoticesRequest* req,
                                         v1::AckNoticesResponse*) {
  std::string site;
  if (auto s = Authenticate(*ctx, req->site_id(), "AckNotices", &site); !s.ok()) return s;
  if (auto s = Admit(SyncRpc::kAckNotices, site, req->store_id()); !s.ok()) return s;
  if (auto s = store_.AckNotices(site, req->seq()); !s.ok()) return Refuse("site/" + site, "AckNotices", site, ToGrpc(s));
  return grpc::Status::OK;
}

}  // namespace fedreg::server
