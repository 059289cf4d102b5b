#include "cli/agent_commands.h"

#include <chrono>
#include <iostream>
#include <memory>
#include <thread>
#include <utility>

#include <grpcpp/create_channel.h>

#include "cli/table.h"

namespace fedreg::cli {
namespace {

// The agents named by their sockets (the default socket when none is given), one stub each.
std::vector<std::pair<std::string, std::unique_ptr<fedreg::v1::AgentAdmin::Stub>>> AgentStubs(
    const Globals& g, std::vector<std::string> sockets) {
  if (sockets.empty()) sockets.push_back(g.agent_socket);
  std::vector<std::pair<std::string, std::unique_ptr<fedreg::v1::AgentAdmin::Stub>>> out;
  for (const auto& socket : sockets) {
    Globals one = g;
    one.agent_socket = socket;
    out.emplace_back(socket, AgentStub(one));
  }
  return out;
}

fedreg::v1::AgentStatusResponse AgentStatus(const Globals& g, const std::string& socket,
                                            fedreg::v1::AgentAdmin::Stub& stub) {
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  fedreg::v1::AgentStatusResponse resp;
  DieOnRpc(stub.Status(&ctx, {}, &resp), "agent status (" + socket + ")");
  return resp;
}

// One row per agent socket.
void CmdAgentStatus(const Globals& g, const std::vector<std::string>& sockets) {
  fedreg::cli::Table t({"SITE", "STREAM", "CASES", "HIGHEST SEQ", "ACKED SEQ", "BACKLOG", "QUARANTINED", "REJECTED",
                        "NORMALISED", "OPEN NOTICES", "LAST ERROR"});
  for (auto& [socket, stub] : AgentStubs(g, sockets)) {
    const fedreg::v1::AgentStatusResponse resp = AgentStatus(g, socket, *stub);
    if (g.json) {
      PrintJson(resp);
      continue;
    }
    t.AddRow({resp.site_id(), resp.connected() ? "up" : "down", std::to_string(resp.cases()),
              std::to_string(resp.highest_seq()), std::to_string(resp.acked_seq()), std::to_string(resp.backlog()),
              std::to_string(resp.quarantined()), std::to_string(resp.rejected_by_centre()),
              std::to_string(resp.normalised()), std::to_string(resp.notices_open()),
              resp.last_error().empty() ? "-" : resp.last_error()});
  }
  if (!g.json) std::cout << t.Render();
}

// Waits until every agent's backlog is zero (all acknowledged as durable by
// the centre): for maintenance windows and scripts. One process polling over
// its own channels, so waiting costs the machine almost nothing.
void CmdAgentWaitDrained(const Globals& g, const std::vector<std::string>& sockets) {
  const auto start = std::chrono::steady_clock::now();
  const auto give_up = start + std::chrono::seconds(g.timeout_s);
  auto stubs = AgentStubs(g, sockets);
  for (size_t i = 0; i < stubs.size();) {
    const fedreg::v1::AgentStatusResponse resp = AgentStatus(g, stubs[i].first, *stubs[i].second);
    if (resp.backlog() == 0) {
      ++i;
      continue;
    }
    if (std::chrono::steady_clock::now() > give_up)
      Die("agent " + resp.site_id() + " still has a backlog of " + std::to_string(resp.backlog()) + " after " +
          std::to_string(g.timeout_s) + " s" +
          (resp.last_error().empty() ? "" : " (last error: " + resp.last_error() + ")"));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!g.json)
    std::cout << "drained in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s\n";
}

void CmdAgentImport(const Globals& g, const std::string& file, bool accept_identity_changes, bool accept_same_person) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(file, ec);
  if (ec) Die(file + ": " + ec.message());
  auto stub = AgentStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, 3600);
  fedreg::v1::ImportRequest req;
  req.set_path(abs.string());
  req.set_accept_identity_changes(accept_identity_changes);
  req.set_accept_same_person(accept_same_person);
  fedreg::v1::ImportResponse resp;
  DieOnRpc(stub->Import(&ctx, req, &resp), "import " + abs.string());
  if (g.json) return PrintJson(resp);
  for (const auto& e : resp.errors()) std::cout << "quarantined " << e << "\n";
  if (resp.quarantined() > resp.errors_size())
    std::cout << "(" << resp.quarantined() - resp.errors_size() << " more quarantined rows; see the agent log)\n";
  std::cout << resp.path() << ": rows " << resp.rows() << ", accepted " << resp.accepted() << ", updated "
            << resp.updated() << ", unchanged " << resp.unchanged() << ", quarantined " << resp.quarantined();
  if (resp.skipped_withdrawn() > 0) std::cout << ", skipped (consent withdrawn) " << resp.skipped_withdrawn();
  std::cout << "\n";
  if (resp.alterations_quarantined() > 0 || resp.merged_tests() > 0 || resp.empty_rows() > 0)
    std::cout << "  alterations quarantined " << resp.alterations_quarantined() << ", tests merged into one case "
              << resp.merged_tests() << ", empty rows skipped " << resp.empty_rows() << "\n";
  auto kinds = [](const google::protobuf::Map<std::string, int64_t>& m) {
    std::map<std::string, int64_t> sorted(m.begin(), m.end());
    std::string out;
    for (const auto& [k, n] : sorted) out += (out.empty() ? "" : ", ") + k + " " + std::to_string(n);
    return out;
  };
  std::cout << "  encoding " << resp.encoding() << "; normalised: " << resp.normalised();
  if (!resp.normalised_by_kind().empty()) std::cout << " (" << kinds(resp.normalised_by_kind()) << ")";
  std::cout << "\n";
  if (!resp.refused_by_kind().empty()) std::cout << "  refused by kind: " << kinds(resp.refused_by_kind()) << "\n";
}

