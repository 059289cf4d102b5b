#include "tests/integration/scripted_centre.h"

#include <chrono>
#include <stdexcept>
#include <thread>

#include <grpcpp/server_builder.h>

#include "common/batch_codec.h"
#include "common/tls.h"

namespace fedreg::testing {
namespace {

bool AcksFirstBatchOnly(ScriptedCentre::Mode m) {
  using M = ScriptedCentre::Mode;
  return m == M::kAckUnsentDurable || m == M::kAckUnsentApplied || m == M::kDurableAboveApplied ||
         m == M::kRejectUnsent;
}

}  // namespace

ScriptedCentre::ScriptedCentre(const std::string& pki_dir) {
  auto creds = MakeServerCredentials({pki_dir + "/ca.pem", pki_dir + "/aggregator.pem", pki_dir + "/aggregator.key"});
  if (!creds.ok()) throw std::runtime_error("scripted centre: " + std::string(creds.status().message()));
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", *creds, &port_);
  builder.RegisterService(this);
  // As the real centre (server/main.cc): agents' keepalive pings are welcome.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) throw std::runtime_error("scripted centre: cannot listen");
}

ScriptedCentre::~ScriptedCentre() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
}

void ScriptedCentre::OfferPackedBatches(bool offer) {
  std::lock_guard<std::mutex> lock(mu_);
  offer_packed_ = offer;
}

void ScriptedCentre::SetMode(Mode mode) {
  std::lock_guard<std::mutex> lock(mu_);
  mode_ = mode;
  cv_.notify_all();
}

void ScriptedCentre::SetLimits(uint32_t window, uint32_t max_batch_bytes, uint32_t max_batch_events) {
  std::lock_guard<std::mutex> lock(mu_);
  window_ = window;
  max_bytes_ = max_batch_bytes;
  max_events_ = max_batch_events;
}

void ScriptedCentre::SetRefusal(grpc::StatusCode code, const std::string& message) {
  std::lock_guard<std::mutex> lock(mu_);
  refusal_ = grpc::Status(code, message);
}

bool ScriptedCentre::WaitForSnapshot(int timeout_s, uint64_t* as_of) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!cv_.wait_for(lock, std::chrono::seconds(timeout_s), [&] { return snapshot_in_; })) return false;
  *as_of = snapshot_as_of_;
  return true;
}

void ScriptedCentre::ReleaseSnapshot(uint64_t applied_seq) {
  std::lock_guard<std::mutex> lock(mu_);
  released_ = true;
  release_seq_ = applied_seq;
  cv_.notify_all();
}

int64_t ScriptedCentre::cases() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(cases_.size());
}

uint64_t ScriptedCentre::applied_seq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return applied_;
}

bool ScriptedCentre::Apply(const v1::Batch& batch, grpc::Status* error) {
  if (batch.first_seq() > applied_ + 1) {
    *error = grpc::Status(grpc::StatusCode::OUT_OF_RANGE, "gap: batch starts at " + std::to_string(batch.first_seq()) +
                                                              ", applied " + std::to_string(applied_));
    return false;
  }
  for (const auto& ev : batch.events()) {
    if (ev.seq() <= applied_) continue;
    if (ev.kind() == v1::CHANGE_KIND_TOMBSTONE) cases_.erase(ev.case_id());
    else cases_[ev.case_id()] = ev.case_().record_version();
    applied_ = ev.seq();
  }
  return true;
}

grpc::Status ScriptedCentre::Hello(grpc::ServerContext*, const v1::HelloRequest* req, v1::HelloResponse* resp) {
  std::lock_guard<std::mutex> lock(mu_);
  agent_highest_ = req->highest_seq();
  resp->set_store_id(req->store_id());
  resp->set_applied_seq(applied_);
  resp->set_window(window_);
  resp->set_max_batch_bytes(max_bytes_);
  resp->set_max_batch_events(max_events_);
  if (offer_packed_) resp->add_batch_codecs(v1::BATCH_CODEC_ZSTD);
  switch (mode_) {
    case Mode::kSnapshotAckOther:
      resp->set_snapshot_required(true);
      break;
    case Mode::kHelloAboveHighest:
      resp->set_applied_seq(req->highest_seq() + 5);
      break;
    case Mode::kHelloOtherStore:
      resp->set_store_id(req->store_id() == std::string(32, 'a') ? std::string(32, 'b') : std::string(32, 'a'));
      resp->set_applied_seq(req->highest_seq());
      break;
    default:
      break;
  }
  return grpc::Status::OK;
}

