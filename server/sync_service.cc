#include "server/sync_service.h"

#include "common/version.h"

#include <google/protobuf/arena.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <thread>

#include "common/batch_codec.h"
#include "common/grpc_status.h"
#include "common/rocks_util.h"
#include "common/tls.h"
#include "common/utf8.h"

namespace fedreg::server {
void SyncMetrics::ObserveApply(double ms) {
  int i = 0;
  while (i < kBuckets && ms > kBucketMs[i]) ++i;
  ++apply_ms_bucket[i];
  apply_us_sum += static_cast<int64_t>(ms * 1000);
}

namespace {

// Counts samples (ms) into SyncMetrics::kFreshMs buckets (the last is +Inf) and a µs sum.
void CountFreshBuckets(const std::vector<double>& samples_ms, std::atomic<int64_t>* buckets,
                       std::atomic<int64_t>* us_sum) {
  for (double ms : samples_ms) {
    int i = 0;
    while (i < SyncMetrics::kFreshBuckets && ms > SyncMetrics::kFreshMs[i]) ++i;
    ++buckets[i];
    *us_sum += static_cast<int64_t>(ms * 1000);
  }
}

}  // namespace

void SyncMetrics::ObserveArrival(const std::vector<double>& samples_ms) {
  CountFreshBuckets(samples_ms, arrive_bucket, &arrive_us_sum);
}

void SyncMetrics::ObserveFreshness(const std::vector<double>& samples_ms) {
  CountFreshBuckets(samples_ms, fresh_bucket, &fresh_us_sum);
  std::lock_guard<std::mutex> lock(recent_mu_);
  for (double ms : samples_ms) {
    const auto us = static_cast<int64_t>(ms * 1000);
    if (recent_fresh_us_.size() < kRecentFresh) {
      recent_fresh_us_.push_back(us);
    } else {
      recent_fresh_us_[recent_next_] = us;
      recent_next_ = (recent_next_ + 1) % kRecentFresh;
    }
  }
}

std::vector<int64_t> SyncMetrics::RecentFreshnessUs() const {
  std::lock_guard<std::mutex> lock(recent_mu_);
  std::vector<int64_t> out(recent_fresh_us_.begin() + static_cast<std::ptrdiff_t>(recent_next_),
                           recent_fresh_us_.end());
  out.insert(out.end(), recent_fresh_us_.begin(), recent_fresh_us_.begin() + static_cast<std::ptrdiff_t>(recent_next_));
  return out;
}

SyncServiceImpl::SyncServiceImpl(CentreStore& store, std::string trust_domain, SyncLimits limits, CallerFn caller)
    : store_(store), trust_domain_(std::move(trust_domain)), limits_(limits), caller_(std::move(caller)) {
  std::lock_guard<std::mutex> lock(mu_);
  site_rate_ = limits_.site_events_per_s;
}

void SyncServiceImpl::SetSiteEventsPerS(double rate) {
  std::lock_guard<std::mutex> lock(mu_);
  site_rate_ = rate;
  for (auto& [site, bucket] : buckets_) bucket->SetRate(rate, rate);
}

double SyncServiceImpl::site_events_per_s() const {
  std::lock_guard<std::mutex> lock(mu_);
  return site_rate_;
}

grpc::Status SyncServiceImpl::Refuse(const std::string& who, const char* rpc, const std::string& target,
                                     grpc::Status status) {
  ++metrics_.refused_calls;
  store_.Audit({who, std::string("sync.") + rpc, Utf8Prefix(target, 64),
                std::string(StatusCodeName(status.error_code())), status.error_message()})
      .IgnoreError();
  return status;
}

grpc::Status SyncServiceImpl::Authenticate(const grpc::ServerContext& ctx, const std::string& claimed,
                                           const char* rpc, std::string* site) {
  auto id = caller_ ? caller_(ctx) : PeerFromContext(ctx, trust_domain_);
  const std::string shown = Utf8Prefix(claimed, 40);
  if (!id.ok()) return Refuse("unauthenticated", rpc, shown, ToGrpc(id.status()));
  const std::string who = std::string(RoleName(id->role)) + "/" + id->name;
  if (id->role != Role::kSite) {
    return Refuse(who, rpc, shown,
                  grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                               "only site certificates may sync; caller is " + std::string(RoleName(id->role))));
  }
  if (!claimed.empty() && claimed != id->name) {
    spdlog::warn("refused: certificate of site {} sent a payload naming site {}", id->name, shown);
    return Refuse(who, rpc, shown,
                  grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                               "payload names site '" + shown + "' but the certificate is site " + id->name));
  }
  *site = id->name;
  return grpc::Status::OK;
}

