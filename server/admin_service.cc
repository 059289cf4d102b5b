#include "server/admin_service.h"

#include <algorithm>
#include <map>

#include "common/grpc_status.h"
#include "common/tls.h"
#include "server/views.h"

namespace fedreg::server {
bool AdminRoleAllowed(const std::string& rpc, Role role) {
  // The one authorization table of the Admin API (shown in docs/security.md).
  static const std::map<std::string, std::vector<Role>> kTable = {
      {"ListSites", {Role::kOperator, Role::kAuditor}},
      {"GetStats", {Role::kOperator, Role::kAuditor, Role::kSponsor}},
      {"RebaseSite", {Role::kOperator}},
      {"Reconcile", {Role::kOperator, Role::kAuditor}},
      {"ListAudit", {Role::kOperator, Role::kAuditor}},
      {"VerifyAudit", {Role::kOperator, Role::kAuditor}},
      {"PutTrial", {Role::kOperator}},
      {"SetTrialStatus", {Role::kOperator}},
      {"ListTrials", {Role::kOperator, Role::kAuditor, Role::kSponsor}},
      {"GetTrial", {Role::kOperator, Role::kAuditor, Role::kSponsor}},
      {"ListMatches", {Role::kOperator, Role::kAuditor}},
      {"Cohort", {Role::kOperator, Role::kAuditor, Role::kSponsor}},
      {"ListMultiSitePersons", {Role::kOperator, Role::kAuditor, Role::kSponsor}},
      {"ExportCases", {Role::kOperator}},
      {"CreateBackup", {Role::kOperator}},
      {"ListBackups", {Role::kOperator, Role::kAuditor}},
      {"VerifyBackup", {Role::kOperator, Role::kAuditor}},
  };
  auto it = kTable.find(rpc);
  if (it == kTable.end()) return false;
  return std::find(it->second.begin(), it->second.end(), role) != it->second.end();
}

grpc::Status AdminServiceImpl::Done(const std::string& who, const char* rpc, const std::string& target,
                                    grpc::Status status, const std::string& detail) {
  store_.Audit({who, std::string("admin.") + rpc, target, std::string(StatusCodeName(status.error_code())),
                status.ok() ? detail : status.error_message()})
      .IgnoreError();
  return status;
}

grpc::Status AdminServiceImpl::Authorize(const grpc::ServerContext& ctx, const char* rpc, const std::string& target,
                                         std::string* who, Role* role) {
  auto id = caller_ ? caller_(ctx) : PeerFromContext(ctx, trust_domain_);
  if (!id.ok()) return Done("unauthenticated", rpc, target, ToGrpc(id.status()));
  *who = std::string(RoleName(id->role)) + "/" + id->name;
  *role = id->role;
  if (!AdminRoleAllowed(rpc, id->role))
    return Done(*who, rpc, target,
                grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                             std::string("role ") + std::string(RoleName(id->role)) + " may not call " + rpc));
  return grpc::Status::OK;
}

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
    std::vector<v1::Count*>& dim_cells = cells;  // a structured binding cannot be captured in C++17
    auto hide_smallest_visible = [&dim_cells] {
      v1::Count* next = nullptr;
      for (auto* c : dim_cells) {
        if (!c->suppressed() && (next == nullptr || c->count() < next->count())) next = c;
      }
      if (next != nullptr) next->set_suppressed(true);
      return next != nullptr;
    };
    // Complementary suppression: hide the smallest visible cell too.
    if (hidden == 1 && cells.size() > 1) hide_smallest_visible();
    // Where each case is in exactly one cell of the dimension (all but gene
    // and alteration), the hidden cells add up to the cases less the visible
    // ones: while that is itself a small count, hide the next smallest.
    if (dim != "gene" && dim != "alteration") {
      while (true) {
        int64_t visible = 0;
        for (const auto* c : cells)
          if (!c->suppressed()) visible += c->count();
        const int64_t rest = resp->cases() - visible;
        if (rest < 1 || rest >= k || !hide_smallest_visible()) break;
      }
    }
    for (auto* c : cells) {
      if (c->suppressed()) c->set_count(0);
    }
  }
}

grpc::Status AdminServiceImpl::ListSites(grpc::ServerContext* ctx, const v1::ListSitesRequest*,
                                         v1::ListSitesResponse* resp) {
  Role role;
  std::string who;
  if (auto s = Authorize(*ctx, "ListSites", "", &who, &role); !s.ok()) return s;
  auto sites = store_.ListSites();
  if (!sites.ok()) return Done(who, "ListSites", "", ToGrpc(sites.status()));
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
    out->set_agent_version(st.agent_version().empty() && st.last_seen_unix() > 0 ? "0.1.0" : st.agent_version());
  }
  for (int64_t us : sync_.metrics().RecentFreshnessUs()) resp->add_recent_freshness_us(us);
  return Done(who, "ListSites", "", grpc::Status::OK);
}

