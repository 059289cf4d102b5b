// The centre store's write path after a batch is built: the writer thread
// writes queued batches in order (applied, visible), and the group-commit
// thread syncs the WAL for every write made since its last sync (durable).
// DESIGN.md section 5; server/centre_store.h for the contract.
#include <rocksdb/db.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/centre_store.h"
#include "server/overlay_batch.h"

namespace fedreg::server {

void CentreStore::GroupCommitLoop() {
  std::unique_lock<std::mutex> lock(sync_mu_);
  bool failing = false;
  while (true) {
    sync_cv_.wait(lock, [&] { return closing_ || written_gen_ > durable_gen_; });
    if (closing_) return;  // the destructor makes the last sync
    const uint64_t target = written_gen_;
    lock.unlock();
    // Every write counted in `target` has returned from DB::Write, so its
    // WAL record is written; SyncWAL makes all of them durable at once.
    auto s = db_->SyncWAL();
    lock.lock();
    if (s.ok()) {
      if (failing) spdlog::info("WAL sync works again");
      failing = false;
      durable_gen_ = std::max(durable_gen_, target);
      ++wal_syncs_;
      // Notices of the batches now durable may go to their sites.
      while (!written_notices_.empty() && written_notices_.front().first <= target) {
        for (const auto& [site, seq] : written_notices_.front().second)
          durable_notice_[site] = std::max(durable_notice_[site], seq);
        written_notices_.pop_front();
        ++notice_epoch_;
      }
      durable_cv_.notify_all();
    } else {
      // Nothing is acknowledged as durable meanwhile; agents keep their outboxes.
      if (!failing) spdlog::error("WAL sync failed (acknowledgements as durable paused): {}", s.ToString());
      failing = true;
      sync_cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return closing_; });
    }
  }
}

void CentreStore::NoteWritten(uint64_t generation, std::map<std::string, uint64_t> notice_marks) {
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    written_gen_ = generation;
    if (!notice_marks.empty()) written_notices_.emplace_back(generation, std::move(notice_marks));
  }
  durable_cv_.notify_all();  // waiters for "applied"
  sync_cv_.notify_one();     // the group commit
}

void CentreStore::NoteSyncedWrite() {
  // A synced write syncs every live WAL file, so the writes before it too.
  std::lock_guard<std::mutex> lock(sync_mu_);
  durable_gen_ = std::max(durable_gen_, written_gen_);
  for (const auto& [generation, marks] : written_notices_)
    for (const auto& [site, seq] : marks) durable_notice_[site] = std::max(durable_notice_[site], seq);
  if (!written_notices_.empty()) ++notice_epoch_;
  written_notices_.clear();
  durable_cv_.notify_all();
}

CentreStore::Progress CentreStore::WaitProgress(uint64_t written, uint64_t durable,
                                                std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(sync_mu_);
  durable_cv_.wait_for(lock, timeout, [&] {
    return closing_ || write_failed_ || written_gen_ >= written || durable_gen_ >= durable;
  });
  return {written_gen_, durable_gen_, write_failed_};
}

uint64_t CentreStore::WalSyncs() const {
  std::lock_guard<std::mutex> lock(sync_mu_);
  return wal_syncs_;
}

bool CentreStore::PendingLookup(int cf, const std::string& key, std::optional<std::string>* value) const {
  std::lock_guard<std::mutex> lock(pending_mu_);
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {  // the newest write wins
    const auto& puts = (*it)->overlay[static_cast<size_t>(cf)];
    auto found = puts.find(key);
    if (found != puts.end()) {
      *value = found->second;
      return true;
    }
  }
  return false;
}

void CentreStore::WriterLoop() {
  std::unique_lock<std::mutex> lock(pending_mu_);
  while (true) {
    pending_cv_.wait(lock, [&] { return writer_stop_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, and everything queued is written
    std::shared_ptr<PendingWrite> w = pending_.front();
    lock.unlock();
    auto s = db_->Write(rocksdb::WriteOptions(), &w->batch);
    lock.lock();
    if (!s.ok()) {
      // Every queued batch was built on this one: none can be written now.
      write_failure_ = "the centre's store refused a write (" + s.ToString() + "); restart it once the cause is fixed";
      spdlog::error("{}", write_failure_);
      pending_.clear();
      written_cv_.notify_all();
      std::lock_guard<std::mutex> slock(sync_mu_);
      write_failed_ = true;
      durable_cv_.notify_all();
      continue;
    }
    if (w->on_written) w->on_written();
    // Written and visible: readers find it in the DB now, so it leaves the queue.
    pending_.pop_front();
    written_cv_.notify_all();
    NoteWritten(w->generation, std::move(w->notice_marks));
  }
}

void CentreStore::WaitQueueDrained() const {
  std::unique_lock<std::mutex> lock(pending_mu_);
  written_cv_.wait(lock, [&] { return pending_.empty(); });
}

}  // namespace fedreg::server
