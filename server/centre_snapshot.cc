// A site's snapshot (staged, then swapped in: a rebase or a centre restored
// from an older backup) and reconciliation (the case versions the agent
// compares with, and its reports). server/centre_store.h for the contract.
#include <rocksdb/db.h>

#include <ctime>
#include <map>

#include "common/digest.h"
#include "common/rocks_util.h"
#include "common/validate.h"
#include "server/centre_layout.h"
#include "server/centre_store.h"
#include "server/match_writer.h"
#include "server/overlay_batch.h"
#include "server/view_document.h"
#include "server/views.h"

namespace fedreg::server {

absl::StatusOr<v1::SiteState> CentreStore::SiteAwaitingSnapshot(const std::string& site_id,
                                                                 const std::string& store_id) const {
  auto st = GetSite(site_id);
  if (!st.ok()) return st.status();
  if (!st->snapshot_pending() || st->store_id() != store_id)
    return absl::FailedPreconditionError("no snapshot was asked of store " + store_id + " for site " + site_id);
  return st;
}

absl::Status CentreStore::StageSnapshot(const std::string& site_id, const std::string& store_id, bool begin,
                                        const std::vector<v1::Case>& cases,
                                        std::vector<v1::Rejection>* rejections) {
  std::lock_guard<std::mutex> lock(apply_mu_);
  WaitQueueDrained();
  auto st = SiteAwaitingSnapshot(site_id, store_id);
  if (!st.ok()) return st.status();
  rocksdb::WriteBatch b;
  const std::string prefix = "~s/" + site_id + "/";
  if (begin) {
    std::string end = prefix;
    end.back() = '0';  // '/' + 1: the end of the prefix range
    b.DeleteRange(cfs_[kCases], prefix, end);
  }
  std::string buf;
  for (const auto& c : cases) {
    auto errs = ValidateCase(c);
    if (c.site_id() != site_id) errs.push_back({"site_id", "names another site"});
    if (!errs.empty()) {
      v1::Rejection r;
      r.set_case_id(c.case_id());
      r.set_reason(FormatErrors(errs));
      rejections->push_back(std::move(r));
      continue;
    }
    c.SerializeToString(&buf);
    b.Put(cfs_[kCases], StageKey(site_id, c.case_id()), buf);
  }
  // Staging need not be synced: an unfinished snapshot is simply sent again.
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &b), "stage snapshot");
}

