// The aggregator's Prometheus metrics (DESIGN.md section 10).
#pragma once

#include <string>

#include "server/centre_store.h"
#include "server/sync_service.h"

namespace fedreg::server {

std::string RenderCentreMetrics(const CentreStore& store, const SyncServiceImpl& sync);

}  // namespace fedreg::server
