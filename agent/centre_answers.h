// Checks on what the centre answers, before the agent acts on it. The centre
// is trusted with the data it is sent, not with the agent's outbox: an answer
// that names seqs this agent never sent, a snapshot seq other than the one
// sent, limits of 0 or 2^32, or text that is not UTF-8 must not trim the
// outbox, wedge the sender or break a status reply. Each check returns OK or
// an error that says what the centre said and what the agent does about it;
// the sender ends the session on an error, trims nothing, and reconnects.
//
// Pure functions: no state, any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fedreg/v1/agent.pb.h"
#include "fedreg/v1/sync.pb.h"

namespace fedreg::agent {

// Batch limits for one Push stream.
struct PushLimits {
  size_t window = 1;            // batches in flight
  size_t max_batch_bytes = 0;
  size_t max_batch_events = 0;
  // The size above which the centre refuses a Push message outright (its
  // own limit, not lowered to ours): a single change above it can never be
  // sent and is parked (sender.cc).
  size_t centre_max_message_bytes = 0;
  // Batches are sent packed in this codec (PushRequest.packed_batch), or as
  // PushRequest.batch when UNSPECIFIED: ours, kept only if the centre's
  // Hello offers it (a centre before 0.4.0 offers none).
  v1::BatchCodec packed_codec = v1::BATCH_CODEC_UNSPECIFIED;
};

// The agent's own limits lowered to the centre's. A centre value of 0 (unset)
// keeps a conservative default (1 batch, 1 MiB, 500 events); a huge one
// leaves ours. Never below 1 batch, 1 event and 64 KiB (a batch holds at
// least one event whatever the limit, so a lower byte limit would only make
// the centre refuse every batch).
PushLimits ClampPushLimits(const v1::HelloResponse& welcome, const PushLimits& ours);

// The outcome of Hello for a store at `highest` whose outbox is acknowledged
// up to `acked`: the seq to acknowledge now (the centre applied, durably,
// what was sent before a lost ack), which is `acked` when nothing is to trim.
// FAILED_PRECONDITION when the centre holds more than the store ever had (the
// store lost data: an operator must rebase `site_id`); DATA_LOSS when it holds
// less than it acknowledged (restored from a backup: it should ask for a
// snapshot); INTERNAL when it answers for another store. Not called when the
// answer asks for a snapshot (CheckSnapshotStore is).
absl::StatusOr<uint64_t> CheckHello(const v1::HelloResponse& welcome, const std::string& store_id,
                                    uint64_t highest, uint64_t acked, const std::string& site_id);

// INTERNAL when a Hello asking for a snapshot names another store.
absl::Status CheckSnapshotStore(const v1::HelloResponse& welcome, const std::string& store_id);

// One PushAck, when seqs up to `highest_sent` (0 = none) have been sent to the
// centre, the outbox is acknowledged up to `acked` and this stream has seen
// applied acks up to `applied_seen`. INTERNAL, to trim nothing, when the ack
// (or a rejection in it) names a seq above what was sent, when durable
// exceeds applied, or when a rejection names a seq at or below `acked`. Acks
// that go backwards are allowed (sync.proto: take the max).
absl::Status CheckPushAck(const v1::PushAck& ack, uint64_t highest_sent, uint64_t acked, uint64_t applied_seen);

// The quarantine entries for an ack's rejections (already checked), with the
// centre's text made valid UTF-8 and bounded.
std::vector<v1::QuarantineEntry> QuarantineEntriesFor(const v1::PushAck& ack);

// INTERNAL unless the centre acknowledged exactly the snapshot's seq.
absl::Status CheckSnapshotAck(const v1::SnapshotAck& ack, uint64_t as_of_seq);

// One page of the centre's case list for reconciliation, for `site_id`:
// INTERNAL when a case id is not one of the site's, a version is the largest
// value (a re-send goes at the centre's version + 1), or pages disagree on their seq (`first_page_seq`, nullptr on
// the first page).
absl::Status CheckCaseVersionPage(const v1::CaseVersionList& page, const std::string& site_id,
                                  const uint64_t* first_page_seq);

// Text from the centre (a status message, a reason) made safe to store and
// show: valid UTF-8, at most `max_bytes`.
std::string CentreText(const std::string& text, size_t max_bytes = 512);

}  // namespace fedreg::agent
