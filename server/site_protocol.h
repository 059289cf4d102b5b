// The sync protocol as a state machine (docs/protocol.md): the states a site
// can be in at the centre, and the one admission check every Sync RPC passes
// before any stored state is used. The table in docs/protocol.md is this
// file's contract; tests/unit/site_protocol_test.cc covers each row.
//
// Pure functions over a snapshot of what the centre knows (SiteFacts); the
// store re-checks what it depends on under its own lock, so a state that
// moves between the check and the write is refused, never misapplied.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "fedreg/v1/centre.pb.h"

namespace fedreg::server {

enum class SyncRpc { kHello, kPush, kSnapshot, kCaseVersions, kReportReconcile, kNotices, kAckNotices };
std::string_view SyncRpcName(SyncRpc rpc);  // "Hello", "Push", ...

// What the centre knows of one site when a call arrives.
struct SiteFacts {
  std::optional<v1::SiteState> stored;  // nullopt: the site never said Hello (unknown)
  // Store whose last Hello since this process started was answered OK
  // (with or without a snapshot request); "" when none was.
  std::string session_store;
  // Store holding the site's one Push or Snapshot call, "" when none is open.
  std::string open_call_store;
  bool open_call_is_snapshot = false;
};

// The states of docs/protocol.md, from the facts. kRefusedStore depends on
// the store presented, so it is not a phase of the site alone: see
// IsRefusedStore.
enum class SitePhase {
  kUnknown,             // no stored state
  kRegistered,          // stored, no call open, nothing pending
  kStreaming,           // a Push stream is open
  kSnapshotPending,     // Hello asked for a snapshot; none is open yet
  kSnapshotInProgress,  // a Snapshot call is open (chunks staged)
  kRebaseAllowed,       // an operator allowed the next store to snapshot in
};
SitePhase PhaseOf(const SiteFacts& facts);
std::string_view SitePhaseName(SitePhase phase);

// True when `store_id` is not the registered store of a site that holds data
// and no rebase was allowed: its Hello is refused until an operator runs
// `fedregctl sites rebase`.
bool IsRefusedStore(const SiteFacts& facts, const std::string& store_id);

// True for 32 lower-case hex characters (the agent store's random id).
bool IsStoreId(std::string_view store_id);

// OK when `rpc` from `site`'s store `store_id` may proceed; otherwise the
// refusal: INVALID_ARGUMENT (malformed store id), FAILED_PRECONDITION (the
// call is out of order: the message says what to call first),
// ALREADY_EXISTS (another store holds the site's call). Hello's own outcome
// (register, snapshot, refuse a store that lost data or a new store) is
// decided by CentreStore::Hello once admitted.
absl::Status AdmitSiteCall(SyncRpc rpc, const std::string& site, const std::string& store_id,
                           const SiteFacts& facts);

}  // namespace fedreg::server