grpc::Status AdminServiceImpl::GetStats(grpc::ServerContext* ctx, const v1::GetStatsRequest* req,
                                        v1::GetStatsResponse* resp) {
  Role role;
  std::string who;
  if (auto s = Authorize(*ctx, "GetStats", "", &who, &role); !s.ok()) return s;
  auto views = store_.ReadViews();
  if (!views.ok()) return Done(who, "GetStats", "", ToGrpc(views.status()));
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
      return Done(who, "GetStats", "verify",
                  grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "role sponsor may not verify counters"));
    auto recomputed = store_.RecomputeViews();
    if (!recomputed.ok()) return Done(who, "GetStats", "verify", ToGrpc(recomputed.status()));
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
  if (role == Role::kSponsor) SuppressSmallCells(suppression_k(), resp);
  return Done(who, "GetStats", req->verify() ? "verify" : "",
              grpc::Status::OK, req->verify() ? (resp->verified() ? "verified" : "MISMATCH") : "");
}

}  // namespace fedreg::server

namespace fedreg::server {

grpc::Status AdminServiceImpl::RebaseSite(grpc::ServerContext* ctx, const v1::RebaseSiteRequest* req,
                                          v1::RebaseSiteResponse* resp) {
  Role role;
  std::string who;
  if (auto s = Authorize(*ctx, "RebaseSite", req->site_id(), &who, &role); !s.ok()) return s;
  auto st = store_.AllowRebase(req->site_id());
  if (!st.ok()) return Done(who, "RebaseSite", req->site_id(), ToGrpc(st.status()));
  resp->set_site_id(st->site_id());
  resp->set_store_id(st->store_id());
  return Done(who, "RebaseSite", req->site_id(), grpc::Status::OK, "was store " + st->store_id());
}

grpc::Status AdminServiceImpl::Reconcile(grpc::ServerContext* ctx, const v1::ReconcileRequest* req,
                                         v1::ReconcileResponse* resp) {
  Role role;
  std::string who;
  if (auto s = Authorize(*ctx, "Reconcile", req->site_id(), &who, &role); !s.ok()) return s;
  auto st = store_.GetSite(req->site_id());
  if (!st.ok()) return Done(who, "Reconcile", req->site_id(), ToGrpc(st.status()));
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
  auto backlogs = store_.NoticeBacklogs();
  if (!backlogs.ok()) return Done(who, "Reconcile", req->site_id(), ToGrpc(backlogs.status()));
  for (const auto& b : *backlogs) {
    if (b.site_id != st->site_id()) continue;
    resp->set_notices_made(b.made);
    resp->set_notices_stored(b.stored);
    resp->set_notices_oldest_pending_unix(b.oldest_pending_unix);
  }
  return Done(who, "Reconcile", req->site_id(), grpc::Status::OK, resp->verdict());
}

grpc::Status AdminServiceImpl::ListAudit(grpc::ServerContext* ctx, const v1::ListAuditRequest* req,
                                         v1::ListAuditResponse* resp) {
  Role role;
  std::string who;
  if (auto s = Authorize(*ctx, "ListAudit", "", &who, &role); !s.ok()) return s;
  size_t limit = req->limit() == 0 ? 50 : std::min<uint32_t>(req->limit(), 1000);
  uint64_t last = 0;
  auto entries = store_.ListAudit(req->from_seq(), limit, &last);
  if (!entries.ok()) return Done(who, "ListAudit", "", ToGrpc(entries.status()));
  for (const auto& e : *entries) {
    auto* r = resp->add_entries();
    r->set_seq(e.seq());
    r->set_at_unix_ms(e.at_unix_ms());
    r->set_who(e.who());
    r->set_action(e.action());
    r->set_target(e.target());
    r->set_outcome(e.outcome());
    r->set_detail(e.detail());
    r->set_hash(e.hash());
  }
  resp->set_last_seq(last);
  return Done(who, "ListAudit", "", grpc::Status::OK);
}

grpc::Status AdminServiceImpl::VerifyAudit(grpc::ServerContext* ctx, const v1::VerifyAuditRequest*,
                                           v1::VerifyAuditResponse* resp) {
  Role role;
  std::string who;
  if (auto s = Authorize(*ctx, "VerifyAudit", "", &who, &role); !s.ok()) return s;
  AuditVerification v = store_.VerifyAudit();
  resp->set_ok(v.ok);
  resp->set_entries(v.entries);
  resp->set_first_bad_seq(v.first_bad_seq);
  resp->set_reason(v.reason);
  resp->set_head_hash(v.head_hash);
  return Done(who, "VerifyAudit", "", grpc::Status::OK,
              v.ok ? "chain intact, " + std::to_string(v.entries) + " entries"
                   : "BROKEN at seq " + std::to_string(v.first_bad_seq) + ": " + v.reason);
}

}  // namespace fedreg::server
