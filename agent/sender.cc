#include "agent/sender.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/support/channel_arguments.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <random>

#include "common/digest.h"
#include "common/grpc_status.h"
#include "fedreg/v1/sync.grpc.pb.h"

namespace fedreg::agent {
namespace {


}  // namespace

Sender::Sender(AgentStore& store, SenderOptions options) : store_(store), options_(std::move(options)) {}

Sender::~Sender() { Stop(); }

absl::Status Sender::Start() {
  auto creds = MakeChannelCredentials(options_.tls);
  if (!creds.ok()) return creds.status();
  creds_ = *creds;
  NewChannel();
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void Sender::NewChannel() {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 15000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, options_.backoff_max_ms);
  if (options_.gzip) args.SetCompressionAlgorithm(GRPC_COMPRESS_GZIP);
  args.SetMaxSendMessageSize(static_cast<int>(options_.max_batch_bytes) * 2 + (1 << 16));
  // A distinct argument keeps gRPC from sharing the old (possibly dead) subchannel.
  static std::atomic<int> generation{0};
  args.SetInt("fedreg.channel_generation", ++generation);
  channel_ = grpc::CreateCustomChannel(options_.server, creds_, args);
}

void Sender::Stop() {
  stop_ = true;
  store_.Wake();
  if (thread_.joinable()) thread_.join();
}

SenderStatus Sender::Status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

void Sender::SetError(const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  status_.connected = false;
  status_.last_error = error;
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
      spdlog::warn("sync session ended: {}", s.ToString());
      NewChannel();
    }
    attempt = store_.acked_seq() > acked_before ? 0 : std::min(attempt + 1, 20);
    // Exponential backoff with full jitter: sleep uniformly in [0, min(cap, base * 2^attempt)].
    int64_t ceiling = std::min<int64_t>(options_.backoff_max_ms,
                                        static_cast<int64_t>(options_.backoff_initial_ms) << std::min(attempt, 16));
    int64_t sleep_ms = static_cast<int64_t>(rng() % static_cast<uint64_t>(ceiling + 1));
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(sleep_ms);
    while (!stop_ && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

absl::Status Sender::Session() {
  auto stub = v1::Sync::NewStub(channel_);
  v1::HelloRequest hello;
  hello.set_site_id(options_.site_id);
  hello.set_store_id(store_.store_id());
  hello.set_schema_version(AgentStore::kSchemaVersion);
  hello.set_highest_seq(store_.highest_seq());
  hello.set_acked_seq(store_.acked_seq());
  v1::HelloResponse welcome;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(options_.call_deadline_ms));
    // Wait for the connection within the deadline rather than failing at once
    // while the centre is still starting.
    ctx.set_wait_for_ready(true);
    auto s = stub->Hello(&ctx, hello, &welcome);
    if (!s.ok()) return FromGrpc(s, "Hello");
  }
  if (welcome.snapshot_required()) {
    spdlog::warn("the centre asks for a snapshot of this site's cases (centre applied {}, agent highest {})",
                 welcome.applied_seq(), store_.highest_seq());
    if (auto s = SendSnapshot(stub.get()); !s.ok()) return s;
    return absl::OkStatus();  // a new session starts from the snapshot's seq
  }
  uint64_t applied = welcome.applied_seq();
  uint64_t highest = store_.highest_seq();
  if (applied > highest) {
    return absl::FailedPreconditionError(
        "the centre holds seq " + std::to_string(applied) + " for this store but it has only " +
        std::to_string(highest) + ": this store lost data; an operator must run 'fedregctl sites rebase " +
        options_.site_id + "'");
  }
  if (applied < store_.acked_seq()) {
    return absl::DataLossError("the centre holds seq " + std::to_string(applied) + " but acknowledged " +
                               std::to_string(store_.acked_seq()) +
                               " as durable: it was restored from an older backup; a snapshot is needed");
  }
  if (applied > store_.acked_seq()) {
    // The centre applied (durably) what we sent before a crash lost its ack.
    if (auto s = store_.Acknowledge(applied, {}); !s.ok()) return s;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    status_.connected = true;
    status_.last_error.clear();
    status_.centre_applied_seq = applied;
  }
  spdlog::info("connected to {}: centre applied seq {}, agent highest {}", options_.server, applied, highest);

  const size_t window = std::max<size_t>(1, std::min<size_t>(options_.window, welcome.window() ? welcome.window() : 1));
  const size_t max_bytes = std::min<size_t>(options_.max_batch_bytes,
                                            welcome.max_batch_bytes() ? welcome.max_batch_bytes() : 1 << 20);
  const size_t max_events = std::min<size_t>(options_.max_batch_events,
                                             welcome.max_batch_events() ? welcome.max_batch_events() : 500);

  grpc::ClientContext ctx;
  auto stream = stub->Push(&ctx);
  std::mutex m;
  std::condition_variable cv;
  std::deque<uint64_t> in_flight;  // last seq of each unacknowledged batch
  bool broken = false;
  uint64_t acks = 0;  // acknowledgements received on this stream
  absl::Status reader_error;

