#include "agent/sender.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <optional>
#include <random>

#include "common/digest.h"
#include "common/grpc_status.h"
#include "common/rocks_util.h"
#include "common/thread_name.h"
#include "common/utf8.h"
#include "common/version.h"
#include "fedreg/v1/sync.grpc.pb.h"

namespace fedreg::agent {

namespace {

using Clock = std::chrono::steady_clock;

// SIGTERM's bound is 5 s (docs/operations.md, "Signals"): at most this long
// for the acknowledgements of batches in flight, the rest for closing the
// notice stream, the admin socket and the store.
constexpr std::chrono::milliseconds kStopDrain{2500};

// Why the centre's side of a Push stream ended, said for an operator.
absl::Status PushEnded(const grpc::Status& fin, int keepalive_timeout_ms) {
  if (fin.ok()) return absl::UnavailableError("the centre closed the Push stream; reconnecting");
  const std::string message = CentreText(fin.error_message(), 300);
  if (fin.error_code() == grpc::StatusCode::UNAVAILABLE && message.find("keepalive") != std::string::npos)
    return absl::UnavailableError("no answer from the centre to a keepalive ping within " +
                                  std::to_string(keepalive_timeout_ms) +
                                  " ms: the link or the centre is down (Push: " + message + ")");
  return absl::Status(static_cast<absl::StatusCode>(fin.error_code()), "Push: " + message);
}

}  // namespace

Sender::Sender(AgentStore& store, SenderOptions options)
    : store_(store), options_(std::move(options)), reconcile_interval_s_(options_.reconcile_interval_s) {}

Sender::~Sender() { Stop(); }

absl::Status Sender::Start() {
  auto creds = MakeChannelCredentials(options_.tls);
  if (!creds.ok()) return creds.status();
  CentreChannelOptions co;
  co.server = options_.server;
  co.connect_timeout_ms = options_.connect_timeout_ms;
  co.keepalive_time_ms = options_.keepalive_time_ms;
  co.keepalive_timeout_ms = options_.keepalive_timeout_ms;
  co.backoff_max_ms = options_.backoff_max_ms;
  co.gzip = options_.compression != SenderOptions::Compression::kNone;
  co.max_send_message_bytes = static_cast<int>(options_.max_batch_bytes) * 2 + (1 << 16);
  link_ = std::make_unique<CentreChannel>(co, *creds);
  thread_ = std::thread([this] {
    NameThisThread("fedreg-send");
    SkipRocksPerfCounters();  // reads the outbox in bulk
    Run();
  });
  return absl::OkStatus();
}

void Sender::Stop() {
  stop_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (hello_ctx_ != nullptr) hello_ctx_->TryCancel();
  }
  store_.Wake();
  if (thread_.joinable()) thread_.join();
}

SenderStatus Sender::Status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

std::shared_ptr<grpc::Channel> Sender::SessionChannel() const {
  std::lock_guard<std::mutex> lock(mu_);
  return session_channel_;
}

void Sender::SetError(const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  status_.connected = false;
  session_channel_.reset();
  status_.last_error = CentreText(error, 1024);
}

