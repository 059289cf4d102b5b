#include "cli/notices_commands.h"

#include <iostream>

#include "cli/match_text.h"
#include "cli/table.h"
#include "common/notice_status.h"

namespace fedreg::cli {
namespace {

std::string Arms(const v1::AgentNotice& n) {
  std::string out;
  for (const auto& a : n.arms()) out += (out.empty() ? "" : ",") + a.arm_id();
  return out.empty() ? "-" : out;
}

void PrintWhy(const v1::AgentNotice& n) {
  PrintArms(n.arms(), "    ");
  if (!n.reason().empty()) std::cout << "    " << MatchStateName(n.state()) << ": " << n.reason() << "\n";
  if (!n.note().empty()) std::cout << "    note: " << n.note() << "\n";
}

void CmdList(const Globals& g, const std::string& trial, const std::string& status, size_t limit) {
  auto stub = AgentStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  v1::ListNoticesRequest req;
  req.set_trial_id(trial);
  req.set_status(status);
  v1::ListNoticesResponse resp;
  DieOnRpc(stub->ListNotices(&ctx, req, &resp), "agent notices");
  const int total = resp.notices_size();
  if (limit > 0)
    while (static_cast<size_t>(resp.notices_size()) > limit) resp.mutable_notices()->RemoveLast();
  if (g.json) return PrintJson(resp);
  if (resp.notices_size() == 0) {
    std::cout << "(no notices" << (trial.empty() && status.empty() ? "" : " match the filter") << ")\n";
    return;
  }
  Table table({"ID", "TRIAL", "RECORD NO", "CASE", "ARMS", "MATCH", "STATUS", "MATCHED", "UPDATED"});
  for (const auto& v : resp.notices()) {
    const auto& n = v.notice();
    table.AddRow({std::to_string(n.id()), n.trial_id(), v.record_number().empty() ? "(gone)" : v.record_number(),
                  n.case_id(), Arms(n), MatchStateName(n.state()), NoticeStatusName(n.status()),
                  LocalTime(n.matched_unix(), "%Y-%m-%d"),
                  LocalTime(n.status_unix() > 0 ? n.status_unix() : n.changed_unix(), "%Y-%m-%d")});
  }
  std::cout << table.Render();
  if (total > resp.notices_size())
    std::cout << "(" << total - resp.notices_size() << " more; --limit 0 lists all)\n";
  std::cout << "\nwhy:\n";
  for (const auto& v : resp.notices()) {
    std::cout << "  " << v.notice().id() << " " << v.notice().trial_id() << " " << v.record_number() << "\n";
    PrintWhy(v.notice());
  }
}

void CmdSet(const Globals& g, uint64_t id, const std::string& status, const std::string& note) {
  v1::SetNoticeStatusRequest req;
  v1::NoticeStatus parsed;
  if (!ParseNoticeStatus(status, &parsed)) {
    std::string names;
    for (const auto& n : NoticeStatusNames()) names += (names.empty() ? "" : "|") + n;
    Die("'" + status + "' is not a status: use one of " + names);
  }
  req.set_id(id);
  req.set_status(parsed);
  req.set_note(note);
  auto stub = AgentStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  v1::SetNoticeStatusResponse resp;
  DieOnRpc(stub->SetNoticeStatus(&ctx, req, &resp), "agent notices set");
  if (g.json) return PrintJson(resp);
  std::cout << "notice " << id << " (" << resp.notice().notice().trial_id() << ", record number "
            << resp.notice().record_number() << "): " << status << "; sent to the centre as change "
            << resp.seq() << (note.empty() ? "" : " (the note stays here)") << "\n";
}

}  // namespace

NoticesCommands::NoticesCommands(CLI::App& agent) {
  notices_ = agent.add_subcommand("notices", "trial-match notices for this hospital's patients (record numbers)");
  notices_->add_option("--trial", trial_, "only this trial");
  notices_->add_option("--status", status_filter_,
                       "only this match state (open, ended, cancelled) or status (new, contacted, referred, "
                       "screening, enrolled, screen_failed, declined, not_eligible, deferred)");
  notices_->add_option("--limit", limit_, "show at most this many (newest first; 0 = all)");
  set_ = notices_->add_subcommand("set", "record what was done with a notice; the status goes to the centre");
  set_->add_option("ID", id_, "notice id (first column of 'fedregctl agent notices')")->required();
  set_->add_option("STATUS", status_,
                   "contacted|referred|screening|enrolled|screen_failed|declined|not_eligible|deferred")
      ->required();
  set_->add_option("--note", note_, "free text kept at this hospital only");
}

bool NoticesCommands::Run(const Globals& g) const {
  if (*set_) CmdSet(g, id_, status_, note_);
  else if (*notices_) CmdList(g, trial_, status_filter_, limit_);
  else return false;
  return true;
}

}  // namespace fedreg::cli
