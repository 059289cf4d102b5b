// The agent admin service's backup RPCs (CreateBackup, ListBackups,
// VerifyBackup); restore is offline (fedregctl agent backup restore).
#include <spdlog/spdlog.h>

#include "agent/admin_service.h"
#include "common/grpc_status.h"

namespace fedreg::agent {

grpc::Status AgentAdminServiceImpl::CreateBackup(grpc::ServerContext*, const v1::CreateBackupRequest* req,
                                                 v1::CreateBackupResponse* resp) {
  if (backup_dir_.empty())
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "this agent has no backup directory");
  std::lock_guard<std::mutex> lock(backup_mu_);
  auto b = store_.CreateBackup(backup_dir_, static_cast<int>(req->keep()), site_id_);
  if (!b.ok()) return ToGrpc(b.status());
  spdlog::info("backup {} of the store taken into {} ({} files, {} bytes)", b->id, backup_dir_, b->files,
               b->size_bytes);
  ToBackupSummary(*b, resp->mutable_backup());
  resp->set_backup_dir(backup_dir_);
  auto all = ListRocksBackups(backup_dir_);
  if (all.ok()) resp->set_kept(static_cast<uint32_t>(all->size()));
  return grpc::Status::OK;
}

grpc::Status AgentAdminServiceImpl::ListBackups(grpc::ServerContext*, const v1::ListBackupsRequest*,
                                                v1::ListBackupsResponse* resp) {
  std::lock_guard<std::mutex> lock(backup_mu_);
  resp->set_backup_dir(backup_dir_);
  auto all = ListRocksBackups(backup_dir_);
  if (!all.ok() && absl::IsNotFound(all.status())) return grpc::Status::OK;
  if (!all.ok()) return ToGrpc(all.status());
  for (const auto& b : *all) ToBackupSummary(b, resp->add_backups());
  return grpc::Status::OK;
}

grpc::Status AgentAdminServiceImpl::VerifyBackup(grpc::ServerContext*, const v1::VerifyBackupRequest* req,
                                                 v1::VerifyBackupResponse* resp) {
  std::lock_guard<std::mutex> lock(backup_mu_);
  auto b = VerifyRocksBackup(backup_dir_, req->id());
  if (!b.ok()) return ToGrpc(b.status());
  ToBackupSummary(*b, resp->mutable_backup());
  resp->set_backup_dir(backup_dir_);
  return grpc::Status::OK;
}

}  // namespace fedreg::agent