absl::StatusOr<SiteFacts> SyncServiceImpl::Facts(const std::string& site) const {
  SiteFacts f;
  auto st = store_.GetSite(site);
  if (st.ok()) f.stored = *std::move(st);
  else if (!absl::IsNotFound(st.status())) return st.status();
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = sessions_.find(site); it != sessions_.end()) f.session_store = it->second;
  if (auto it = streaming_.find(site); it != streaming_.end()) {
    f.open_call_store = it->second.store_id;
    f.open_call_is_snapshot = it->second.snapshot;
  }
  return f;
}

grpc::Status SyncServiceImpl::Admit(SyncRpc rpc, const std::string& site, const std::string& store_id) {
  const std::string name(SyncRpcName(rpc));
  auto facts = Facts(site);
  absl::Status s = facts.ok() ? AdmitSiteCall(rpc, site, store_id, *facts) : facts.status();
  if (s.ok()) return grpc::Status::OK;
  if (facts.ok())
    spdlog::warn("{} from site {} refused in state '{}': {}", name, site, SitePhaseName(PhaseOf(*facts)),
                 std::string(s.message()));
  return Refuse("site/" + site, name.c_str(), site, ToGrpc(s));
}

grpc::Status SyncServiceImpl::Claim(const std::string& site, const std::string& store_id, bool snapshot,
                                    grpc::ServerContext* ctx) {
  std::unique_lock<std::mutex> lock(mu_);
  auto it = streaming_.find(site);
  if (it != streaming_.end()) {
    if (it->second.store_id != store_id)
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                          "site " + site + " already has a stream open from store " + it->second.store_id);
    spdlog::warn("site {} reconnected while its previous call looked alive: replacing it", site);
    it->second.ctx->TryCancel();
    if (!released_.wait_for(lock, std::chrono::seconds(5), [&] { return streaming_.count(site) == 0; }))
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "previous stream of site " + site + " is still closing");
  }
  if (streaming_.size() >= limits_.max_streams)
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "the centre serves " + std::to_string(limits_.max_streams) + " streams at most; retry later");
  streaming_[site] = ActiveStream{store_id, ctx, snapshot};
  return grpc::Status::OK;
}

TokenBucket& SyncServiceImpl::BucketFor(const std::string& site) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& b = buckets_[site];
  if (!b) b = std::make_unique<TokenBucket>(site_rate_, site_rate_);
  return *b;
}

void SyncServiceImpl::Release(const std::string& site, grpc::ServerContext* ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streaming_.find(site);
  if (it != streaming_.end() && it->second.ctx == ctx) streaming_.erase(it);
  released_.notify_all();
}

