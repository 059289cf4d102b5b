// Trial matching at the centre (docs/trials.md, "Matches and notices"): the
// in-memory index of trials, the background pass that matches every case
// against a trial that was added or changed (and daily for age limits),
// reading a site's notices once durable, and reading matches.
// server/centre_store.h for the contract; the build of matches and notices
// inside a batch is server/match_writer.h.
#include <rocksdb/db.h>
#include <spdlog/spdlog.h>

#include <ctime>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/rocks_util.h"
#include "server/centre_layout.h"
#include "server/centre_store.h"
#include "server/match_writer.h"
#include "server/overlay_batch.h"

namespace fedreg::server {
namespace {

// Cases matched per chunk of a background pass: the apply lock is held for
// one chunk (tens of milliseconds), so applies wait at most that long.
constexpr int kRematchChunk = 4096;

absl::CivilDay Today() { return absl::ToCivilDay(absl::Now(), absl::LocalTimeZone()); }

}  // namespace

absl::Status CentreStore::LoadMatchIndex() {
  auto trials = ListTrials();
  if (!trials.ok()) return trials.status();
  match_index_.Rebuild(*trials);
  return absl::OkStatus();
}

absl::Status CentreStore::CountOpenMatches() {
  int64_t open = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kNotices]));
  for (it->Seek("c/"); it->Valid() && it->key().starts_with("c/"); it->Next()) {
    v1::CaseMatches list;
    if (!list.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return absl::DataLossError("stored match list does not parse");
    open += list.trial_ids_size();
  }
  if (!it->status().ok()) return FromRocks(it->status(), "count open matches");
  open_matches_ = open;
  // Everything on disk at open is durable: the sites may read all of it.
  std::lock_guard<std::mutex> lock(sync_mu_);
  for (it->Seek("q/"); it->Valid() && it->key().starts_with("q/"); it->Next())
    durable_notice_[it->key().ToString().substr(2)] = DecodeU64(it->value().ToStringView());
  return absl::OkStatus();
}

std::string CentreStore::TrialIndexedBy(const std::string& trial_id) {
  std::lock_guard<std::mutex> lock(apply_mu_);
  return match_index_.IndexedBy(trial_id);
}

void CentreStore::NoteNoticesDurable(const std::map<std::string, uint64_t>& marks) {
  if (marks.empty()) return;
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    for (const auto& [site, seq] : marks) durable_notice_[site] = std::max(durable_notice_[site], seq);
    ++notice_epoch_;
  }
  durable_cv_.notify_all();
}

absl::Status CentreStore::QueueDailyAgeCheck() {
  const absl::CivilDay today = Today();
  const std::string day = absl::FormatCivilTime(today);
  std::string stored;
  auto s = db_->Get(rocksdb::ReadOptions(), cfs_[kNotices], kAgeCheckDayKey, &stored);
  if (s.ok() && stored == day) return absl::OkStatus();
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "read the age check day");
  rocksdb::WriteBatch b;
  std::string buf;
  int queued = 0;
  for (const auto& [id, st] : match_index_.trials()) {
    if (st.trial().status() != v1::TRIAL_STATUS_OPEN || !MatchIndex::HasAgeLimit(st.trial())) continue;
    std::string existing;
    if (db_->Get(rocksdb::ReadOptions(), cfs_[kNotices], RematchKey(id), &existing).ok()) continue;  // one is running
    v1::RematchProgress p;
    p.set_trial_version(st.version());
    p.set_cause("age check on " + day);
    p.set_started_unix(std::time(nullptr));
    p.SerializeToString(&buf);
    b.Put(cfs_[kNotices], RematchKey(id), buf).PermitUncheckedError();
    ++queued;
  }
  b.Put(cfs_[kNotices], kAgeCheckDayKey, day).PermitUncheckedError();
  if (auto w = db_->Write(SyncWrite(), &b); !w.ok()) return FromRocks(w, "queue the daily age check");
  if (queued > 0) spdlog::info("daily age check on {}: {} trials with age limits queued for re-matching", day, queued);
  return absl::OkStatus();
}