void Sender::Run() {
  std::mt19937_64 rng(std::random_device{}());
  int attempt = 0;
  while (!stop_) {
    uint64_t acked_before = store_.acked_seq();
    absl::Status s = Session();
    if (stop_) break;
    if (!s.ok()) {
      SetError(s.ToString());
      spdlog::warn("sync session ended: {}", Status().last_error);
      link_->Renew();
    } else {
      std::lock_guard<std::mutex> lock(mu_);
      status_.connected = false;  // a snapshot was sent: the next session says Hello again
      session_channel_.reset();
    }
    attempt = store_.acked_seq() > acked_before ? 0 : std::min(attempt + 1, 20);
    // Exponential backoff with full jitter: sleep uniformly in [0, min(cap, base * 2^attempt)].
    int64_t ceiling = std::min<int64_t>(options_.backoff_max_ms,
                                        static_cast<int64_t>(options_.backoff_initial_ms) << std::min(attempt, 16));
    int64_t sleep_ms = static_cast<int64_t>(rng() % static_cast<uint64_t>(ceiling + 1));
    auto until = Clock::now() + std::chrono::milliseconds(sleep_ms);
    while (!stop_ && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

absl::Status Sender::Session() {
  // The connection first, with its own timeout: Hello's deadline is then only
  // the call's, and a failure says which phase is slow.
  if (auto s = link_->Connect(stop_); !s.ok()) return s;
  auto stub = v1::Sync::NewStub(link_->channel());
  v1::HelloRequest hello;
  hello.set_site_id(options_.site_id);
  hello.set_store_id(store_.store_id());
  hello.set_schema_version(AgentStore::kSchemaVersion);
  hello.set_software_version(FedregVersion());
  hello.set_highest_seq(store_.highest_seq());
  hello.set_acked_seq(store_.acked_seq());
  hello.set_notice_cursor(store_.notice_cursor());
  v1::HelloResponse welcome;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(options_.call_deadline_ms));
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return absl::CancelledError("stopping");
      hello_ctx_ = &ctx;
    }
    auto s = stub->Hello(&ctx, hello, &welcome);
    {
      std::lock_guard<std::mutex> lock(mu_);
      hello_ctx_ = nullptr;
    }
    if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)
      return absl::DeadlineExceededError("no answer to Hello within " + std::to_string(options_.call_deadline_ms) +
                                         " ms (connected in " + std::to_string(link_->last_connect_ms()) +
                                         " ms): a very slow link or a busy centre");
    if (!s.ok()) return FromGrpc(s, "Hello");
  }
  if (welcome.snapshot_required()) {
    if (auto s = CheckSnapshotStore(welcome, store_.store_id()); !s.ok()) return s;
    spdlog::warn("the centre asks for a snapshot of this site's cases (centre applied {}, agent highest {})",
                 welcome.applied_seq(), store_.highest_seq());
    if (auto s = SendSnapshot(stub.get()); !s.ok()) return s;
    return absl::OkStatus();  // a new session starts from the snapshot's seq
  }
  const uint64_t highest = store_.highest_seq();
  auto trim_to = CheckHello(welcome, store_.store_id(), highest, store_.acked_seq(), options_.site_id);
  if (!trim_to.ok()) return trim_to.status();
  if (*trim_to > store_.acked_seq()) {
    // The centre applied (durably) what we sent before a crash lost its ack.
    if (auto s = store_.Acknowledge(*trim_to, {}); !s.ok()) return s;
  }
  const uint64_t applied = welcome.applied_seq();
  {
    std::lock_guard<std::mutex> lock(mu_);
    status_.connected = true;
    status_.last_error.clear();
    status_.centre_applied_seq = applied;
    session_channel_ = link_->channel();
  }
  const std::string centre_release =
      welcome.software_version().empty() ? "0.1.0" : Utf8Prefix(welcome.software_version(), 32);
  spdlog::info("connected to {} in {} ms: centre applied seq {}, agent highest {}, centre release {}",
               options_.server, link_->last_connect_ms(), applied, highest, centre_release);
  if (ReleaseOlder(centre_release, FedregVersion()))
    spdlog::warn("the centre runs fedreg {}, older than this agent's {}: syncing goes on (one minor release apart "
                 "is supported), but upgrade the centre first next time (docs/site-operations.md, \"Upgrades\")",
                 centre_release, FedregVersion());
  PushLimits ours{static_cast<size_t>(std::max(1, options_.window)), options_.max_batch_bytes,
                  options_.max_batch_events};
  if (options_.compression == SenderOptions::Compression::kZstd) ours.packed_codec = v1::BATCH_CODEC_ZSTD;
  return Push(stub.get(), ClampPushLimits(welcome, ours));
}