grpc::Status SyncServiceImpl::HandleSnapshot(grpc::ServerContext* ctx, SnapshotReader* reader,
                                             v1::SnapshotAck* ack) {
  std::string site;
  if (auto s = Authenticate(*ctx, "", "Snapshot", &site); !s.ok()) return s;
  const std::string who = "site/" + site;
  auto refuse = [&](grpc::StatusCode code, const std::string& message) {
    return Refuse(who, "Snapshot", site, grpc::Status(code, message));
  };
  v1::SnapshotChunk chunk;
  if (!reader->Read(&chunk))
    return refuse(grpc::StatusCode::INVALID_ARGUMENT, "empty snapshot: send chunks from begin to end");
  if (chunk.site_id() != site)
    return refuse(grpc::StatusCode::PERMISSION_DENIED, "snapshot names site '" + Utf8Prefix(chunk.site_id(), 40) +
                                                           "' but the certificate is site " + site);
  if (auto s = Admit(SyncRpc::kSnapshot, site, chunk.store_id()); !s.ok()) return s;
  if (!chunk.begin())
    return refuse(grpc::StatusCode::INVALID_ARGUMENT, "a snapshot's first chunk must carry begin; nothing was staged");
  if (auto s = Claim(site, chunk.store_id(), /*snapshot=*/true, ctx); !s.ok()) return Refuse(who, "Snapshot", site, s);
  StreamSlot slot(this, site, ctx);
  const std::string store_id = chunk.store_id();
  const uint64_t as_of = chunk.as_of_seq();
  int64_t rejected = 0;
  bool first = true;
  do {
    if (chunk.site_id() != site || chunk.store_id() != store_id || chunk.as_of_seq() != as_of)
      return refuse(grpc::StatusCode::INVALID_ARGUMENT,
                    "snapshot chunks disagree on site, store or seq; nothing was replaced");
    if (!first && chunk.begin())
      return refuse(grpc::StatusCode::INVALID_ARGUMENT,
                    "begin in the middle of a snapshot; start a new Snapshot call instead. Nothing was replaced");
    std::vector<v1::Case> cases(chunk.cases().begin(), chunk.cases().end());
    std::vector<v1::Rejection> rejections;
    if (auto s = store_.StageSnapshot(site, store_id, first, cases, &rejections); !s.ok())
      return Refuse(who, "Snapshot", site, ToGrpc(s));
    rejected += static_cast<int64_t>(rejections.size());
    first = false;
    if (chunk.end()) {
      auto done = store_.FinishSnapshot(site, store_id, as_of);
      if (!done.ok()) return Refuse(who, "Snapshot", site, ToGrpc(done.status()));
      *ack = *done;
      spdlog::info("snapshot of {} (store {}) swapped in: {} cases as of seq {}, {} removed, {} rejected", site,
                   store_id, done->cases(), as_of, done->removed(), rejected);
      return grpc::Status::OK;
    }
  } while (reader->Read(&chunk));
  return refuse(grpc::StatusCode::ABORTED, "snapshot ended without its end marker; nothing was replaced");
}

grpc::Status SyncServiceImpl::HandleCaseVersions(grpc::ServerContext* ctx, const v1::CaseVersionsRequest* req,
                                                 VersionWriter* writer) {
  std::string site;
  if (auto s = Authenticate(*ctx, req->site_id(), "CaseVersions", &site); !s.ok()) return s;
  if (auto s = Admit(SyncRpc::kCaseVersions, site, req->store_id()); !s.ok()) return s;
  std::vector<v1::CaseVersion> cases, tombstones;
  uint64_t applied = 0;
  if (auto s = store_.CaseVersions(site, &cases, &tombstones, &applied); !s.ok())
    return Refuse("site/" + site, "CaseVersions", site, ToGrpc(s));
  auto send = [&](const std::vector<v1::CaseVersion>& list, bool tomb) {
    for (size_t i = 0; i < list.size() || (i == 0 && !tomb); i += 5000) {
      v1::CaseVersionList page;
      page.set_applied_seq(applied);
      page.set_tombstones(tomb);
      for (size_t j = i; j < list.size() && j < i + 5000; ++j) *page.add_cases() = list[j];
      if (!writer->Write(page)) return false;
      if (list.empty()) break;
    }
    return true;
  };
  if (!send(cases, false) || !send(tombstones, true))
    return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  return grpc::Status::OK;
}

