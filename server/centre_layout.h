// The centre store's on-disk layout (server/centre_store.h lists it): its
// column families, key builders and value encodings, shared by the files
// that build and read its WriteBatches. Internal to server/; never change an
// encoding of stored data.
#pragma once

#include <rocksdb/options.h>
#include <rocksdb/slice.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "common/rocks_util.h"

namespace fedreg::server {

enum Cf : size_t { kDefault = 0, kCases, kPersons, kSites, kViews, kTrials, kNotices, kAudit, kCfCount };
inline const char* const kCfNames[kCfCount] = {"default", "cases",   "persons", "sites",
                                               "views",   "trials",  "notices", "audit"};

// The national view is one document (v1::ViewCounters under this key of
// `views`); each batch merges in its deltas (server/view_document.h).
inline const char kNationalView[] = "national";

// Person member counts: 8 bytes, little-endian (every platform we build for).
inline std::string EncodeI64(int64_t v) {
  std::string out(8, '\0');
  std::memcpy(out.data(), &v, 8);
  return out;
}
inline int64_t DecodeI64(const rocksdb::Slice& s) {
  int64_t v = 0;
  if (s.size() == 8) std::memcpy(&v, s.data(), 8);
  return v;
}

inline rocksdb::WriteOptions SyncWrite() {
  rocksdb::WriteOptions w;
  w.sync = true;
  return w;
}

// `cases`: site "/" case_id, tombstones and snapshot staging under "~t/" and
// "~s/" (sorting after every site id).
inline std::string CaseKey(const std::string& site, const std::string& case_id) { return site + "/" + case_id; }
inline std::string TombKey(const std::string& site, const std::string& case_id) { return "~t/" + site + "/" + case_id; }
inline std::string StageKey(const std::string& site, const std::string& case_id) { return "~s/" + site + "/" + case_id; }
// `persons`: "#" person -> member count; person "\0" case key -> "".
inline std::string PersonCountKey(const std::string& person) { return "#" + person; }
inline std::string PersonMemberKey(const std::string& person, const std::string& site, const std::string& case_id) {
  return person + std::string(1, '\0') + CaseKey(site, case_id);
}

// `notices` (server/match_writer.h): matches, the case -> trials list, each
// site's notice log with its counter and delivery cursor, and background
// re-match progress. "\0" separates a trial id from the case key so that
// one trial's matches are one key range.
inline std::string MatchKey(const std::string& trial, const std::string& site, const std::string& case_id) {
  return "m/" + trial + std::string(1, '\0') + CaseKey(site, case_id);
}
inline std::string MatchPrefix(const std::string& trial) { return "m/" + trial + std::string(1, '\0'); }
inline std::string CaseMatchesKey(const std::string& site, const std::string& case_id) {
  return "c/" + CaseKey(site, case_id);
}
inline std::string NoticeKey(const std::string& site, uint64_t seq) { return "n/" + site + "/" + EncodeU64(seq); }
inline std::string NoticePrefix(const std::string& site) { return "n/" + site + "/"; }
inline std::string NoticeCounterKey(const std::string& site) { return "q/" + site; }  // last seq made, 8 bytes
inline std::string NoticeAckKey(const std::string& site) { return "d/" + site; }      // last seq stored at the site
inline std::string RematchKey(const std::string& trial) { return "r/" + trial; }
inline const char kRematchPrefix[] = "r/";
inline const char kAgeCheckDayKey[] = "a/day";  // the last day the daily age check was queued, "YYYY-MM-DD"

}  // namespace fedreg::server
