// The agent's Prometheus metrics (DESIGN.md section 10).
#pragma once

#include <string>

#include "agent/admin_service.h"
#include "agent/agent_store.h"
#include "agent/importer.h"
#include "agent/notice_receiver.h"
#include "agent/sender.h"

namespace fedreg::agent {

// `importer` gives what imports normalised and refused since start, by
// kind; `notices` the trial-match notices received; `actions` (optional)
// what data managers did with the quarantine.
std::string RenderAgentMetrics(const std::string& site_id, const AgentStore& store, const Sender& sender,
                               const Importer& importer, const NoticeReceiver& notices,
                               const QuarantineActions* actions = nullptr);

}  // namespace fedreg::agent
