// The Admin service's backup RPCs (CreateBackup, ListBackups, VerifyBackup):
// roles from the table in admin_service.cc, every call audited.
#include "common/grpc_status.h"
#include "server/admin_service.h"

namespace fedreg::server {

grpc::Status AdminServiceImpl::CreateBackup(grpc::ServerContext* ctx, const v1::CreateBackupRequest* req,
                                            v1::CreateBackupResponse* resp) {
  Role role;
  std::string who;
  if (auto s = Authorize(*ctx, "CreateBackup", backup_dir_, &who, &role); !s.ok()) return s;
  if (backup_dir_.empty())
    return Done(who, "CreateBackup", "",
                grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "this aggregator has no backup directory"));
  std::lock_guard<std::mutex> lock(backup_mu_);
  auto b = store_.CreateBackup(backup_dir_, static_cast<int>(req->keep()));
  if (!b.ok()) return Done(who, "CreateBackup", backup_dir_, ToGrpc(b.status()));
  ToBackupSummary(*b, resp->mutable_backup());
  resp->set_backup_dir(backup_dir_);
  auto all = ListRocksBackups(backup_dir_);
  if (all.ok()) resp->set_kept(static_cast<uint32_t>(all->size()));
  return Done(who, "CreateBackup", backup_dir_, grpc::Status::OK,
              "backup " + std::to_string(b->id) + ", " + std::to_string(b->files) + " files, " +
                  std::to_string(b->size_bytes) + " bytes" +
                  (req->keep() > 0 ? ", keep " + std::to_string(req->keep()) : ""));
}

grpc::Status AdminServiceImpl::ListBackups(grpc::ServerContext* ctx, const v1::ListBackupsRequest*,
                                           v1::ListBackupsResponse* resp) {
  Role role;
  std::string who;
  if (auto s = Authorize(*ctx, "ListBackups", backup_dir_, &who, &role); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(backup_mu_);
  resp->set_backup_dir(backup_dir_);
  auto all = ListRocksBackups(backup_dir_);
  if (!all.ok() && absl::IsNotFound(all.status())) return Done(who, "ListBackups", backup_dir_, grpc::Status::OK, "none");
  if (!all.ok()) return Done(who, "ListBackups", backup_dir_, ToGrpc(all.status()));
  for (const auto& b : *all) ToBackupSummary(b, resp->add_backups());
  return Done(who, "ListBackups", backup_dir_, grpc::Status::OK, std::to_string(all->size()) + " backups");
}

grpc::Status AdminServiceImpl::VerifyBackup(grpc::ServerContext* ctx, const v1::VerifyBackupRequest* req,
                                            v1::VerifyBackupResponse* resp) {
  Role role;
  std::string who;
  const std::string target = "backup " + (req->id() == 0 ? std::string("newest") : std::to_string(req->id()));
  if (auto s = Authorize(*ctx, "VerifyBackup", target, &who, &role); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(backup_mu_);
  auto b = VerifyRocksBackup(backup_dir_, req->id());
  if (!b.ok()) return Done(who, "VerifyBackup", target, ToGrpc(b.status()));
  ToBackupSummary(*b, resp->mutable_backup());
  resp->set_backup_dir(backup_dir_);
  return Done(who, "VerifyBackup", target, grpc::Status::OK,
              "backup " + std::to_string(b->id) + " verified, " + std::to_string(b->files) + " files");
}

}  // namespace fedreg::server