void CmdAgentReconcile(const Globals& g) {
  auto stub = AgentStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, 90);
  fedreg::v1::AgentReconcileResponse r;
  DieOnRpc(stub->Reconcile(&ctx, {}, &r), "agent reconcile");
  if (g.json) return PrintJson(r);
  std::cout << "reconciled at seq " << r.as_of_seq() << ": " << r.cases() << " cases here; " << r.differing()
            << " differed from the centre (" << r.resent() << " re-sent, " << r.tombstoned() << " tombstoned)";
  for (const auto& id : r.differing_case_ids()) std::cout << " " << id;
  std::cout << "\n";
}

void CmdAgentWithdraw(const Globals& g, const std::string& record_number, const std::string& reason) {
  auto stub = AgentStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  fedreg::v1::WithdrawRequest req;
  req.set_record_number(record_number);
  req.set_reason(reason);
  fedreg::v1::WithdrawResponse resp;
  DieOnRpc(stub->Withdraw(&ctx, req, &resp), "withdraw");
  if (g.json) return PrintJson(resp);
  std::cout << "withdrawn: case " << resp.case_id() << " removed here; tombstone queued as seq " << resp.seq()
            << " for the centre\n";
}

void CmdAgentRekey(const Globals& g, const std::string& old_number, const std::string& new_number) {
  auto stub = AgentStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, g.timeout_s);
  fedreg::v1::RekeyRequest req;
  req.set_old_record_number(old_number);
  req.set_new_record_number(new_number);
  fedreg::v1::RekeyResponse resp;
  DieOnRpc(stub->Rekey(&ctx, req, &resp), "rekey");
  if (g.json) return PrintJson(resp);
  std::cout << "re-keyed: case " << resp.case_id() << " now has the new record number (nothing is sent to the "
            << "centre: the case is unchanged); import the export that holds it again\n";
}

}  // namespace

AgentCommands::AgentCommands(CLI::App& app) {
  agent_ = app.add_subcommand("agent", "commands for the local agent (unix socket)");
  agent_->require_subcommand(1);
  reconcile_ = agent_->add_subcommand("reconcile", "compare with the centre now and repair differences");
  status_ = agent_->add_subcommand("status", "backlog, acknowledged seq, quarantine, notices, last error");
  status_->add_option("SOCKET", sockets_, "agent sockets (default: --agent-socket)");
  wait_ = agent_->add_subcommand("wait-drained", "wait until every backlog is acknowledged as durable (--timeout)");
  wait_->add_option("SOCKET", sockets_, "agent sockets (default: --agent-socket)");
  import_ = agent_->add_subcommand("import", "import an export file now");
  import_->add_option("FILE", file_, "CSV or NDJSON export")->required();
  import_->add_flag("--accept-identity-changes", accept_identity_changes_,
                    "apply updates whose person (name, birth date, sex) differs from the stored case's: the "
                    "identity was corrected (otherwise they are quarantined)");
  import_->add_flag("--accept-same-person", accept_same_person_,
                    "store new record numbers whose person (name, birth date, sex) is already a case under "
                    "another number: they are two patients (otherwise they are quarantined; a renumbered "
                    "patient is re-keyed instead)");
  withdraw_ = agent_->add_subcommand("withdraw", "consent withdrawn: remove a case here and at the centre");
  withdraw_->add_option("--record-number", record_number_, "the hospital's record number")->required();
  withdraw_->add_option("--reason", reason_, "reason code")->capture_default_str();
  rekey_ = agent_->add_subcommand("rekey", "the hospital renumbered a patient: keep the case under the new record number");
  rekey_->add_option("OLD", old_number_, "the record number the case is stored under")->required();
  rekey_->add_option("NEW", new_number_, "the patient's new record number")->required();
}

bool AgentCommands::Run(const Globals& g) const {
  if (*reconcile_) CmdAgentReconcile(g);
  else if (*status_) CmdAgentStatus(g, sockets_);
  else if (*wait_) CmdAgentWaitDrained(g, sockets_);
  else if (*import_) CmdAgentImport(g, file_, accept_identity_changes_, accept_same_person_);
  else if (*withdraw_) CmdAgentWithdraw(g, record_number_, reason_);
  else if (*rekey_) CmdAgentRekey(g, old_number_, new_number_);
  else return false;
  return true;
}

}  // namespace fedreg::cli
