// The agent's Prometheus metrics (DESIGN.md section 10).
#pragma once

#include <string>

#include "agent/agent_store.h"
#include "agent/sender.h"

namespace fedreg::agent {

std::string RenderAgentMetrics(const std::string& site_id, const AgentStore& store, const Sender& sender);

}  // namespace fedreg::agent