absl::StatusOr<bool> CentreStore::RematchChunk() {
  WaitQueueDrained();
  std::unique_ptr<rocksdb::Iterator> rit(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kNotices]));
  rit->Seek(kRematchPrefix);
  if (!rit->Valid() || !rit->key().starts_with(kRematchPrefix)) {
    if (!rit->status().ok()) return FromRocks(rit->status(), "read re-match progress");
    return false;
  }
  const std::string progress_key = rit->key().ToString();
  const std::string trial_id = progress_key.substr(2);
  v1::RematchProgress p;
  if (!p.ParseFromArray(rit->value().data(), static_cast<int>(rit->value().size())))
    return absl::DataLossError("stored re-match progress " + progress_key + " does not parse");
  rit.reset();
  const v1::StoredTrial* trial = match_index_.Find(trial_id);

  OverlayBatch wb(db_.get(), cfs_, nullptr);  // exclusive: nothing is queued
  MatchWriter writer(wb, match_index_);
  const std::string cause = p.cause().empty() ? "trial version " + std::to_string(p.trial_version()) : p.cause();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kCases]));
  if (p.after_key().empty()) it->SeekToFirst();
  else {
    it->Seek(p.after_key());
    if (it->Valid() && it->key() == p.after_key()) it->Next();
  }
  int n = 0;
  bool done = true;
  v1::Case c;
  for (; it->Valid(); it->Next()) {
    if (it->key().starts_with("~")) break;  // tombstones and staging sort after every site's cases
    if (trial == nullptr) break;
    if (n == kRematchChunk) {
      done = false;
      break;
    }
    if (!c.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return absl::DataLossError("stored case " + it->key().ToString() + " does not parse");
    if (auto s = writer.Evaluate(trial, trial_id, c.site_id(), c.case_id(), &c, cause); !s.ok()) return s;
    p.set_after_key(it->key().ToString());
    ++n;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan cases for re-matching");
  if (auto s = writer.Finish(); !s.ok()) return s;
  p.set_scanned(p.scanned() + n);
  p.set_opened(p.opened() + writer.opened());
  p.set_ended(p.ended() + writer.ended());
  std::string buf;
  std::optional<v1::AuditEntry> audit;
  if (done) {
    wb.Delete(kNotices, progress_key);
    audit = audit_.Prepare({"centre", "trial.rematch", trial_id, "OK",
                            cause + ": " + std::to_string(p.scanned()) + " cases matched, " +
                                std::to_string(p.opened()) + " matches opened, " + std::to_string(p.ended()) +
                                " ended"});
    audit->SerializeToString(&buf);
    wb.Put(kAudit, EncodeU64(audit->seq()), buf);
  } else {
    p.SerializeToString(&buf);
    wb.Put(kNotices, progress_key, buf);
  }
  if (auto s = db_->Write(SyncWrite(), wb.batch()); !s.ok()) return FromRocks(s, "write re-match chunk");
  if (audit) audit_.Commit(*audit);
  open_matches_ += writer.opened() - writer.ended();
  NoteSyncedWrite();
  NoteNoticesDurable(writer.last_notice_seq());
  if (done)
    spdlog::info("trial {}: background re-match done ({}): {} cases, {} matches opened, {} ended", trial_id, cause,
                 p.scanned(), p.opened(), p.ended());
  return true;
}

absl::StatusOr<int> CentreStore::RunRematchNow() {
  int chunks = 0;
  while (true) {
    std::lock_guard<std::mutex> lock(apply_mu_);
    auto more = RematchChunk();
    if (!more.ok()) return more.status();
    if (!*more) return chunks;
    ++chunks;
  }
}

void CentreStore::RematchLoop() {
  while (true) {
    bool more = false;
    {
      std::lock_guard<std::mutex> lock(apply_mu_);
      if (auto s = QueueDailyAgeCheck(); !s.ok()) spdlog::error("daily age check: {}", s.ToString());
      auto r = RematchChunk();
      if (!r.ok()) spdlog::error("background re-match: {}", r.status().ToString());
      more = r.ok() && *r;
    }
    std::unique_lock<std::mutex> lock(rematch_mu_);
    if (rematch_stop_) return;
    if (more) continue;  // the apply lock was released between chunks: applies went first
    rematch_cv_.wait_for(lock, std::chrono::seconds(60), [&] { return rematch_stop_ || rematch_wake_; });
    rematch_wake_ = false;
    if (rematch_stop_) return;
  }
}

bool CentreStore::RematchRunning(const std::string& trial_id, v1::RematchProgress* progress) const {
  std::string v;
  if (!db_->Get(rocksdb::ReadOptions(), cfs_[kNotices], RematchKey(trial_id), &v).ok()) return false;
  return progress->ParseFromString(v);
}

absl::StatusOr<std::vector<v1::Notice>> CentreStore::WaitNotices(const std::string& site_id, uint64_t after_seq,
                                                                size_t limit,
                                                                std::chrono::milliseconds timeout) const {
  uint64_t durable = 0;
  {
    std::unique_lock<std::mutex> lock(sync_mu_);
    auto ready = [&] {
      auto it = durable_notice_.find(site_id);
      durable = it == durable_notice_.end() ? 0 : it->second;
      return closing_ || durable > after_seq;
    };
    durable_cv_.wait_for(lock, timeout, ready);
  }
  std::vector<v1::Notice> out;
  if (durable <= after_seq) return out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kNotices]));
  const std::string prefix = NoticePrefix(site_id);
  for (it->Seek(NoticeKey(site_id, after_seq + 1)); it->Valid() && it->key().starts_with(prefix) && out.size() < limit;
       it->Next()) {
    v1::Notice n;
    if (!n.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return absl::DataLossError("stored notice " + site_id + " does not parse");
    if (n.seq() > durable) break;
    out.push_back(std::move(n));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read notices");
  // The log keeps what happened; the trial's names and the match's arms and
  // why are added here, as they stand when the notice is sent.
  std::map<std::string, v1::Trial> trials;  // an unknown trial: empty names
  for (auto& n : out) {
    auto t = trials.find(n.trial_id());
    if (t == trials.end()) {
      auto got = GetTrial(n.trial_id());
      if (!got.ok()) return got.status();
      t = trials.emplace(n.trial_id(), got->value_or(v1::StoredTrial()).trial()).first;
    }
    n.set_trial_title(t->second.title());
    n.set_nct_id(t->second.nct_id());
    n.set_jrct_id(t->second.jrct_id());
    if (n.kind() != v1::NOTICE_KIND_NEW) continue;
    std::string v;
    v1::TrialMatch m;
    auto s = db_->Get(rocksdb::ReadOptions(), cfs_[kNotices], MatchKey(n.trial_id(), site_id, n.case_id()), &v);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "read match");
    if (s.ok() && m.ParseFromString(v)) *n.mutable_arms() = m.arms();
  }
  return out;
}