grpc::Status SyncServiceImpl::ReportReconcile(grpc::ServerContext* ctx, const v1::ReconcileReport* req,
                                              v1::ReconcileReportAck*) {
  std::string site;
  if (auto s = Authenticate(*ctx, req->site_id(), "ReportReconcile", &site); !s.ok()) return s;
  if (auto s = Admit(SyncRpc::kReportReconcile, site, req->store_id()); !s.ok()) return s;
  v1::ReconcileReport report = *req;
  // The report is kept in the site's state: what it lists is bounded here,
  // whatever the peer sent (the agent sends the first 100).
  while (report.differing_case_ids_size() > 100) report.mutable_differing_case_ids()->RemoveLast();
  for (auto& id : *report.mutable_differing_case_ids()) id = Utf8Prefix(id, 64);
  if (auto s = store_.RecordReconcileReport(site, report); !s.ok())
    return Refuse("site/" + site, "ReportReconcile", site, ToGrpc(s));
  if (report.differing() > 0)
    spdlog::warn("reconciliation of {} at seq {}: {} cases differed ({} re-sent, {} tombstoned)", site,
                 report.as_of_seq(), report.differing(), report.resent(), report.tombstoned());
  return grpc::Status::OK;
}

void SyncServiceImpl::CancelStreams() {
  stopping_ = true;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [site, active] : streaming_) active.ctx->TryCancel();
}

bool SyncServiceImpl::IsStreaming(const std::string& site_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streaming_.find(site_id);
  return it != streaming_.end() && !it->second.snapshot;
}

grpc::Status SyncServiceImpl::Hello(grpc::ServerContext* ctx, const v1::HelloRequest* req,
                                    v1::HelloResponse* resp) {
  std::string site;
  if (auto s = Authenticate(*ctx, req->site_id(), "Hello", &site); !s.ok()) return s;
  if (auto s = Admit(SyncRpc::kHello, site, req->store_id()); !s.ok()) return s;
  auto d = store_.Hello(site, req->store_id(), req->highest_seq(), req->acked_seq(), req->notice_cursor(),
                        req->software_version(), req->schema_version());
  if (!d.ok()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      sessions_.erase(site);  // a refused store may not push on an earlier session's Hello
    }
    spdlog::warn("Hello from {} refused: {}", site, std::string(d.status().message()));
    return Refuse("site/" + site, "Hello", site, ToGrpc(d.status()));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_[site] = req->store_id();
  }
  const v1::SiteState& st = d->state;
  resp->set_applied_seq(st.applied_seq());
  resp->set_store_id(st.store_id());
  resp->set_snapshot_required(d->snapshot_required);
  if (d->snapshot_required)
    spdlog::warn("site {} (store {}) must send a snapshot: centre applied {}, agent highest {}, acked {}", site,
                 req->store_id(), st.applied_seq(), req->highest_seq(), req->acked_seq());
  resp->set_max_batch_bytes(limits_.max_batch_bytes);
  resp->set_max_batch_events(limits_.max_batch_events);
  resp->set_window(limits_.window);
  if (limits_.packed_batches) resp->add_batch_codecs(v1::BATCH_CODEC_ZSTD);
  resp->set_software_version(FedregVersion());
  spdlog::info("Hello from {}: store {}, agent highest {}, centre applied {}, agent release {} (store schema {})",
               site, req->store_id(), req->highest_seq(), st.applied_seq(),
               req->software_version().empty() ? "0.1.0" : Utf8Prefix(req->software_version(), 32),
               req->schema_version());
  return grpc::Status::OK;
}

