// Runs bare collectives on a cluster's platform (no training job), for tests of the network and
// collective layers. Each call runs in a child process.
#pragma once

#include "config/scenario_config.hpp"
#include "collectives/tuner.hpp"
#include "parallelism/collective_call.hpp"

#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

namespace dcsim {
class Platform;
}

namespace dcsim::test {

/// Runs, in a child process, a fresh engine on `cluster` with the options the engine runs with
/// (CM02, no cross-traffic): `actors(platform, out)` creates the actors, which write what they
/// find into `out`; returns `out` once the simulation has ended, with `solo` and `interrupted`
/// (FabricOccupancy's counts) added.
nlohmann::json run_in_engine(const ClusterConfig& cluster, bool allow_solo,
                             const std::function<void(const Platform&, nlohmann::json&)>& actors);

/// Starts one collective per group at t = 0 (all concurrently; or at `start_s[g]` when given) and
/// returns when each finished. The algorithm and protocol are the tuner's unless `choice` names
/// them. `allow_solo` false simulates every phase flow by flow (collectives/fabric_occupancy.hpp).
std::vector<double> time_concurrent_collectives(const ClusterConfig& cluster, const std::vector<std::vector<int>>& groups,
                                                const CollectiveCall& call, const CollectiveOverride& choice = {},
                                                const std::vector<double>& start_s = {}, bool allow_solo = true);

/// The same, also counting the phases that ran solo and how many of those other traffic interrupted.
struct ConcurrentRun {
  std::vector<double> done_s;
  long solo_runs = 0;
  long interrupted_runs = 0;
};
ConcurrentRun run_concurrent_collectives(const ClusterConfig& cluster, const std::vector<std::vector<int>>& groups,
                                         const CollectiveCall& call, const CollectiveOverride& choice = {},
                                         const std::vector<double>& start_s = {}, bool allow_solo = true);

} // namespace dcsim::test

#include "engine/collective_sweep.hpp"

namespace dcsim::test {

/// sweep_collective in a child process (one simulation per process).
std::vector<CollectiveMeasurement> isolated_sweep(const ClusterConfig& cluster, CollectiveKind kind, int gpus,
                                                  const std::vector<double>& sizes_bytes,
                                                  const CollectiveOverride& choice = {});

} // namespace dcsim::test
