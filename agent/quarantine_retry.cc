#include "agent/quarantine_retry.h"

#include <spdlog/spdlog.h>

#include <limits>
#include <map>
#include <set>

#include "agent/quarantine_rows.h"

namespace fedreg::agent {
namespace {

constexpr size_t kAll = std::numeric_limits<size_t>::max();

void Outcome(v1::RetryQuarantineResponse* resp, uint64_t id, const std::string& result, const std::string& detail,
             uint64_t new_id = 0) {
  auto* o = resp->add_outcomes();
  o->set_id(id);
  o->set_result(result);
  o->set_detail(detail);
  o->set_new_id(new_id);
}

// Cases the centre refused: queued again as they are stored now.
absl::Status ResendRefusedCases(AgentStore& store, const std::vector<AgentStore::QuarantineRecord>& refused,
                                v1::RetryQuarantineResponse* resp) {
  std::vector<Change> changes;
  std::vector<uint64_t> closed;
  std::vector<std::string> resolutions;
  std::set<std::string> queued;
  for (const auto& r : refused) {
    auto c = store.GetCase(r.entry.case_id());
    if (!c.ok()) return c.status();
    std::optional<v1::Case>& stored = *c;
    if (!stored.has_value()) {
      Outcome(resp, r.id, "skipped", "case " + r.entry.case_id() + " is no longer stored here (withdrawn?)");
      resp->set_skipped(resp->skipped() + 1);
      continue;
    }
    if (queued.insert(r.entry.case_id()).second) {
      Change ch;
      ch.case_record = std::move(*stored);
      changes.push_back(std::move(ch));
    }
    closed.push_back(r.id);
    resolutions.push_back("case " + r.entry.case_id() + " queued to the centre again");
    Outcome(resp, r.id, "resent", resolutions.back());
    resp->set_resent(resp->resent() + 1);
  }
  if (auto s = store.Commit(changes, {}); !s.ok()) return s;
  return store.CloseQuarantine(closed, "retried", resolutions);
}

// One file's refused rows imported again; each old entry closed with what happened.
absl::Status ReimportGroup(AgentStore& store, Importer& importer, const RowGroup& group, const ImportOptions& options,
                           v1::RetryQuarantineResponse* resp) {
  const uint64_t first_new = store.next_quarantine_id();
  auto sum = importer.ImportText(group.text, options);
  if (!sum.ok()) return sum.status();
  // What this import held, by line of the file.
  std::map<int64_t, AgentStore::QuarantineRecord> held;
  auto fresh = store.ListQuarantine(first_new - 1, kAll, /*include_closed=*/false, "import");
  if (!fresh.ok()) return fresh.status();
  for (auto& r : *fresh) {
    if (r.entry.file() == group.text.name) held.emplace(r.entry.line(), std::move(r));
  }
  std::vector<std::string> resolutions;
  for (uint64_t id : group.ids) {
    auto e = store.FindQuarantine(id);
    if (!e.ok()) return e.status();
    const int64_t line = e->line();
    if (auto it = held.find(line); it != held.end()) {
      resolutions.push_back("refused again on retry: entry " + std::to_string(it->second.id));
      Outcome(resp, id, "refused", it->second.entry.field() + ": " + it->second.entry.reason(), it->second.id);
      resp->set_refused(resp->refused() + 1);
    } else {
      resolutions.push_back("accepted on retry");
      Outcome(resp, id, "accepted", "the row passed and is stored (or was already stored as it is)");
      resp->set_accepted(resp->accepted() + 1);
    }
  }
  return store.CloseQuarantine(group.ids, "retried", resolutions);
}

}  // namespace

absl::StatusOr<v1::RetryQuarantineResponse> RetryQuarantined(AgentStore& store, Importer& importer,
                                                            const std::vector<uint64_t>& ids,
                                                            const ImportOptions& options) {
  v1::RetryQuarantineResponse resp;
  std::vector<AgentStore::QuarantineRecord> open;
  if (ids.empty()) {
    auto all = store.ListQuarantine(0, kAll, /*include_closed=*/false, "");
    if (!all.ok()) return all.status();
    open = std::move(*all);
  } else {
    for (uint64_t id : std::set<uint64_t>(ids.begin(), ids.end())) {
      auto e = store.FindQuarantine(id);
      if (!e.ok()) return e.status();
      if (!e->state().empty()) {
        Outcome(&resp, id, "skipped", "already " + e->state() + ": " + e->resolution());
        resp.set_skipped(resp.skipped() + 1);
        continue;
      }
      open.push_back({id, std::move(*e)});
    }
  }
  std::vector<AgentStore::QuarantineRecord> centre;
  std::vector<HeldRow> rows;
  for (auto& r : open) {
    if (r.entry.source() == "centre") {
      centre.push_back(std::move(r));
      continue;
    }
    auto raw = UnsealRow(r.entry, importer.reid_key());
    if (!raw.ok()) {
      Outcome(&resp, r.id, "skipped", std::string(raw.status().message()));
      resp.set_skipped(resp.skipped() + 1);
      continue;
    }
    rows.push_back({r.id, std::move(r.entry), std::move(*raw)});
  }
  if (auto s = ResendRefusedCases(store, centre, &resp); !s.ok()) return s;
  std::vector<std::pair<uint64_t, std::string>> skipped;
  std::vector<RowGroup> groups = GroupRows(rows, &skipped);
  for (const auto& [id, why] : skipped) {
    Outcome(&resp, id, "skipped", why);
    resp.set_skipped(resp.skipped() + 1);
  }
  for (const RowGroup& g : groups) {
    if (auto s = ReimportGroup(store, importer, g, options, &resp); !s.ok()) return s;
  }
  spdlog::info("quarantine retry: {} accepted, {} refused again, {} cases re-sent, {} skipped", resp.accepted(),
               resp.refused(), resp.resent(), resp.skipped());
  return resp;
}

}  // namespace fedreg::agent