absl::Status Sender::Push(void* raw_stub, const PushLimits& limits) {
  auto* stub = static_cast<v1::Sync::Stub*>(raw_stub);
  grpc::ClientContext ctx;
  // Packed batches are compressed already: gRPC's gzip would only cost CPU.
  if (limits.packed_codec != v1::BATCH_CODEC_UNSPECIFIED) ctx.set_compression_algorithm(GRPC_COMPRESS_NONE);
  BatchPacker packer;
  auto stream = stub->Push(&ctx);

  // Shared by this (the writer) thread, the reader and the watchdog.
  std::mutex m;
  std::condition_variable cv;
  std::deque<uint64_t> in_flight;  // last seq of each unacknowledged batch
  uint64_t acks = 0;               // acknowledgements received on this stream
  bool broken = false;             // the stream is over: stop writing
  bool done = false;               // the writer is finished: the watchdog may go
  absl::Status stream_error;       // the reader's or the watchdog's reason, first one wins
  auto fail = [&](absl::Status s) {  // REQUIRES: m held
    if (stream_error.ok()) stream_error = std::move(s);
    broken = true;
    ctx.TryCancel();  // also frees a Write blocked by a centre that stopped reading
    cv.notify_all();
  };

  std::thread reader([&] {
    NameThisThread("fedreg-acks");
    v1::PushAck ack;
    uint64_t applied_seen = 0;
    bool warned_backwards = false;
    while (stream->Read(&ack)) {
      absl::Status s = CheckPushAck(ack, sent_watermark_.load(), store_.acked_seq(), applied_seen);
      if (s.ok()) {
        std::vector<v1::QuarantineEntry> rejected = QuarantineEntriesFor(ack);
        for (const auto& q : rejected)
          spdlog::warn("centre rejected {} (seq {}): {}", q.case_id(), q.line(), q.reason());
        // The outbox is trimmed only up to what the centre holds as durable.
        if (!rejected.empty() || ack.durable_seq() > store_.acked_seq())
          s = store_.Acknowledge(ack.durable_seq(), rejected);
      }
      std::lock_guard<std::mutex> lock(m);
      if (!s.ok()) {
        fail(s);
        break;
      }
      if (ack.applied_seq() < applied_seen && !warned_backwards) {
        warned_backwards = true;
        spdlog::warn("the centre's acknowledgements went backwards (applied {} after {}): keeping the highest",
                     ack.applied_seq(), applied_seen);
      }
      // The window moves on "applied" (acks may cross: keep the max).
      applied_seen = std::max(applied_seen, ack.applied_seq());
      while (!in_flight.empty() && in_flight.front() <= applied_seen) in_flight.pop_front();
      ++acks;
      {
        std::lock_guard<std::mutex> slock(mu_);
        status_.centre_applied_seq = std::max(status_.centre_applied_seq, applied_seen);
      }
      cv.notify_all();
      store_.Wake();
    }
    std::lock_guard<std::mutex> lock(m);
    broken = true;
    cv.notify_all();
    store_.Wake();
  });

  // A stalled or blackholed connection, or a centre that stops reading, shows
  // as batches in flight with no ack: the stream ends after ack_timeout_ms
  // (an idle stream is watched by keepalive). A thread of its own, because
  // the writer may be blocked in Write by flow control.
  // On stop it also ends the stream once the drain's time is up, so a Write
  // blocked by a dead link cannot hold the agent past SIGTERM's bound.
  std::thread watchdog([&] {
    NameThisThread("fedreg-watchdog");
    std::unique_lock<std::mutex> lock(m);
    auto last_progress = Clock::now();
    std::optional<Clock::time_point> stop_seen;
    uint64_t acks_seen = acks;
    while (!done && !broken) {
      cv.wait_for(lock, std::chrono::milliseconds(100));
      const auto now = Clock::now();
      if (stop_ && !stop_seen) stop_seen = now;
      if (stop_seen && now - *stop_seen > kStopDrain) {
        fail(absl::CancelledError("stopping"));
        break;
      }
      if (in_flight.empty() || acks != acks_seen) last_progress = now;
      acks_seen = acks;
      if (!in_flight.empty() && now - last_progress > std::chrono::milliseconds(options_.ack_timeout_ms)) {
        fail(absl::DeadlineExceededError("no acknowledgement from the centre for " +
                                         std::to_string(options_.ack_timeout_ms) + " ms with " +
                                         std::to_string(in_flight.size()) + " batches in flight"));
      }
    }
  });

  uint64_t next = store_.acked_seq() + 1;
  absl::Status writer_error;
  auto last_reconcile = Clock::now();
  while (!stop_) {
    {
      std::unique_lock<std::mutex> lock(m);
      if (broken) break;
      if (in_flight.size() >= limits.window) {
        cv.wait_for(lock, std::chrono::milliseconds(200));
        continue;
      }
    }
    v1::PushRequest req;
    auto read = NextBatch(limits, next, packer, &req);
    if (!read.ok()) {
      writer_error = read.status();
      break;
    }
    if (*read == 0) {
      bool idle;
      {
        std::lock_guard<std::mutex> lock(m);
        idle = in_flight.empty();
      }
      bool asked;
      {
        std::lock_guard<std::mutex> lock(mu_);
        asked = reconcile_requests_ > 0;
      }
      auto now = Clock::now();
      const int interval_s = reconcile_interval_s_.load();
      bool due = interval_s > 0 && now - last_reconcile > std::chrono::seconds(interval_s);
      if (idle && (asked || due) && store_.acked_seq() == store_.highest_seq()) {
        auto r = Reconcile(stub);
        last_reconcile = now;
        if (!r.ok() && (absl::IsUnavailable(r.status()) || absl::IsDeadlineExceeded(r.status()))) {
          // The connection died under the reconciliation: a request stays
          // pending and runs in the next session, on a new connection.
          writer_error = r.status();
          break;
        }
        if (!r.ok() && absl::IsFailedPrecondition(r.status())) {
          // The centre is not at our seq yet: try again shortly.
          last_reconcile = now - std::chrono::seconds(std::max(0, interval_s - 1));
          if (asked) {
            store_.WaitForWork(next - 1, 500);
            continue;
          }
        }
        std::lock_guard<std::mutex> lock(mu_);
        last_reconcile_ = r;
        ++reconcile_epoch_;
        reconcile_requests_ = 0;
        reconciled_.notify_all();
        continue;
      }
      store_.WaitForWork(next - 1, 200);
      continue;
    }
    req.set_site_id(options_.site_id);
    req.set_store_id(store_.store_id());
    const uint64_t last = *read;
    {
      std::lock_guard<std::mutex> lock(m);
      in_flight.push_back(last);
    }
    // Before Write: the ack may come first.
    if (last > sent_watermark_.load()) sent_watermark_ = last;
    if (!stream->Write(req)) break;
    next = last + 1;
  }
  if (stop_) {
    // Drain: give in-flight batches a moment to be acknowledged.
    std::unique_lock<std::mutex> lock(m);
    cv.wait_for(lock, kStopDrain,
                [&] { return broken || (in_flight.empty() && store_.acked_seq() + 1 >= next); });
  }
  {
    // WritesDone waits for flow control: not into a stream given up.
    std::lock_guard<std::mutex> lock(m);
    if (!broken) stream->WritesDone();
  }
  // The reader may still be blocked in Read when we stop on our own; cancel
  // then. Otherwise the stream already ended and Finish carries the centre's status.
  if (stop_ || !writer_error.ok()) ctx.TryCancel();
  reader.join();
  {
    std::lock_guard<std::mutex> lock(m);
    done = true;
    cv.notify_all();
  }
  watchdog.join();
  grpc::Status fin = stream->Finish();
  if (!writer_error.ok()) return writer_error;
  if (!stream_error.ok()) return stream_error;
  if (stop_) return absl::OkStatus();
  return PushEnded(fin, options_.keepalive_timeout_ms);
}

}  // namespace fedreg::agent

