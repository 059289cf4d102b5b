// The Admin service's trial RPCs (admin.proto, docs/trials.md): the centre
// reads a definition with the same reader as `fedregctl trials validate`
// (common/trial_definition.h), stores it, and shows sponsors their own
// trials only.
#include <cstdint>

#include "common/grpc_status.h"
#include "common/trial_definition.h"
#include "common/utf8.h"
#include "server/admin_service.h"
#include "server/trial_funnel.h"

namespace fedreg::server {
namespace {

// The sponsor name of a caller "sponsor/<name>"; "" for other roles.
std::string SponsorOf(const std::string& who, Role role) {
  if (role != Role::kSponsor) return "";
  size_t slash = who.find('/');
  return slash == std::string::npos ? "" : who.substr(slash + 1);
}

std::string StatusName(v1::TrialStatus s) {
  switch (s) {
    case v1::TRIAL_STATUS_OPEN: return "open";
    case v1::TRIAL_STATUS_SUSPENDED: return "suspended";
    case v1::TRIAL_STATUS_CLOSED: return "closed";
    default: return "unspecified";
  }
}

}  // namespace

grpc::Status AdminServiceImpl::PutTrial(grpc::ServerContext* ctx, const v1::PutTrialRequest* req,
                                        v1::PutTrialResponse* resp) {
  Role role;
  std::string who;
  const std::string source = Utf8Prefix(req->source().empty() ? "trial.yaml" : req->source(), 256);
  if (auto s = Authorize(*ctx, "PutTrial", source, &who, &role); !s.ok()) return s;
  if (req->mode() != v1::PutTrialRequest::MODE_ADD && req->mode() != v1::PutTrialRequest::MODE_UPDATE)
    return Done(who, "PutTrial", source,
                grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "mode must be MODE_ADD or MODE_UPDATE"));
  if (req->yaml().size() > (1 << 20))
    return Done(who, "PutTrial", source, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, source + ": larger than 1 MiB"));
  auto trial = ParseTrialDefinition(req->yaml(), source);
  if (!trial.ok()) return Done(who, "PutTrial", source, ToGrpc(trial.status()));
  auto stored = store_.PutTrial(*trial,
                                req->mode() == v1::PutTrialRequest::MODE_ADD ? CentreStore::TrialWrite::kAdd
                                                                              : CentreStore::TrialWrite::kUpdate,
                                who);
  if (!stored.ok()) return Done(who, "PutTrial", trial->trial_id(), ToGrpc(stored.status()));
  *resp->mutable_trial() = *stored;
  return Done(who, "PutTrial", trial->trial_id(), grpc::Status::OK,
              "version " + std::to_string(stored->version()) + " from " + source);
}

grpc::Status AdminServiceImpl::SetTrialStatus(grpc::ServerContext* ctx, const v1::SetTrialStatusRequest* req,
                                              v1::SetTrialStatusResponse* resp) {
  Role role;
  std::string who;
  const std::string target = Utf8Prefix(req->trial_id(), 64) + (req->arm_id().empty() ? "" : "/" + Utf8Prefix(req->arm_id(), 32));
  if (auto s = Authorize(*ctx, "SetTrialStatus", target, &who, &role); !s.ok()) return s;
  auto stored = store_.SetTrialStatus(req->trial_id(), req->arm_id(), req->status(), who);
  if (!stored.ok()) return Done(who, "SetTrialStatus", target, ToGrpc(stored.status()));
  *resp->mutable_trial() = *stored;
  return Done(who, "SetTrialStatus", target, grpc::Status::OK, StatusName(req->status()));
}

grpc::Status AdminServiceImpl::ListTrials(grpc::ServerContext* ctx, const v1::ListTrialsRequest*,
                                          v1::ListTrialsResponse* resp) {
  Role role;
  std::string who;
  if (auto s = Authorize(*ctx, "ListTrials", "", &who, &role); !s.ok()) return s;
  auto trials = store_.ListTrials();
  if (!trials.ok()) return Done(who, "ListTrials", "", ToGrpc(trials.status()));
  const std::string sponsor = SponsorOf(who, role);
  for (auto& t : *trials) {
    if (role == Role::kSponsor && t.trial().sponsor() != sponsor) continue;
    *resp->add_trials() = std::move(t);
  }
  return Done(who, "ListTrials", "", grpc::Status::OK, std::to_string(resp->trials_size()) + " trials");
}

grpc::Status AdminServiceImpl::GetTrial(grpc::ServerContext* ctx, const v1::GetTrialRequest* req,
                                        v1::GetTrialResponse* resp) {
  Role role;
  std::string who;
  const std::string target = Utf8Prefix(req->trial_id(), 64);
  if (auto s = Authorize(*ctx, "GetTrial", target, &who, &role); !s.ok()) return s;
  auto found = store_.GetTrial(req->trial_id());
  if (!found.ok()) return Done(who, "GetTrial", target, ToGrpc(found.status()));
  const std::optional<v1::StoredTrial>& t = *found;
  // Another sponsor's trial does not exist for this caller.
  if (!t.has_value() || (role == Role::kSponsor && t->trial().sponsor() != SponsorOf(who, role)))
    return Done(who, "GetTrial", target, grpc::Status(grpc::StatusCode::NOT_FOUND, "no trial " + target));
  *resp->mutable_trial() = *t;
  int64_t total = 0;
  auto matches = store_.ListMatches(req->trial_id(), "", /*include_ended=*/true, SIZE_MAX, &total);
  if (!matches.ok()) return Done(who, "GetTrial", target, ToGrpc(matches.status()));
  *resp->mutable_funnel() = BuildFunnel(*matches);
  resp->mutable_funnel()->set_rematch_running(
      store_.RematchRunning(req->trial_id(), resp->mutable_funnel()->mutable_rematch()));
  if (role == Role::kSponsor) SuppressFunnel(suppression_k(), resp->mutable_funnel());
  return Done(who, "GetTrial", target, grpc::Status::OK);
}

grpc::Status AdminServiceImpl::ListMatches(grpc::ServerContext* ctx, const v1::ListMatchesRequest* req,
                                           v1::ListMatchesResponse* resp) {
  Role role;
  std::string who;
  const std::string target = Utf8Prefix(req->trial_id(), 64) + (req->site_id().empty() ? "" : "@" + Utf8Prefix(req->site_id(), 32));
  if (auto s = Authorize(*ctx, "ListMatches", target, &who, &role); !s.ok()) return s;
  auto found = store_.GetTrial(req->trial_id());
  if (!found.ok()) return Done(who, "ListMatches", target, ToGrpc(found.status()));
  if (!found->has_value())
    return Done(who, "ListMatches", target, grpc::Status(grpc::StatusCode::NOT_FOUND, "no trial " + target));
  int64_t total = 0;
  auto matches = store_.ListMatches(req->trial_id(), req->site_id(), req->include_ended(),
                                    req->limit() == 0 ? 1000 : req->limit(), &total);
  if (!matches.ok()) return Done(who, "ListMatches", target, ToGrpc(matches.status()));
  for (auto& m : *matches) *resp->add_matches() = std::move(m);
  resp->set_total(total);
  return Done(who, "ListMatches", target, grpc::Status::OK, std::to_string(total) + " matches");
}

}  // namespace fedreg::server
