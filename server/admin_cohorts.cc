// The Admin service's cohort RPCs (admin.proto, docs/cohorts.md): cohort
// counts, the multi-site persons, and the case stream behind exports. Each
// call is audited with the criteria as the centre read them (not as the
// caller described them), and sponsors get counts only, suppressed.
#include <algorithm>

#include "absl/time/clock.h"
#include "common/grpc_status.h"
#include "common/trial_definition.h"
#include "common/utf8.h"
#include "server/admin_service.h"
#include "server/cohort_query.h"
#include "server/trial_matcher.h"

namespace fedreg::server {
namespace {

// The criteria on one line for the audit log: "all cases" when none.
std::string CriteriaForAudit(bool has, const v1::MatchNode& criteria) {
  if (!has) return "all cases";
  std::string text = DescribeMatchTree(criteria);
  std::replace(text.begin(), text.end(), '\n', ';');
  return Utf8Prefix(text, 600);
}

absl::CivilDay Today() { return absl::ToCivilDay(absl::Now(), absl::LocalTimeZone()); }

}  // namespace

grpc::Status AdminServiceImpl::Cohort(grpc::ServerContext* ctx, const v1::CohortRequest* req,
                                      v1::CohortResponse* resp) {
  Role role;
  std::string who;
  const std::string target = req->by().empty() ? "total" : "by " + Utf8Prefix(req->by(), 20);
  if (auto s = Authorize(*ctx, "Cohort", target, &who, &role); !s.ok()) return s;
  const bool sponsor = role == Role::kSponsor;
  auto result = RunCohort(store_, *req, Today(), !sponsor && req->list_cases());
  if (!result.ok()) return Done(who, "Cohort", target, ToGrpc(result.status()));
  *resp = std::move(*result);
  const int k = suppression_k();
  if (sponsor) SuppressCohort(k, req->by(), resp);
  return Done(who, "Cohort", target, grpc::Status::OK,
              CriteriaForAudit(req->has_criteria(), req->criteria()) + " -> " +
                  (resp->cases_suppressed() ? "<" + std::to_string(k) : std::to_string(resp->cases())) + " cases" +
                  (resp->case_ids_size() > 0 ? ", " + std::to_string(resp->case_ids_size()) + " case ids shown" : ""));
}

grpc::Status AdminServiceImpl::ListMultiSitePersons(grpc::ServerContext* ctx,
                                                    const v1::ListMultiSitePersonsRequest* req,
                                                    v1::ListMultiSitePersonsResponse* resp) {
  Role role;
  std::string who;
  if (auto s = Authorize(*ctx, "ListMultiSitePersons", "", &who, &role); !s.ok()) return s;
  const bool sponsor = role == Role::kSponsor;
  auto result = server::ListMultiSitePersons(store_, req->limit(), !sponsor);
  if (!result.ok()) return Done(who, "ListMultiSitePersons", "", ToGrpc(result.status()));
  *resp = std::move(*result);
  const int k = suppression_k();
  if (sponsor) SuppressMultiSitePersons(k, resp);
  return Done(who, "ListMultiSitePersons", "", grpc::Status::OK,
              (resp->persons_suppressed() ? "<" + std::to_string(k) : std::to_string(resp->persons())) + " persons" +
                  (resp->list_size() > 0 ? ", " + std::to_string(resp->list_size()) + " listed" : ""));
}

grpc::Status AdminServiceImpl::ExportCases(grpc::ServerContext* ctx, const v1::ExportCasesRequest* req,
                                           grpc::ServerWriter<v1::ExportCasesResponse>* writer) {
  Role role;
  std::string who;
  if (auto s = Authorize(*ctx, "ExportCases", "", &who, &role); !s.ok()) return s;
  const absl::CivilDay day = Today();
  constexpr int kChunk = 256;  // about 100 KB per message at a case's 400 bytes
  v1::ExportCasesResponse chunk;
  int64_t sent = 0;
  auto flush = [&]() -> absl::Status {
    if (chunk.cases_size() == 0) return absl::OkStatus();
    if (ctx->IsCancelled() || !writer->Write(chunk)) return absl::CancelledError("the client went away");
    sent += chunk.cases_size();
    chunk.clear_cases();
    return absl::OkStatus();
  };
  auto s = store_.ForEachCase("", [&](const v1::Case& c) -> absl::Status {
    if (req->has_criteria() && !MatchesCriteria(req->criteria(), c, day)) return absl::OkStatus();
    *chunk.add_cases() = c;
    return chunk.cases_size() >= kChunk ? flush() : absl::OkStatus();
  });
  if (s.ok()) s = flush();
  const std::string detail = CriteriaForAudit(req->has_criteria(), req->criteria()) + " -> " + std::to_string(sent) +
                             " cases sent";
  if (!s.ok()) return Done(who, "ExportCases", "", ToGrpc(s), detail);
  return Done(who, "ExportCases", "", grpc::Status::OK, detail);
}

}  // namespace fedreg::server