grpc::Status ScriptedCentre::Push(grpc::ServerContext* ctx,
                                  grpc::ServerReaderWriter<v1::PushAck, v1::PushRequest>* stream) {
  ++pushes_;
  Mode mode;
  {
    std::lock_guard<std::mutex> lock(mu_);
    mode = mode_;
    if (mode == Mode::kRefusePush) return refusal_;
  }
  if (mode == Mode::kSilent) {
    std::unique_lock<std::mutex> lock(mu_);
    while (!ctx->IsCancelled() && !stopping_) cv_.wait_for(lock, std::chrono::milliseconds(50));
    return grpc::Status(grpc::StatusCode::CANCELLED, "the agent went away");
  }
  v1::PushRequest req;
  bool first = true;
  while (stream->Read(&req)) {
    if (!req.packed_batch().empty()) {
      bool offered;
      {
        std::lock_guard<std::mutex> lock(mu_);
        offered = offer_packed_;
      }
      if (!offered) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "packed batch not offered at Hello");
      size_t n = 0;
      if (auto s = UnpackBatch(req.codec(), req.packed_batch(), 4 << 20, req.mutable_batch(), &n); !s.ok())
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(s.message()));
      ++packed_batches_;
    }
    const v1::Batch& b = req.batch();
    v1::PushAck ack;
    if (AcksFirstBatchOnly(mode)) {
      if (!first) continue;  // nothing more is acknowledged: the agent should end the stream
      first = false;
      uint64_t highest;
      {
        std::lock_guard<std::mutex> lock(mu_);
        highest = agent_highest_;
      }
      switch (mode) {
        case Mode::kAckUnsentDurable:
          ack.set_applied_seq(b.last_seq());
          ack.set_durable_seq(highest);
          break;
        case Mode::kAckUnsentApplied:
          ack.set_applied_seq(highest);
          break;
        case Mode::kDurableAboveApplied:
          ack.set_applied_seq(b.first_seq() - 1);
          ack.set_durable_seq(b.last_seq());
          break;
        default: {  // kRejectUnsent
          ack.set_applied_seq(b.last_seq());
          v1::Rejection* r = ack.add_rejections();
          r->set_seq(highest);
          r->set_case_id(req.site_id() + "-ZZZZZZZZZZ");
          r->set_reason("a record this centre was never sent");
          break;
        }
      }
      stream->Write(ack);
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      grpc::Status gap;
      if (!Apply(b, &gap)) return gap;
      ack.set_applied_seq(applied_);
      ack.set_durable_seq(applied_);
    }
    if (!stream->Write(ack)) break;
    if (mode == Mode::kAckBackwards) {
      v1::PushAck older;  // applied goes back; durable stays (legal: the agent keeps the highest)
      older.set_applied_seq(b.first_seq() > 1 ? b.first_seq() - 1 : 0);
      older.set_durable_seq(ack.durable_seq());
      if (!stream->Write(older)) break;
      ++backwards_acks_;
    }
  }
  return grpc::Status::OK;
}

grpc::Status ScriptedCentre::Snapshot(grpc::ServerContext* ctx, grpc::ServerReader<v1::SnapshotChunk>* reader,
                                      v1::SnapshotAck* ack) {
  v1::SnapshotChunk chunk;
  std::map<std::string, uint64_t> staged;
  uint64_t as_of = 0;
  bool end = false;
  while (!end && reader->Read(&chunk)) {
    as_of = chunk.as_of_seq();
    for (const auto& c : chunk.cases()) staged[c.case_id()] = c.record_version();
    end = chunk.end();
  }
  if (!end) return grpc::Status(grpc::StatusCode::ABORTED, "no end marker");
  std::unique_lock<std::mutex> lock(mu_);
  if (mode_ == Mode::kSnapshotAckOther) {
    snapshot_in_ = true;
    snapshot_as_of_ = as_of;
    cv_.notify_all();
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!released_ && !stopping_ && mode_ == Mode::kSnapshotAckOther && !ctx->IsCancelled() &&
           std::chrono::steady_clock::now() < until)
      cv_.wait_for(lock, std::chrono::milliseconds(50));
    snapshot_in_ = false;
    if (!released_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "snapshot not taken");
    released_ = false;  // once
    ack->set_applied_seq(release_seq_);
    ack->set_cases(static_cast<int64_t>(staged.size()));
    return grpc::Status::OK;  // and nothing kept
  }
  cases_ = std::move(staged);
  applied_ = as_of;
  ack->set_applied_seq(as_of);
  ack->set_cases(static_cast<int64_t>(cases_.size()));
  return grpc::Status::OK;
}

grpc::Status ScriptedCentre::CaseVersions(grpc::ServerContext*, const v1::CaseVersionsRequest*,
                                          grpc::ServerWriter<v1::CaseVersionList>* writer) {
  v1::CaseVersionList page;
  {
    std::lock_guard<std::mutex> lock(mu_);
    page.set_applied_seq(applied_);
    for (const auto& [id, version] : cases_) {
      v1::CaseVersion* cv = page.add_cases();
      cv->set_case_id(id);
      cv->set_record_version(version);
    }
  }
  writer->Write(page);
  return grpc::Status::OK;
}

grpc::Status ScriptedCentre::ReportReconcile(grpc::ServerContext*, const v1::ReconcileReport*,
                                             v1::ReconcileReportAck*) {
  std::lock_guard<std::mutex> lock(mu_);
  if (mode_ == Mode::kRefuseReport) return refusal_;
  ++reports_;
  return grpc::Status::OK;
}

}  // namespace fedreg::testing
