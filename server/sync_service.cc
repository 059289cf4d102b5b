#include "server/sync_service.h"

#include <spdlog/spdlog.h>

#include "common/tls.h"

namespace fedreg::server {
namespace {

grpc::Status ToGrpc(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

}  // namespace

grpc::Status SyncServiceImpl::Authenticate(const grpc::ServerContext& ctx, const std::string& claimed,
                                           std::string* site) const {
  auto id = PeerFromContext(ctx, trust_domain_);
  if (!id.ok()) return ToGrpc(id.status());
  if (id->role != Role::kSite)
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "only site certificates may sync; caller is " + std::string(RoleName(id->role)));
  if (!claimed.empty() && claimed != id->name) {
    spdlog::warn("refused: certificate of site {} sent a payload naming site {}", id->name, claimed.substr(0, 32));
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "payload names site '" + claimed.substr(0, 32) + "' but the certificate is site " + id->name);
  }
  *site = id->name;
  return grpc::Status::OK;
}

grpc::Status SyncServiceImpl::Claim(const std::string& site, const std::string& store_id, grpc::ServerContext* ctx) {
  std::unique_lock<std::mutex> lock(mu_);
  auto it = streaming_.find(site);
  if (it != streaming_.end()) {
    if (it->second.store_id != store_id)
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                          "site " + site + " already has a stream open from store " + it->second.store_id);
    spdlog::warn("site {} reconnected while its previous stream looked alive: replacing it", site);
    it->second.ctx->TryCancel();
    if (!released_.wait_for(lock, std::chrono::seconds(5), [&] { return streaming_.count(site) == 0; }))
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "previous stream of site " + site + " is still closing");
  }
  streaming_[site] = ActiveStream{store_id, ctx};
  return grpc::Status::OK;
}

void SyncServiceImpl::Release(const std::string& site, grpc::ServerContext* ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streaming_.find(site);
  if (it != streaming_.end() && it->second.ctx == ctx) streaming_.erase(it);
  released_.notify_all();
}

bool SyncServiceImpl::IsStreaming(const std::string& site_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return streaming_.count(site_id) > 0;
}

grpc::Status SyncServiceImpl::Hello(grpc::ServerContext* ctx, const v1::HelloRequest* req,
                                    v1::HelloResponse* resp) {
  std::string site;
  if (auto s = Authenticate(*ctx, req->site_id(), &site); !s.ok()) return s;
  if (req->store_id().size() != 32)
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "store_id must be 32 hex characters");
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = streaming_.find(site);
    if (it != streaming_.end() && it->second.store_id != req->store_id()) {
      spdlog::warn("Hello from a second agent for site {} (store {}) refused: store {} is streaming", site,
                   req->store_id(), it->second.store_id);
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                          "site " + site + " already has a stream open from another agent (store " +
                              it->second.store_id + ")");
    }
  }
  auto st = store_.RegisterStore(site, req->store_id());
  if (!st.ok()) {
    spdlog::warn("Hello from {} refused: {}", site, std::string(st.status().message()));
    store_.RecordError(site, std::string(st.status().message()));
    return ToGrpc(st.status());
  }
  resp->set_applied_seq(st->applied_seq());
  resp->set_store_id(st->store_id());
  resp->set_max_batch_bytes(limits_.max_batch_bytes);
  resp->set_max_batch_events(limits_.max_batch_events);
  resp->set_window(limits_.window);
  spdlog::info("Hello from {}: store {}, agent highest {}, centre applied {}", site, req->store_id(),
               req->highest_seq(), st->applied_seq());
  return grpc::Status::OK;
}

grpc::Status SyncServiceImpl::Push(grpc::ServerContext* ctx,
                                   grpc::ServerReaderWriter<v1::PushAck, v1::PushRequest>* stream) {
  std::string site;
  if (auto s = Authenticate(*ctx, "", &site); !s.ok()) return s;
  v1::PushRequest req;
  if (!stream->Read(&req)) return grpc::Status::OK;
  if (auto s = Claim(site, req.store_id(), ctx); !s.ok()) return s;
  struct Releaser {
    SyncServiceImpl* self;
    std::string site;
    grpc::ServerContext* ctx;
    ~Releaser() { self->Release(site, ctx); }
  } releaser{this, site, ctx};

  do {
    if (req.site_id() != site) {
      store_.RecordError(site, "payload named another site");
      spdlog::warn("refused: certificate of site {} pushed a batch naming site {}", site, req.site_id().substr(0, 32));
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                          "batch names site '" + req.site_id().substr(0, 32) + "' but the certificate is site " + site);
    }
    if (static_cast<uint32_t>(req.batch().events_size()) > limits_.max_batch_events ||
        req.ByteSizeLong() > limits_.max_batch_bytes)
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "batch above the limits given at Hello");
    auto applied = store_.ApplyBatch(site, req.store_id(), req.batch());
    if (!applied.ok()) {
      spdlog::warn("batch [{}..{}] from {} refused: {}", req.batch().first_seq(), req.batch().last_seq(), site,
                   std::string(applied.status().message()));
      store_.RecordError(site, std::string(applied.status().message()));
      return ToGrpc(applied.status());
    }
    v1::PushAck ack;
    ack.set_applied_seq(applied->applied_seq);
    ack.set_durable_seq(applied->applied_seq);  // the apply synced its WAL
    for (auto& r : applied->rejections) *ack.add_rejections() = std::move(r);
    if (!stream->Write(ack)) break;
  } while (stream->Read(&req));
  return grpc::Status::OK;
}

}  // namespace fedreg::server
