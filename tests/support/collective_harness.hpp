// Runs bare collectives on a cluster's platform (no training job), for tests of the network and
// collective layers. Each call runs in a child process.
#pragma once

#include "config/scenario_config.hpp"
#include "parallelism/collective_call.hpp"

#include <vector>

namespace dcsim::test {

/// Starts one collective per group at t = 0 (all concurrently) and returns when each finished.
std::vector<double> time_concurrent_collectives(const ClusterConfig& cluster, const std::vector<std::vector<int>>& groups,
                                                const CollectiveCall& call);

} // namespace dcsim::test