absl::StatusOr<v1::SnapshotAck> CentreStore::FinishSnapshot(const std::string& site_id, const std::string& store_id,
                                                            uint64_t as_of_seq) {
  std::lock_guard<std::mutex> lock(apply_mu_);
  WaitQueueDrained();
  auto st = SiteAwaitingSnapshot(site_id, store_id);
  if (!st.ok()) return st.status();
  OverlayBatch wb(db_.get(), cfs_, nullptr);  // exclusive: nothing is queued
  rocksdb::ReadOptions ro;
  ViewDeltas deltas;
  std::string buf;
  // Old cases out (tombstoned when the snapshot lacks them), staged cases in.
  auto old_cases = Cases(site_id);
  if (!old_cases.ok()) return old_cases.status();
  std::map<std::string, v1::Case> staged;
  {
    const std::string prefix = "~s/" + site_id + "/";
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[kCases]));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      v1::Case c;
      if (!c.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
        return absl::DataLossError("staged case does not parse");
      staged[c.case_id()] = std::move(c);
      wb.Delete(kCases, it->key().ToString());
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scan staging");
  }
  v1::SnapshotAck ack;
  // Matches follow the swap: removed cases end theirs, staged ones are matched.
  MatchWriter matches(wb, match_index_);
  for (const auto& old : *old_cases) {
    for (const auto& k : ViewKeys(old)) deltas[k] -= 1;
    if (auto s = ChangePersonMembership(wb, PersonKey(old), site_id, old.case_id(), -1, &deltas); !s.ok()) return s;
    wb.Delete(kCases, CaseKey(site_id, old.case_id()));
    if (!staged.count(old.case_id())) {
      v1::Tombstone t;
      t.set_case_id(old.case_id());
      t.set_record_version(old.record_version());
      t.set_reason("REBASE");
      t.set_at_unix(std::time(nullptr));
      t.SerializeToString(&buf);
      wb.Put(kCases, TombKey(site_id, old.case_id()), buf);
      ack.set_removed(ack.removed() + 1);
      if (auto s = matches.EvaluateCase(site_id, old.case_id(), nullptr, "rebase"); !s.ok()) return s;
    }
  }
  uint64_t digest = 0;
  int64_t count = 0;
  for (const auto& [id, c] : staged) {
    std::string tomb;
    if (db_->Get(ro, cfs_[kCases], TombKey(site_id, id), &tomb).ok()) continue;  // withdrawn stays withdrawn
    for (const auto& k : ViewKeys(c)) deltas[k] += 1;
    if (auto s = ChangePersonMembership(wb, PersonKey(c), site_id, id, +1, &deltas); !s.ok()) return s;
    c.SerializeToString(&buf);
    wb.Put(kCases, CaseKey(site_id, id), buf);
    digest += CaseDigestTerm(id, c.record_version());
    ++count;
    if (auto s = matches.EvaluateCase(site_id, id, &c, "snapshot of store " + store_id); !s.ok()) return s;
  }
  if (auto s = matches.Finish(); !s.ok()) return s;
  wb.Merge(kViews, kNationalView, EncodeDeltas(deltas));
  st->set_applied_seq(as_of_seq);
  st->set_cases(count);
  st->set_digest(digest);
  st->set_snapshot_pending(false);
  st->set_rebase_allowed(false);
  st->set_withdrawn(st->withdrawn() + ack.removed());
  st->set_last_seen_unix(std::time(nullptr));
  st->clear_last_error();
  st->SerializeToString(&buf);
  wb.Put(kSites, site_id, buf);
  v1::AuditEntry audit = audit_.Prepare({"site/" + site_id, "sync.snapshot", site_id, "OK",
                                             "store " + store_id + " as of seq " + std::to_string(as_of_seq) + ", " +
                                                 std::to_string(count) + " cases, " +
                                                 std::to_string(ack.removed()) + " removed"});
  audit.SerializeToString(&buf);
  wb.Put(kAudit, EncodeU64(audit.seq()), buf);
  if (auto s = db_->Write(SyncWrite(), wb.batch()); !s.ok()) return FromRocks(s, "finish snapshot");
  audit_.Commit(audit);
  open_matches_ += matches.opened() - matches.ended();
  NoteSyncedWrite();
  NoteNoticesDurable(matches.last_notice_seq());
  ack.set_applied_seq(as_of_seq);
  ack.set_cases(count);
  return ack;
}

absl::Status CentreStore::CaseVersions(const std::string& site_id, std::vector<v1::CaseVersion>* cases,
                                       std::vector<v1::CaseVersion>* tombstones, uint64_t* applied_seq) const {
  // One RocksDB snapshot, so the list and the applied seq agree.
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  absl::Status status;
  std::string v;
  auto s = db_->Get(ro, cfs_[kSites], site_id, &v);
  v1::SiteState st;
  if (s.ok() && st.ParseFromString(v)) *applied_seq = st.applied_seq();
  else *applied_seq = 0;
  auto scan = [&](const std::string& prefix, bool tomb, std::vector<v1::CaseVersion>* out) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[kCases]));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      v1::CaseVersion cv;
      if (tomb) {
        v1::Tombstone t;
        if (!t.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) continue;
        cv.set_case_id(t.case_id());
        cv.set_record_version(t.record_version());
      } else {
        v1::Case c;
        if (!c.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
          status = absl::DataLossError("stored case does not parse");
          return;
        }
        cv.set_case_id(c.case_id());
        cv.set_record_version(c.record_version());
      }
      out->push_back(std::move(cv));
    }
    if (!it->status().ok()) status = FromRocks(it->status(), "scan for reconciliation");
  };
  scan(site_id + "/", false, cases);
  if (status.ok()) scan("~t/" + site_id + "/", true, tombstones);
  db_->ReleaseSnapshot(snap);
  return status;
}

absl::Status CentreStore::RecordReconcileReport(const std::string& site_id, const v1::ReconcileReport& report) {
  std::lock_guard<std::mutex> lock(apply_mu_);
  WaitQueueDrained();
  auto st = GetSite(site_id);
  if (!st.ok()) return st.status();
  *st->mutable_last_reconcile() = report;
  st->set_last_reconcile_unix(std::time(nullptr));
  std::string v;
  st->SerializeToString(&v);
  return FromRocks(db_->Put(SyncWrite(), cfs_[kSites], site_id, v), "record reconciliation report");
}

}  // namespace fedreg::server