  std::thread reader([&] {
    v1::PushAck ack;
    uint64_t applied_seen = 0;
    while (stream->Read(&ack)) {
      std::vector<v1::QuarantineEntry> rejected;
      for (const auto& r : ack.rejections()) {
        v1::QuarantineEntry q;
        q.set_source("centre");
        q.set_case_id(r.case_id());
        q.set_reason(r.reason());
        q.set_line(static_cast<int64_t>(r.seq()));
        q.set_at_unix(std::time(nullptr));
        rejected.push_back(std::move(q));
        spdlog::warn("centre rejected {} (seq {}): {}", r.case_id(), r.seq(), r.reason());
      }
      // The outbox is trimmed only up to what the centre holds as durable.
      absl::Status s;
      if (!rejected.empty() || ack.durable_seq() > store_.acked_seq())
        s = store_.Acknowledge(ack.durable_seq(), rejected);
      std::lock_guard<std::mutex> lock(m);
      if (!s.ok()) {
        reader_error = s;
        broken = true;
        cv.notify_all();
        break;
      }
      // The window moves on "applied" (acks from the centre's two writers may cross: keep the max).
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

  uint64_t next = store_.acked_seq() + 1;
  absl::Status writer_error;
  // A stalled or blackholed connection shows as batches in flight with no
  // ack: end the stream after ack_timeout_ms instead of waiting for keepalive.
  auto last_progress = std::chrono::steady_clock::now();
  auto last_reconcile = std::chrono::steady_clock::now();
  uint64_t acks_seen = 0;
  while (!stop_) {
    {
      std::unique_lock<std::mutex> lock(m);
      if (broken) break;
      auto now = std::chrono::steady_clock::now();
      if (in_flight.empty() || acks != acks_seen) last_progress = now;
      acks_seen = acks;
      if (!in_flight.empty() && now - last_progress > std::chrono::milliseconds(options_.ack_timeout_ms)) {
        writer_error = absl::DeadlineExceededError("no acknowledgement from the centre for " +
                                                   std::to_string(options_.ack_timeout_ms) + " ms");
        break;
      }
      if (in_flight.size() >= window) {
        cv.wait_for(lock, std::chrono::milliseconds(200));
        continue;
      }
    }
    v1::PushRequest req;
    if (auto s = store_.ReadOutbox(next, max_events, max_bytes, req.mutable_batch()); !s.ok()) {
      writer_error = s;
      break;
    }
    if (req.batch().events_size() == 0) {
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
      auto now = std::chrono::steady_clock::now();
      bool due = options_.reconcile_interval_s > 0 &&
                 now - last_reconcile > std::chrono::seconds(options_.reconcile_interval_s);
      if (idle && (asked || due) && store_.acked_seq() == store_.highest_seq()) {
        auto r = Reconcile(stub.get());
        last_reconcile = now;
        if (!r.ok() && (absl::IsUnavailable(r.status()) || absl::IsDeadlineExceeded(r.status()))) {
          // The connection died under the reconciliation: a request stays
          // pending and runs in the next session, on a new connection.
          writer_error = r.status();
          break;
        }
        if (!r.ok() && absl::IsFailedPrecondition(r.status())) {
          // The centre is not at our seq yet: try again shortly.
          last_reconcile = now - std::chrono::seconds(std::max(0, options_.reconcile_interval_s - 1));
          if (asked) continue;
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
    uint64_t last = req.batch().last_seq();
    {
      std::lock_guard<std::mutex> lock(m);
      in_flight.push_back(last);
    }
    if (!stream->Write(req)) break;
    next = last + 1;
  }
  if (stop_) {
    // Drain: give in-flight batches a moment to be acknowledged.
    std::unique_lock<std::mutex> lock(m);
    cv.wait_for(lock, std::chrono::seconds(5),
                [&] { return broken || (in_flight.empty() && store_.acked_seq() + 1 >= next); });
  }
  stream->WritesDone();
  // The reader may still be blocked in Read when we stop on our own; cancel
  // then. Otherwise the stream already ended and Finish carries the centre's status.
  if (stop_ || !writer_error.ok()) ctx.TryCancel();
  reader.join();
  grpc::Status fin = stream->Finish();
  if (!writer_error.ok()) return writer_error;
  if (!reader_error.ok()) return reader_error;
  if (stop_) return absl::OkStatus();
  return FromGrpc(fin, "Push");
}

}  // namespace fedreg::agent

namespace fedreg::agent {

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
  if (auto st = store_.Acknowledge(ack.applied_seq(), {}); !st.ok()) return st;
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
    while (reader->Read(&page)) {
      centre_seq = page.applied_seq();
      for (const auto& cv : page.cases()) (page.tombstones() ? tombstoned : theirs)[cv.case_id()] = cv.record_version();
    }
    auto fin = reader->Finish();
    if (!fin.ok()) return FromGrpc(fin, "CaseVersions");
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
  if (!st.ok()) spdlog::warn("could not report the reconciliation: {}", st.error_message());
  return res;
}

}  // namespace fedreg::agent
