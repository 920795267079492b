// One collective on a cluster, alone, like nccl-tests' *_perf: over the first N GPUs in rank
// order, for each message size in turn. Used by `dcsim collective`, the collective validation
// tests and the Python module. Runs its own engine: one call per process (isolation.hpp).
#pragma once

#include "collectives/tuner.hpp"
#include "config/scenario_config.hpp"

#include <string>
#include <vector>

namespace dcsim {

struct CollectiveMeasurement {
  double bytes = 0;
  double time_s = 0;
  std::string algorithm;
  Protocol protocol = Protocol::Simple;

  double algbw_bytes_per_s() const { return bytes / time_s; }
};

/// nccl-tests' bus-bandwidth factor (doc/PERFORMANCE.md): busbw = algbw x factor.
double bus_bandwidth_factor(CollectiveKind kind, int ranks);

/// Simulates `kind` over GPUs 0..gpus-1 of `cluster` for each size, one after the other.
/// @throw std::invalid_argument when no algorithm (or not the forced one) can run it.
std::vector<CollectiveMeasurement> sweep_collective(const ClusterConfig& cluster, CollectiveKind kind, int gpus,
                                                    const std::vector<double>& sizes_bytes,
                                                    const CollectiveOverride& choice = {});

} // namespace dcsim
