// One collective on a cluster, alone, like nccl-tests' *_perf: over the first N GPUs in rank
// order (or K on each node, as `mpirun -N K` places them), for each message size in turn. Used by `dcsim collective`, the collective validation
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
  double estimated_s = 0; ///< the tuner's prediction, by which it chose
  int channels = 0;       ///< NCCL channels in use, where the profile gives them (0: not modelled)

  double algbw_bytes_per_s() const { return bytes / time_s; }
};

/// nccl-tests' bus-bandwidth factor (doc/PERFORMANCE.md): busbw = algbw x factor.
double bus_bandwidth_factor(CollectiveKind kind, int ranks);

/// The ranks of a collective over `gpus` GPUs, `per_node` on each node in turn (the first GPUs
/// of nodes 0, 1, ...; 0: every GPU of a node, i.e. GPUs 0..gpus-1).
std::vector<int> collective_group(const ClusterConfig& cluster, int gpus, int per_node);

/// Simulates `kind` over collective_group(cluster, gpus, per_node) for each size, one after the other.
/// @throw std::invalid_argument when no algorithm (or not the forced one) can run it.
std::vector<CollectiveMeasurement> sweep_collective(const ClusterConfig& cluster, CollectiveKind kind, int gpus,
                                                    const std::vector<double>& sizes_bytes,
                                                    const CollectiveOverride& choice = {}, int per_node = 0);

} // namespace dcsim
