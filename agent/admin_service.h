// The agent's local admin service (fedregctl agent ...), served only on a
// unix socket. Thin: it maps requests to the importer, the store and the
// sender. Every text it returns (statuses included) is valid UTF-8, whatever
// a file or the centre sent, so a reply never fails to parse.
// Reconcile fails (UNAVAILABLE, naming what the pass found) when the pass ran
// but its report did not reach the centre.
// Threading: gRPC's sync server calls it from its pool; every method is thread-safe.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "agent/agent_store.h"
#include "agent/importer.h"
#include "agent/notice_receiver.h"
#include "agent/sender.h"
#include "fedreg/v1/agent.grpc.pb.h"

namespace fedreg::agent {

// What data managers did with the quarantine since start (for /metrics).
struct QuarantineActions {
  std::atomic<int64_t> list{0}, show{0}, export_rows{0}, retry{0}, drop{0};
};

class AgentAdminServiceImpl final : public v1::AgentAdmin::Service {
 public:
  // `notices` (optional) reports the notice stream in Status.
  AgentAdminServiceImpl(std::string site_id, AgentStore& store, Importer& importer, Sender& sender,
                        const NoticeReceiver* notices = nullptr)
      : site_id_(std::move(site_id)), store_(store), importer_(importer), sender_(sender), notices_(notices) {}

  grpc::Status Status(grpc::ServerContext* ctx, const v1::AgentStatusRequest* req,
                      v1::AgentStatusResponse* resp) override;
  grpc::Status Import(grpc::ServerContext* ctx, const v1::ImportRequest* req, v1::ImportResponse* resp) override;
  grpc::Status Withdraw(grpc::ServerContext* ctx, const v1::WithdrawRequest* req,
                        v1::WithdrawResponse* resp) override;
  grpc::Status Rekey(grpc::ServerContext* ctx, const v1::RekeyRequest* req, v1::RekeyResponse* resp) override;
  grpc::Status Reconcile(grpc::ServerContext* ctx, const v1::AgentReconcileRequest* req,
                         v1::AgentReconcileResponse* resp) override;
  // Notices, re-identified here: agent/admin_notices.cc.
  grpc::Status ListNotices(grpc::ServerContext* ctx, const v1::ListNoticesRequest* req,
                           v1::ListNoticesResponse* resp) override;
  grpc::Status SetNoticeStatus(grpc::ServerContext* ctx, const v1::SetNoticeStatusRequest* req,
                               v1::SetNoticeStatusResponse* resp) override;
  // The quarantine: agent/admin_quarantine.cc. Identifying fields (and
  // ExportQuarantine, PERMISSION_DENIED otherwise) only for a caller that
  // presents the owner token (common/owner_token.h).
  grpc::Status ListQuarantine(grpc::ServerContext* ctx, const v1::ListQuarantineRequest* req,
                              v1::ListQuarantineResponse* resp) override;
  grpc::Status ShowQuarantine(grpc::ServerContext* ctx, const v1::ShowQuarantineRequest* req,
                              v1::QuarantineItem* resp) override;
  grpc::Status ExportQuarantine(grpc::ServerContext* ctx, const v1::ExportQuarantineRequest* req,
                                v1::ExportQuarantineResponse* resp) override;
  grpc::Status RetryQuarantine(grpc::ServerContext* ctx, const v1::RetryQuarantineRequest* req,
                               v1::RetryQuarantineResponse* resp) override;
  grpc::Status DropQuarantine(grpc::ServerContext* ctx, const v1::DropQuarantineRequest* req,
                              v1::QuarantineItem* resp) override;

  // The token this agent wrote beside its socket; "" = nobody is the owner.
  void set_owner_token(std::string token) { owner_token_ = std::move(token); }
  const QuarantineActions& quarantine_actions() const { return actions_; }
  // Backups of the store: agent/admin_backup.cc.
  grpc::Status CreateBackup(grpc::ServerContext* ctx, const v1::CreateBackupRequest* req,
                            v1::CreateBackupResponse* resp) override;
  grpc::Status ListBackups(grpc::ServerContext* ctx, const v1::ListBackupsRequest* req,
                           v1::ListBackupsResponse* resp) override;
  grpc::Status VerifyBackup(grpc::ServerContext* ctx, const v1::VerifyBackupRequest* req,
                            v1::VerifyBackupResponse* resp) override;
  // Where backups go (Default: <data dir>/backups); set before serving.
  void set_backup_dir(std::string dir) { backup_dir_ = std::move(dir); }

 private:
  const std::string site_id_;
  AgentStore& store_;
  Importer& importer_;
  Sender& sender_;
  const NoticeReceiver* notices_;
  std::string owner_token_;  // set before serving
  QuarantineActions actions_;

  bool IsOwner(const grpc::ServerContext* ctx) const;
  // An entry as shown: fields without identifiers unless `owner`; the raw row when `with_raw` (and owner).
  v1::QuarantineItem Item(uint64_t id, const v1::QuarantineEntry& entry, bool owner, bool with_raw) const;
  std::string backup_dir_;
  std::mutex backup_mu_;  // one backup call at a time (BackupEngine)

  // The record number and birth date of a notice's case ("" when the case is gone).
  void Reidentify(const v1::AgentNotice& notice, v1::NoticeView* view) const;
};

}  // namespace fedreg::agent