absl::Status CentreStore::AckNotices(const std::string& site_id, uint64_t seq) {
  // No apply lock: a site acknowledges only notices it was sent, which were
  // durable, so the stored counter is already at least `seq`. A stream's
  // start and its acknowledgements (an old stream's and a new one's) can
  // overlap, so the read-compare-write is serialized.
  std::lock_guard<std::mutex> lock(notice_ack_mu_);
  std::string v;
  uint64_t made = 0, stored = 0;
  if (db_->Get(rocksdb::ReadOptions(), cfs_[kNotices], NoticeCounterKey(site_id), &v).ok()) made = DecodeU64(v);
  if (db_->Get(rocksdb::ReadOptions(), cfs_[kNotices], NoticeAckKey(site_id), &v).ok()) stored = DecodeU64(v);
  if (seq > made)
    return absl::InvalidArgumentError("notice seq " + std::to_string(seq) + " was never made for site " + site_id +
                                      " (last is " + std::to_string(made) + ")");
  if (seq <= stored) return absl::OkStatus();
  return FromRocks(db_->Put(rocksdb::WriteOptions(), cfs_[kNotices], NoticeAckKey(site_id), EncodeU64(seq)),
                   "record notices stored");
}

absl::StatusOr<std::vector<CentreStore::NoticeBacklog>> CentreStore::NoticeBacklogs() const {
  std::vector<NoticeBacklog> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kNotices]));
  for (it->Seek("q/"); it->Valid() && it->key().starts_with("q/"); it->Next()) {
    NoticeBacklog b;
    b.site_id = it->key().ToString().substr(2);
    b.made = DecodeU64(it->value().ToStringView());
    out.push_back(std::move(b));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read notice counters");
  for (auto& b : out) {
    std::string v;
    if (db_->Get(rocksdb::ReadOptions(), cfs_[kNotices], NoticeAckKey(b.site_id), &v).ok()) b.stored = DecodeU64(v);
    if (b.stored < b.made &&
        db_->Get(rocksdb::ReadOptions(), cfs_[kNotices], NoticeKey(b.site_id, b.stored + 1), &v).ok()) {
      v1::Notice n;
      if (n.ParseFromString(v)) b.oldest_pending_unix = n.at_unix_us() / 1000000;
    }
  }
  return out;
}

absl::StatusOr<std::vector<v1::TrialMatch>> CentreStore::ListMatches(const std::string& trial_id,
                                                                     const std::string& site_id, bool include_ended,
                                                                     size_t limit, int64_t* total) const {
  std::vector<v1::TrialMatch> out;
  *total = 0;
  const std::string prefix = MatchPrefix(trial_id) + (site_id.empty() ? "" : site_id + "/");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kNotices]));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    v1::TrialMatch m;
    if (!m.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return absl::DataLossError("stored match " + trial_id + " does not parse");
    if (!include_ended && m.state() != v1::MATCH_STATE_OPEN) continue;
    ++*total;
    if (out.size() < limit) out.push_back(std::move(m));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "list matches");
  return out;
}

}  // namespace fedreg::server
