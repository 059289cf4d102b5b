// The Admin service (admin.proto) for fedregctl: per-site status and the
// national view, with roles taken from the caller's certificate.
// Threading: called from gRPC's pool; stateless beyond the store.
#pragma once

#include <mutex>
#include <string>
#include <atomic>

#include "common/peer_identity.h"
#include "fedreg/v1/admin.grpc.pb.h"
#include "server/centre_store.h"
#include "server/sync_service.h"

namespace fedreg::server {

class AdminServiceImpl final : public v1::Admin::Service {
 public:
  // `caller` defaults to the certificate's SPIFFE id in `trust_domain`
  // (tests and the protocol fuzzer inject their own).
  AdminServiceImpl(CentreStore& store, SyncServiceImpl& sync, std::string trust_domain, int suppression_k = 10,
                   CallerFn caller = nullptr)
      : store_(store), sync_(sync), trust_domain_(std::move(trust_domain)), k_(suppression_k),
        caller_(std::move(caller)) {}

  // --suppression-k, changed by a SIGHUP reload (thread-safe); each call reads
  // it once, so one answer is suppressed with one k.
  void set_suppression_k(int k) { k_.store(k); }
  int suppression_k() const { return k_.load(); }

  grpc::Status ListSites(grpc::ServerContext* ctx, const v1::ListSitesRequest* req,
                         v1::ListSitesResponse* resp) override;
  grpc::Status GetStats(grpc::ServerContext* ctx, const v1::GetStatsRequest* req,
                        v1::GetStatsResponse* resp) override;
  grpc::Status RebaseSite(grpc::ServerContext* ctx, const v1::RebaseSiteRequest* req,
                          v1::RebaseSiteResponse* resp) override;
  grpc::Status Reconcile(grpc::ServerContext* ctx, const v1::ReconcileRequest* req,
                         v1::ReconcileResponse* resp) override;
  grpc::Status ListAudit(grpc::ServerContext* ctx, const v1::ListAuditRequest* req,
                         v1::ListAuditResponse* resp) override;
  grpc::Status VerifyAudit(grpc::ServerContext* ctx, const v1::VerifyAuditRequest* req,
                           v1::VerifyAuditResponse* resp) override;
  // Trials: server/admin_trials.cc.
  grpc::Status PutTrial(grpc::ServerContext* ctx, const v1::PutTrialRequest* req, v1::PutTrialResponse* resp) override;
  grpc::Status SetTrialStatus(grpc::ServerContext* ctx, const v1::SetTrialStatusRequest* req,
                              v1::SetTrialStatusResponse* resp) override;
  grpc::Status ListTrials(grpc::ServerContext* ctx, const v1::ListTrialsRequest* req,
                          v1::ListTrialsResponse* resp) override;
  grpc::Status GetTrial(grpc::ServerContext* ctx, const v1::GetTrialRequest* req, v1::GetTrialResponse* resp) override;
  grpc::Status ListMatches(grpc::ServerContext* ctx, const v1::ListMatchesRequest* req,
                           v1::ListMatchesResponse* resp) override;
  // Cohorts, multi-site persons, exports: server/admin_cohorts.cc.
  grpc::Status Cohort(grpc::ServerContext* ctx, const v1::CohortRequest* req, v1::CohortResponse* resp) override;
  grpc::Status ListMultiSitePersons(grpc::ServerContext* ctx, const v1::ListMultiSitePersonsRequest* req,
                                    v1::ListMultiSitePersonsResponse* resp) override;
  grpc::Status ExportCases(grpc::ServerContext* ctx, const v1::ExportCasesRequest* req,
                           grpc::ServerWriter<v1::ExportCasesResponse>* writer) override;
  // Backups of the store into the backup directory: server/admin_backup.cc.
  grpc::Status CreateBackup(grpc::ServerContext* ctx, const v1::CreateBackupRequest* req,
                            v1::CreateBackupResponse* resp) override;
  grpc::Status ListBackups(grpc::ServerContext* ctx, const v1::ListBackupsRequest* req,
                           v1::ListBackupsResponse* resp) override;
  grpc::Status VerifyBackup(grpc::ServerContext* ctx, const v1::VerifyBackupRequest* req,
                            v1::VerifyBackupResponse* resp) override;
  // Where backups go (the aggregator's --backup-dir); set before serving.
  // Empty: the backup RPCs are FAILED_PRECONDITION.
  void set_backup_dir(std::string dir) { backup_dir_ = std::move(dir); }

 private:
  // Checks the caller's role against the authorization table (docs/security.md).
  // A refusal is audited and returned; on success *who and *role are set.
  grpc::Status Authorize(const grpc::ServerContext& ctx, const char* rpc, const std::string& target,
                         std::string* who, Role* role);
  // Audits the outcome of an admin call and returns `status`.
  grpc::Status Done(const std::string& who, const char* rpc, const std::string& target, grpc::Status status,
                    const std::string& detail = "");

  CentreStore& store_;
  SyncServiceImpl& sync_;
  const std::string trust_domain_;
  std::atomic<int> k_;
  const CallerFn caller_;
  std::string backup_dir_;
  // One backup call at a time: a BackupEngine writing a directory must not
  // meet another one opening it.
  std::mutex backup_mu_;
};

// Small-cell suppression for sponsors: cells below k are hidden, and within
// each dimension a second cell is hidden when only one is; in a dimension
// where each case is in one cell (all but gene and alteration), cells are
// hidden, smallest first, until the hidden ones add up to 0 or at least k
// of resp->cases(), so the total cannot reveal them. Exposed for tests.
void SuppressSmallCells(int k, v1::GetStatsResponse* resp);

// The authorization table: which roles may call each Admin RPC.
bool AdminRoleAllowed(const std::string& rpc, Role role);

}  // namespace fedreg::server
