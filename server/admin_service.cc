#include "server/admin_service.h"

#include <algorithm>
#include <map>

#include "common/tls.h"
#include "server/views.h"

namespace fedreg::server {
namespace {

grpc::Status ToGrpc(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

// The authorization table (docs/security.md): which roles may call what.
grpc::Status Authorize(const grpc::ServerContext& ctx, const std::string& trust_domain,
                       std::initializer_list<Role> allowed, const char* rpc, Role* role) {
  auto id = PeerFromContext(ctx, trust_domain);
  if (!id.ok()) return ToGrpc(id.status());
  for (Role r : allowed) {
    if (r == id->role) {
      *role = r;
      return grpc::Status::OK;
    }
  }
  return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                      std::string("role ") + std::string(RoleName(id->role)) + " may not call " + rpc);
}

}  // namespace

void SuppressSmallCells(int k, v1::GetStatsResponse* resp) {
  resp->set_suppression_k(k);
  std::map<std::string, std::vector<v1::Count*>> by_dim;
  for (auto& c : *resp->mutable_counts()) by_dim[c.dimension()].push_back(&c);
  for (auto& [dim, cells] : by_dim) {
    int hidden = 0;
    for (auto* c : cells) {
      if (c->count() < k) {
        c->set_suppressed(true);
        ++hidden;
      }
    }
    if (hidden == 1 && cells.size() > 1) {
      // Complementary suppression: hide the smallest visible cell too.
      v1::Count* next = nullptr;
      for (auto* c : cells) {
        if (!c->suppressed() && (next == nullptr || c->count() < next->count())) next = c;
      }
      if (next != nullptr) next->set_suppressed(true);
    }
    for (auto* c : cells) {
      if (c->suppressed()) c->set_count(0);
    }
  }
}

grpc::Status AdminServiceImpl::ListSites(grpc::ServerContext* ctx, const v1::ListSitesRequest*,
                                         v1::ListSitesResponse* resp) {
  Role role;
  if (auto s = Authorize(*ctx, trust_domain_, {Role::kOperator, Role::kAuditor}, "ListSites", &role); !s.ok())
    return s;
  auto sites = store_.ListSites();
  if (!sites.ok()) return ToGrpc(sites.status());
  for (const auto& st : *sites) {
    v1::SiteStatus* out = resp->add_sites();
    out->set_site_id(st.site_id());
    out->set_store_id(st.store_id());
    out->set_applied_seq(st.applied_seq());
    out->set_cases(st.cases());
    out->set_last_seen_unix(st.last_seen_unix());
    out->set_last_error(st.last_error());
    out->set_batches(st.batches());
    out->set_rejected(st.rejected());
    out->set_connected(sync_.IsStreaming(st.site_id()));
  }
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::GetStats(grpc::ServerContext* ctx, const v1::GetStatsRequest* req,
                                        v1::GetStatsResponse* resp) {
  Role role;
  if (auto s = Authorize(*ctx, trust_domain_, {Role::kOperator, Role::kAuditor, Role::kSponsor}, "GetStats", &role);
      !s.ok())
    return s;
  auto views = store_.ReadViews();
  if (!views.ok()) return ToGrpc(views.status());
  for (const auto& [key, count] : *views) {
    auto sep = key.find(kViewSep);
    std::string dim = key.substr(0, sep), value = key.substr(sep + 1);
    if (dim == "cases") {
      resp->set_cases(count);
    } else if (dim == "persons") {
      resp->set_unique_persons(count);
    } else {
      v1::Count* c = resp->add_counts();
      c->set_dimension(dim);
      c->set_value(value);
      c->set_count(count);
    }
  }
  if (req->verify()) {
    if (role == Role::kSponsor)
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "role sponsor may not verify counters");
    auto recomputed = store_.RecomputeViews();
    if (!recomputed.ok()) return ToGrpc(recomputed.status());
    std::map<std::string, std::pair<int64_t, int64_t>> diff;
    for (const auto& [k, v] : *views) diff[k].first = v;
    for (const auto& [k, v] : *recomputed) diff[k].second = v;
    for (const auto& [k, pair] : diff) {
      if (pair.first != pair.second) {
        std::string shown = k;
        std::replace(shown.begin(), shown.end(), kViewSep, '/');
        resp->add_mismatches(shown + ": stored " + std::to_string(pair.first) + ", recomputed " +
                             std::to_string(pair.second));
      }
    }
    resp->set_verified(resp->mismatches_size() == 0);
  }
  if (role == Role::kSponsor) SuppressSmallCells(k_, resp);
  return grpc::Status::OK;
}

}  // namespace fedreg::server

namespace fedreg::server {

grpc::Status AdminServiceImpl::RebaseSite(grpc::ServerContext* ctx, const v1::RebaseSiteRequest* req,
                                          v1::RebaseSiteResponse* resp) {
  Role role;
  if (auto s = Authorize(*ctx, trust_domain_, {Role::kOperator}, "RebaseSite", &role); !s.ok()) return s;
  auto st = store_.AllowRebase(req->site_id());
  if (!st.ok()) return ToGrpc(st.status());
  resp->set_site_id(st->site_id());
  resp->set_store_id(st->store_id());
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::Reconcile(grpc::ServerContext* ctx, const v1::ReconcileRequest* req,
                                         v1::ReconcileResponse* resp) {
  Role role;
  if (auto s = Authorize(*ctx, trust_domain_, {Role::kOperator, Role::kAuditor}, "Reconcile", &role); !s.ok())
    return s;
  auto st = store_.GetSite(req->site_id());
  if (!st.ok()) return ToGrpc(st.status());
  resp->set_site_id(st->site_id());
  resp->set_applied_seq(st->applied_seq());
  resp->set_centre_cases(st->cases());
  resp->set_centre_digest(st->digest());
  if (st->has_last_reconcile()) {
    const auto& r = st->last_reconcile();
    resp->set_has_report(true);
    resp->set_report_as_of_seq(r.as_of_seq());
    resp->set_agent_cases(r.agent_cases());
    resp->set_agent_digest(r.agent_digest());
    resp->set_report_unix(st->last_reconcile_unix());
    for (const auto& id : r.differing_case_ids()) resp->add_differing_case_ids(id);
    resp->set_differing(r.differing());
    resp->set_resent(r.resent());
    resp->set_tombstoned(r.tombstoned());
    if (r.as_of_seq() != st->applied_seq()) resp->set_verdict("stale");
    else if (r.agent_digest() == st->digest() && r.agent_cases() == st->cases()) resp->set_verdict("clean");
    else resp->set_verdict("differs");
  } else {
    resp->set_verdict("stale");
  }
  return grpc::Status::OK;
}

}  // namespace fedreg::server