namespace fedreg::agent {

absl::StatusOr<uint64_t> Sender::NextBatch(const PushLimits& limits, uint64_t next, BatchPacker& packer,
                                           v1::PushRequest* req) {
  const size_t envelope = options_.site_id.size() + store_.store_id().size() + 16;
  if (limits.packed_codec != v1::BATCH_CODEC_UNSPECIFIED) {
    if (auto s = store_.ReadOutboxBytes(next, limits.max_batch_events, limits.max_batch_bytes, &outbox_bytes_);
        !s.ok())
      return s;
    if (outbox_bytes_.events == 0) return 0;
    // A lone change above the centre's limit goes the parsed way, where it is parked.
    if (outbox_bytes_.events > 1 || outbox_bytes_.batch.size() + envelope <= limits.centre_max_message_bytes) {
      if (auto s = packer.Pack(outbox_bytes_.batch, req->mutable_packed_batch()); !s.ok()) return s;
      req->set_codec(limits.packed_codec);
      return outbox_bytes_.last_seq;
    }
  }
  v1::Batch* batch = req->mutable_batch();
  if (auto s = store_.ReadOutbox(next, limits.max_batch_events, limits.max_batch_bytes, batch); !s.ok()) return s;
  if (auto s = ParkIfUnsendable(limits, batch); !s.ok()) return s;
  return batch->events_size() == 0 ? 0 : batch->last_seq();
}

absl::Status Sender::ParkIfUnsendable(const PushLimits& limits, v1::Batch* batch) {
  // ReadOutbox returns a change larger than the batch limit alone in its
  // batch; the centre would refuse that message every time, and the site's
  // sync would stop behind it for good.
  if (batch->events_size() != 1) return absl::OkStatus();
  const size_t bytes = batch->ByteSizeLong() + options_.site_id.size() + store_.store_id().size() + 16;
  if (bytes <= limits.centre_max_message_bytes) return absl::OkStatus();
  v1::ChangeEvent& ev = *batch->mutable_events(0);
  v1::QuarantineEntry q;
  q.set_source("sender");
  q.set_case_id(ev.case_id());
  q.set_line(static_cast<int64_t>(ev.seq()));
  q.set_field("change");
  q.set_reason("change seq " + std::to_string(ev.seq()) + " of case " + ev.case_id() + " is " +
               std::to_string(bytes) + " bytes, above the centre's limit of " +
               std::to_string(limits.centre_max_message_bytes) +
               " bytes per batch: it was parked here and not sent, and the rest of the outbox flows on. "
               "Reduce the case (fewer alterations) and import it again");
  q.set_at_unix(std::time(nullptr));
  // Recorded before the stub is sent: the quarantine says why the centre
  // never got this change. (Sent again after a reconnect, it is recorded again.)
  if (auto s = store_.Commit({}, {q}); !s.ok()) return s;
  spdlog::error("{}", q.reason());
  v1::ChangeEvent stub;
  stub.set_seq(ev.seq());
  stub.set_kind(v1::CHANGE_KIND_PARKED);
  stub.set_case_id(ev.case_id());
  stub.set_record_version(ev.record_version());
  stub.set_committed_unix_us(ev.committed_unix_us());
  ev = std::move(stub);
  return absl::OkStatus();
}

absl::StatusOr<ReconcileResult> Sender::ReconcileNow(int timeout_s) {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t epoch = reconcile_epoch_;
  ++reconcile_requests_;
  lock.unlock();
  store_.Wake();
  lock.lock();
  if (!reconciled_.wait_for(lock, std::chrono::seconds(timeout_s), [&] { return reconcile_epoch_ != epoch; }))
    return absl::UnavailableError("no reconciliation within " + std::to_string(timeout_s) +
                                  " s: is the centre reachable and the backlog drained?");
  return last_reconcile_;
}

absl::Status Sender::SendSnapshot(void* raw_stub) {
  auto* stub = static_cast<v1::Sync::Stub*>(raw_stub);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(30));
  v1::SnapshotAck ack;
  auto writer = stub->Snapshot(&ctx, &ack);
  v1::SnapshotChunk chunk;
  uint64_t as_of = 0;
  bool first = true, broken = false;
  int64_t sent = 0;
  auto flush = [&](bool end) {
    if (broken) return;
    chunk.set_site_id(options_.site_id);
    chunk.set_store_id(store_.store_id());
    chunk.set_begin(first);
    chunk.set_end(end);
    first = false;
    if (!writer->Write(chunk)) broken = true;
    chunk.clear_cases();
  };
  // Chunks stream out while the scan runs: memory stays at one chunk
  // whatever the site's size. ScanCases sets as_of before the first case.
  auto s = store_.ScanCases(
      [&](const v1::Case& c) {
        chunk.set_as_of_seq(as_of);
        *chunk.add_cases() = c;
        ++sent;
        if (static_cast<size_t>(chunk.cases_size()) >= options_.snapshot_chunk_cases) flush(false);
      },
      &as_of);
  if (!s.ok()) {
    ctx.TryCancel();
    writer->Finish();
    return s;  // the centre never saw an end marker: nothing was replaced
  }
  chunk.set_as_of_seq(as_of);
  flush(true);
  writer->WritesDone();
  grpc::Status fin = writer->Finish();
  if (!fin.ok()) return FromGrpc(fin, "Snapshot");
  if (broken) return absl::UnavailableError("the Snapshot stream broke while sending; nothing was trimmed");
  // Only the snapshot's own seq may be acknowledged: imports made while it
  // was sent have later seqs and are still to be pushed.
  if (auto st = CheckSnapshotAck(ack, as_of); !st.ok()) return st;
  if (auto st = store_.Acknowledge(as_of, {}); !st.ok()) return st;
  spdlog::info("snapshot sent: {} cases as of seq {}; the centre holds {} and removed {}", sent, as_of, ack.cases(),
               ack.removed());
  return absl::OkStatus();
}