grpc::Status SyncServiceImpl::HandlePush(grpc::ServerContext* ctx, PushStream* stream) {
  SkipRocksPerfCounters();  // this gRPC thread builds the stream's batches (many reads)
  std::string site;
  if (auto s = Authenticate(*ctx, "", "Push", &site); !s.ok()) return s;
  const std::string who = "site/" + site;
  v1::PushRequest req;
  if (!stream->Read(&req)) return grpc::Status::OK;
  if (req.site_id() != site) {
    spdlog::warn("refused: certificate of site {} pushed a batch naming site {}", site, Utf8Prefix(req.site_id(), 40));
    return Refuse(who, "Push", req.site_id(),
                  grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "batch names site '" +
                                                                        Utf8Prefix(req.site_id(), 40) +
                                                                        "' but the certificate is site " + site));
  }
  if (auto s = Admit(SyncRpc::kPush, site, req.store_id()); !s.ok()) return s;
  const std::string store_id = req.store_id();
  if (auto s = Claim(site, store_id, /*snapshot=*/false, ctx); !s.ok()) return Refuse(who, "Push", site, s);
  StreamSlot slot(this, site, ctx);
  TokenBucket& bucket = BucketFor(site);
  // This thread builds and queues each batch; the acker's thread acknowledges
  // it as applied once written and as durable once the group commit synced it.
  DurableAcker acker(store_, stream);
  // A packed batch is unpacked into this stream's buffer (kept: no new
  // megabytes per batch) and parsed onto an arena of its own: its thousands
  // of messages are allocated from a few blocks and freed at once, where a
  // heap-parsed Batch costs a malloc and a free each (the drain's profile).
  // Plain batches (agents before 0.4.0, the bench's simulated hospitals) come
  // parsed by gRPC and take no arena.
  std::string unpack_buffer;
  google::protobuf::ArenaOptions arena_options;
  arena_options.start_block_size = 8 << 10;
  arena_options.max_block_size = 256 << 10;

  do {
    const double received_ms =
        std::chrono::duration<double, std::milli>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (req.site_id() != site) {
      store_.RecordError(site, "payload named another site");
      spdlog::warn("refused: certificate of site {} pushed a batch naming site {}", site,
                   Utf8Prefix(req.site_id(), 40));
      return Refuse(who, "Push", req.site_id(),
                    grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "batch names site '" +
                                                                          Utf8Prefix(req.site_id(), 40) +
                                                                          "' but the certificate is site " + site));
    }
    if (req.store_id() != store_id)
      return Refuse(who, "Push", site,
                    grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                 "a Push stream carries one store's batches: this stream is store " + store_id +
                                     ", the batch names '" + Utf8Prefix(req.store_id(), 40) + "'"));
    size_t batch_bytes = 0;  // the Batch serialized
    size_t packed_bytes = 0;
    std::optional<google::protobuf::Arena> arena;
    v1::Batch* unpacked = nullptr;
    if (!req.packed_batch().empty()) {
      packed_bytes = req.packed_batch().size();
      if (!limits_.packed_batches)
        return Refuse(who, "Push", site,
                      grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                   "packed batch sent, but this centre's Hello did not offer packed batches"));
      arena.emplace(arena_options);
      unpacked = google::protobuf::Arena::CreateMessage<v1::Batch>(&*arena);
      if (auto s = UnpackBatch(req.codec(), req.packed_batch(), limits_.max_batch_bytes, unpacked, &batch_bytes,
                               &unpack_buffer);
          !s.ok())
        return Refuse(who, "Push", site, ToGrpc(s));
      req.clear_packed_batch();
    } else {
      batch_bytes = req.batch().ByteSizeLong();
    }
    const v1::Batch& batch = unpacked ? *unpacked : req.batch();
    if (batch.events_size() == 0)
      return Refuse(who, "Push", site,
                    grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 "a Push message must carry a batch of at least one event"));
    if (static_cast<uint32_t>(batch.events_size()) > limits_.max_batch_events ||
        batch_bytes > limits_.max_batch_bytes)
      return Refuse(who, "Push", site,
                    grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "batch above the limits given at Hello"));
    // Over its rate, a site is slowed down, not refused.
    if (auto wait = bucket.Take(batch.events_size()); wait.count() > 0) std::this_thread::sleep_for(wait);
    auto t0 = std::chrono::steady_clock::now();
    std::vector<int64_t> committed_us;
    committed_us.reserve(static_cast<size_t>(batch.events_size()));
    for (const auto& ev : batch.events()) {
      if (ev.committed_unix_us() > 0) committed_us.push_back(ev.committed_unix_us());
    }
    // Freshness is observed when the batch becomes visible, on the store's
    // writer thread; its arrival there too, so that both count the same
    // events (a batch already applied is never written: neither counts it).
    auto applied = store_.QueueBatch(site, req.store_id(), batch,
                                     [this, received_ms, committed = std::move(committed_us)] {
                                       const double now_ms = std::chrono::duration<double, std::milli>(
                                                                 std::chrono::system_clock::now().time_since_epoch())
                                                                 .count();
                                       std::vector<double> ms, arrival;
                                       ms.reserve(committed.size());
                                       arrival.reserve(committed.size());
                                       for (int64_t us : committed) {
                                         ms.push_back(now_ms - us / 1000.0);
                                         arrival.push_back(received_ms - us / 1000.0);
                                       }
                                       metrics_.ObserveFreshness(ms);
                                       metrics_.ObserveArrival(arrival);
                                     });
    metrics_.ObserveApply(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (!applied.ok()) {
      spdlog::warn("batch [{}..{}] from {} refused: {}", batch.first_seq(), batch.last_seq(), site,
                   std::string(applied.status().message()));
      store_.RecordError(site, std::string(applied.status().message()));
      return Refuse("site/" + site, "Push", site, ToGrpc(applied.status()));
    }
    ++metrics_.batches;
    metrics_.events += batch.events_size();
    metrics_.bytes += static_cast<int64_t>(batch_bytes);
    if (packed_bytes > 0) {
      ++metrics_.packed_batches;
      metrics_.packed_bytes += static_cast<int64_t>(packed_bytes);
    }
    metrics_.rejected += static_cast<int64_t>(applied->rejections.size());
    if (!acker.Queued(applied->applied_seq, applied->generation, std::move(applied->rejections))) break;
  } while (stream->Read(&req));
  return grpc::Status::OK;
}

