#include "agent/centre_answers.h"

#include <algorithm>
#include <ctime>
#include <limits>

#include "common/utf8.h"
#include "common/validate.h"

namespace fedreg::agent {
namespace {

std::string Seq(uint64_t seq) { return std::to_string(seq); }

}  // namespace

std::string CentreText(const std::string& text, size_t max_bytes) { return Utf8Prefix(text, max_bytes); }

PushLimits ClampPushLimits(const v1::HelloResponse& welcome, const PushLimits& ours) {
  constexpr size_t kDefaultBytes = 1 << 20, kDefaultEvents = 500, kMinBytes = 64 << 10;
  PushLimits l;
  l.window = std::max<size_t>(1, std::min<size_t>(ours.window, welcome.window() ? welcome.window() : 1));
  l.max_batch_bytes = std::min<size_t>(ours.max_batch_bytes, welcome.max_batch_bytes() ? welcome.max_batch_bytes()
                                                                                       : kDefaultBytes);
  l.max_batch_bytes = std::max(l.max_batch_bytes, std::min(kMinBytes, ours.max_batch_bytes));
  l.max_batch_events = std::min<size_t>(ours.max_batch_events, welcome.max_batch_events() ? welcome.max_batch_events()
                                                                                          : kDefaultEvents);
  l.max_batch_events = std::max<size_t>(1, l.max_batch_events);
  l.centre_max_message_bytes = welcome.max_batch_bytes() ? welcome.max_batch_bytes() : kDefaultBytes;
  if (ours.packed_codec != v1::BATCH_CODEC_UNSPECIFIED &&
      std::find(welcome.batch_codecs().begin(), welcome.batch_codecs().end(), ours.packed_codec) !=
          welcome.batch_codecs().end())
    l.packed_codec = ours.packed_codec;
  return l;
}

absl::Status CheckSnapshotStore(const v1::HelloResponse& welcome, const std::string& store_id) {
  if (!welcome.store_id().empty() && welcome.store_id() != store_id)
    return absl::InternalError("the centre answered Hello for store '" + CentreText(welcome.store_id(), 40) +
                               "' but this agent is store " + store_id + ": ignoring the answer and reconnecting");
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> CheckHello(const v1::HelloResponse& welcome, const std::string& store_id,
                                    uint64_t highest, uint64_t acked, const std::string& site_id) {
  if (auto s = CheckSnapshotStore(welcome, store_id); !s.ok()) return s;
  const uint64_t applied = welcome.applied_seq();
  if (applied > highest)
    return absl::FailedPreconditionError(
        "the centre holds seq " + Seq(applied) + " for this store but it has only " + Seq(highest) +
        ": this store lost data (nothing was trimmed); an operator must run 'fedregctl sites rebase " + site_id +
        "'");
  if (applied < acked)
    return absl::DataLossError("the centre holds seq " + Seq(applied) + " but acknowledged " + Seq(acked) +
                               " as durable: it was restored from an older backup; a snapshot is needed");
  // applied is within (acked, highest]: the centre applied (durably: Hello
  // answers with a synced state) what was sent before a crash lost its ack.
  return applied;
}

absl::Status CheckPushAck(const v1::PushAck& ack, uint64_t highest_sent, uint64_t acked, uint64_t applied_seen) {
  const uint64_t named = std::max(ack.applied_seq(), ack.durable_seq());
  if (named > highest_sent)
    return absl::InternalError("the centre acknowledged seq " + Seq(named) + " (applied " + Seq(ack.applied_seq()) +
                               ", durable " + Seq(ack.durable_seq()) + ") but only " + Seq(highest_sent) +
                               " was sent to it: ignoring the ack and reconnecting");
  const uint64_t applied = std::max(applied_seen, ack.applied_seq());
  if (ack.durable_seq() > applied)
    return absl::InternalError("the centre acknowledged seq " + Seq(ack.durable_seq()) +
                               " as durable but only " + Seq(applied) +
                               " as applied: ignoring the ack and reconnecting");
  for (const auto& r : ack.rejections()) {
    if (r.seq() <= acked || r.seq() > highest_sent || r.seq() > applied)
      return absl::InternalError("the centre rejected seq " + Seq(r.seq()) + ", outside the seqs in flight (" +
                                 Seq(acked + 1) + ".." + Seq(std::min(highest_sent, applied)) +
                                 "): ignoring the ack and reconnecting");
  }
  return absl::OkStatus();
}

std::vector<v1::QuarantineEntry> QuarantineEntriesFor(const v1::PushAck& ack) {
  std::vector<v1::QuarantineEntry> out;
  out.reserve(static_cast<size_t>(ack.rejections_size()));
  for (const auto& r : ack.rejections()) {
    v1::QuarantineEntry q;
    q.set_source("centre");
    q.set_case_id(CentreText(r.case_id(), 64));
    q.set_reason(CentreText(r.reason(), 256));
    q.set_line(static_cast<int64_t>(std::min<uint64_t>(r.seq(), std::numeric_limits<int64_t>::max())));
    q.set_at_unix(std::time(nullptr));
    out.push_back(std::move(q));
  }
  return out;
}

absl::Status CheckSnapshotAck(const v1::SnapshotAck& ack, uint64_t as_of_seq) {
  if (ack.applied_seq() != as_of_seq)
    return absl::InternalError("the centre acknowledged the snapshot at seq " + Seq(ack.applied_seq()) +
                               " but it holds the cases as of seq " + Seq(as_of_seq) +
                               ": ignoring the ack (nothing trimmed) and reconnecting");
  return absl::OkStatus();
}

absl::Status CheckCaseVersionPage(const v1::CaseVersionList& page, const std::string& site_id,
                                  const uint64_t* first_page_seq) {
  if (first_page_seq != nullptr && page.applied_seq() != *first_page_seq)
    return absl::InternalError("the centre's case list pages disagree on their seq (" + Seq(*first_page_seq) +
                               ", then " + Seq(page.applied_seq()) + ")");
  for (const auto& cv : page.cases()) {
    if (!IsValidCaseId(cv.case_id(), site_id))
      return absl::InternalError("the centre listed '" + CentreText(cv.case_id(), 40) +
                                 "', which is not a case id of site " + site_id);
    if (cv.record_version() == std::numeric_limits<uint64_t>::max())  // a re-send is sent at version + 1
      return absl::InternalError("the centre listed case " + cv.case_id() + " at version " +
                                 Seq(cv.record_version()) + ", which no case has");
  }
  return absl::OkStatus();
}

}  // namespace fedreg::agent