absl::StatusOr<ReconcileResult> Sender::Reconcile(void* raw_stub) {
  auto* stub = static_cast<v1::Sync::Stub*>(raw_stub);
  ReconcileResult res;
  std::map<std::string, uint64_t> mine;  // case id -> version: small, whatever the site's size
  auto s = store_.ScanCases([&](const v1::Case& c) { mine[c.case_id()] = c.record_version(); }, &res.as_of_seq);
  if (!s.ok()) return s;
  for (const auto& [id, version] : mine) res.digest += CaseDigestTerm(id, version);
  res.cases = static_cast<int64_t>(mine.size());

  std::map<std::string, uint64_t> theirs, tombstoned;
  uint64_t centre_seq = 0;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    v1::CaseVersionsRequest req;
    req.set_site_id(options_.site_id);
    req.set_store_id(store_.store_id());
    auto reader = stub->CaseVersions(&ctx, req);
    v1::CaseVersionList page;
    bool first_page = true;
    // The centre may list cases this site no longer has (they get
    // tombstones), but not without bound: a list far longer than the site's
    // is not believed.
    const size_t max_listed = 2 * mine.size() + 100000;
    absl::Status bad;
    while (bad.ok() && reader->Read(&page)) {
      bad = CheckCaseVersionPage(page, options_.site_id, first_page ? nullptr : &centre_seq);
      centre_seq = page.applied_seq();
      first_page = false;
      for (const auto& cv : page.cases()) (page.tombstones() ? tombstoned : theirs)[cv.case_id()] = cv.record_version();
      if (bad.ok() && theirs.size() + tombstoned.size() > max_listed)
        bad = absl::InternalError("the centre lists more than " + std::to_string(max_listed) +
                                  " cases for this site, which has " + std::to_string(mine.size()));
    }
    if (!bad.ok()) {
      ctx.TryCancel();
      reader->Finish();
      return bad;
    }
    auto fin = reader->Finish();
    if (!fin.ok()) return absl::Status(static_cast<absl::StatusCode>(fin.error_code()),
                                       "CaseVersions: " + CentreText(fin.error_message(), 300));
  }
  if (centre_seq != res.as_of_seq)
    return absl::FailedPreconditionError("centre at seq " + std::to_string(centre_seq) + ", site at " +
                                         std::to_string(res.as_of_seq));
  std::vector<Change> repairs;
  auto note = [&](const std::string& id) {
    ++res.differing;
    if (res.differing_case_ids.size() < 100) res.differing_case_ids.push_back(id);
  };
  for (const auto& [id, version] : mine) {
    auto it = theirs.find(id);
    if (it != theirs.end() && it->second == version) continue;
    note(id);
    if (tombstoned.count(id)) continue;  // purged at the centre: never re-sent; reported
    auto stored = store_.GetCase(id);
    if (!stored.ok()) return stored.status();
    const std::optional<v1::Case>& current = *stored;
    if (!current.has_value()) continue;  // withdrawn since the scan: its tombstone is on its way
    Change ch;
    ch.case_record = *current;
    if (it != theirs.end() && it->second >= ch.case_record.record_version())
      ch.case_record.set_record_version(it->second + 1);
    repairs.push_back(std::move(ch));
    ++res.resent;
  }
  for (const auto& [id, version] : theirs) {
    if (mine.count(id)) continue;
    note(id);
    Change ch;
    ch.kind = v1::CHANGE_KIND_TOMBSTONE;
    ch.case_id = id;
    ch.record_version = version;
    ch.reason = "RECONCILE";
    ch.case_present = false;
    repairs.push_back(std::move(ch));
    ++res.tombstoned;
  }
  if (!repairs.empty()) {
    if (auto st = store_.Commit(repairs, {}); !st.ok()) return st;
    spdlog::warn("reconciliation at seq {}: {} cases differed; {} re-sent, {} tombstoned", res.as_of_seq,
                 res.differing, res.resent, res.tombstoned);
  } else {
    spdlog::info("reconciliation at seq {}: {} cases, digest {:016x}, clean", res.as_of_seq, res.cases, res.digest);
  }
  v1::ReconcileReport report;
  report.set_site_id(options_.site_id);
  report.set_store_id(store_.store_id());
  report.set_as_of_seq(res.as_of_seq);
  report.set_agent_cases(res.cases);
  report.set_agent_digest(res.digest);
  for (const auto& id : res.differing_case_ids) report.add_differing_case_ids(id);
  report.set_differing(res.differing);
  report.set_resent(res.resent);
  report.set_tombstoned(res.tombstoned);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(options_.call_deadline_ms));
  v1::ReconcileReportAck ack;
  auto st = stub->ReportReconcile(&ctx, report, &ack);
  res.reported = st.ok();
  if (!st.ok()) {
    res.report_error = "ReportReconcile: " + std::string(StatusCodeName(st.error_code())) + ": " +
                       CentreText(st.error_message(), 300);
    spdlog::warn("the reconciliation's report did not reach the centre: {}", res.report_error);
  }
  return res;
}

}  // namespace fedreg::agent