SyncServiceImpl::DurableAcker::DurableAcker(CentreStore& store, PushStream* stream)
    : store_(store), stream_(stream), thread_([this] { Run(); }) {}

SyncServiceImpl::DurableAcker::~DurableAcker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool SyncServiceImpl::DurableAcker::Queued(uint64_t seq, uint64_t generation,
                                           std::vector<v1::Rejection> rejections) {
  std::lock_guard<std::mutex> lock(mu_);
  if (broken_) return false;
  queued_.push_back({seq, generation, std::move(rejections)});
  cv_.notify_all();
  return true;
}

void SyncServiceImpl::DurableAcker::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t applied_seq = 0, durable_seq = 0;
  std::deque<std::pair<uint64_t, uint64_t>> unsynced;  // (seq, generation) applied, not yet durable
  // After the stream's last batch the final acks still go out (the agent
  // trims its outbox on durable), within a bounded wait.
  std::chrono::steady_clock::time_point give_up{};
  while (true) {
    cv_.wait(lock, [&] { return done_ || !queued_.empty() || !unsynced.empty(); });
    if (queued_.empty() && unsynced.empty()) return;  // done, nothing left to confirm
    if (done_ && give_up == std::chrono::steady_clock::time_point{})
      give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    if (done_ && std::chrono::steady_clock::now() > give_up) return;
    const uint64_t want_written = queued_.empty() ? UINT64_MAX : queued_.front().generation;
    const uint64_t want_durable = unsynced.empty() ? UINT64_MAX : unsynced.front().second;
    lock.unlock();
    const CentreStore::Progress p = store_.WaitProgress(want_written, want_durable, std::chrono::milliseconds(100));
    lock.lock();
    if (p.failed) {
      broken_ = true;  // the handler's next batch is refused with the store's error
      return;
    }
    v1::PushAck ack;
    bool changed = false;
    while (!queued_.empty() && queued_.front().generation <= p.written) {
      Entry& e = queued_.front();
      for (auto& r : e.rejections) *ack.add_rejections() = std::move(r);
      applied_seq = std::max(applied_seq, e.seq);
      unsynced.emplace_back(e.seq, e.generation);
      queued_.pop_front();
      changed = true;
    }
    while (!unsynced.empty() && unsynced.front().second <= p.durable) {
      durable_seq = std::max(durable_seq, unsynced.front().first);
      unsynced.pop_front();
      changed = true;
    }
    if (!changed) continue;
    ack.set_applied_seq(applied_seq);
    ack.set_durable_seq(durable_seq);
    lock.unlock();
    const bool ok = stream_->Write(ack);
    lock.lock();
    if (!ok) {
      broken_ = true;  // the stream is gone; the agent resumes from Hello
      return;
    }
  }
}

}  // namespace fedreg::server
