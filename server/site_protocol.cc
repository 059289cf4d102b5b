#include "server/site_protocol.h"

#include "common/utf8.h"

namespace fedreg::server {

std::string_view SyncRpcName(SyncRpc rpc) {
  switch (rpc) {
    case SyncRpc::kHello: return "Hello";
    case SyncRpc::kPush: return "Push";
    case SyncRpc::kSnapshot: return "Snapshot";
    case SyncRpc::kCaseVersions: return "CaseVersions";
    case SyncRpc::kReportReconcile: return "ReportReconcile";
    case SyncRpc::kNotices: return "Notices";
    case SyncRpc::kAckNotices: return "AckNotices";
  }
  return "?";
}

SitePhase PhaseOf(const SiteFacts& f) {
  if (!f.stored) return SitePhase::kUnknown;
  if (!f.open_call_store.empty()) return f.open_call_is_snapshot ? SitePhase::kSnapshotInProgress : SitePhase::kStreaming;
  if (f.stored->snapshot_pending()) return SitePhase::kSnapshotPending;
  if (f.stored->rebase_allowed()) return SitePhase::kRebaseAllowed;
  return SitePhase::kRegistered;
}

std::string_view SitePhaseName(SitePhase phase) {
  switch (phase) {
    case SitePhase::kUnknown: return "unknown";
    case SitePhase::kRegistered: return "registered";
    case SitePhase::kStreaming: return "streaming";
    case SitePhase::kSnapshotPending: return "snapshot pending";
    case SitePhase::kSnapshotInProgress: return "snapshot in progress";
    case SitePhase::kRebaseAllowed: return "rebase allowed";
  }
  return "?";
}

bool IsStoreId(std::string_view id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsRefusedStore(const SiteFacts& f, const std::string& store_id) {
  if (!f.stored || f.stored->store_id() == store_id) return false;
  const bool has_data = f.stored->applied_seq() > 0 || f.stored->cases() > 0;
  return has_data && !f.stored->rebase_allowed();
}

absl::Status AdmitSiteCall(SyncRpc rpc, const std::string& site, const std::string& store_id,
                           const SiteFacts& f) {
  const std::string name(SyncRpcName(rpc));
  if (!IsStoreId(store_id))
    return absl::InvalidArgumentError(name + ": store_id must be 32 lower-case hex characters, got '" +
                                      Utf8Prefix(store_id, 40) + "'");
  // One call (Push stream or Snapshot) per site at a time. The same store may
  // replace its own call (an agent reconnecting over a half-open connection).
  if (!f.open_call_store.empty() && f.open_call_store != store_id &&
      (rpc == SyncRpc::kHello || rpc == SyncRpc::kPush || rpc == SyncRpc::kSnapshot))
    return absl::AlreadyExistsError("site " + site + " already has a " +
                                    (f.open_call_is_snapshot ? "snapshot" : "stream") + " open from another agent (store " +
                                    f.open_call_store + ")");
  if (rpc == SyncRpc::kHello) return absl::OkStatus();

  if (!f.stored)
    return absl::FailedPreconditionError("site " + site + " has never said Hello to this centre: call Hello first");
  if (f.stored->store_id() != store_id)
    return absl::FailedPreconditionError("store " + store_id + " is not the store registered for site " + site +
                                         " (" + f.stored->store_id() + "): call Hello first" +
                                         (IsRefusedStore(f, store_id)
                                              ? "; Hello will refuse this store until an operator runs "
                                                "'fedregctl sites rebase " + site + "'"
                                              : ""));
  if (f.session_store != store_id)
    return absl::FailedPreconditionError("store " + store_id + " has not said Hello since the centre started: call "
                                         "Hello first");
  const bool pending = f.stored->snapshot_pending();
  switch (rpc) {
    case SyncRpc::kPush:
    case SyncRpc::kCaseVersions:
    case SyncRpc::kReportReconcile:
      if (pending)
        return absl::FailedPreconditionError("site " + site + " must send the snapshot Hello asked for before " +
                                             name + " (Snapshot with begin ... end)");
      return absl::OkStatus();
    case SyncRpc::kSnapshot:
      if (!pending)
        return absl::FailedPreconditionError("no snapshot was asked of store " + store_id + " for site " + site +
                                             ": a snapshot is sent only when Hello answers snapshot_required");
      return absl::OkStatus();
    case SyncRpc::kNotices:
    case SyncRpc::kAckNotices:
      // Notices do not depend on the site's case set: they flow during a snapshot too.
      return absl::OkStatus();
    case SyncRpc::kHello:
      break;
  }
  return absl::OkStatus();
}

}  // namespace fedreg::server
