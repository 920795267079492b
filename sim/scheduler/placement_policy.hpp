// Which free nodes a starting job gets. One file per policy (consecutive_placement.cpp,
// topology_aware_placement.cpp, scattered_placement.cpp), listed once in placements.cpp. The
// allocator (gpu_allocator.hpp) keeps the books; a policy only chooses among what is free.
#pragma once

#include "config/scenario_config.hpp"
#include "node_locality.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace dcsim {

/// What a placement policy sees of the cluster.
struct ClusterView {
  const std::vector<int>& free_gpus;         ///< per node
  const std::vector<std::uint8_t>& reserved; ///< per node: 1 when a reservation holds a GPU of it
  const NodeLocality& locality;
  int gpus_per_node = 0;

  int nodes() const { return static_cast<int>(free_gpus.size()); }
  /// A node a job of whole nodes may take.
  bool whole_free(int node) const { return free_gpus[node] == gpus_per_node && !reserved[node]; }
};

class PlacementPolicy {
public:
  virtual ~PlacementPolicy() = default;
  virtual PlacementKind kind() const = 0;
  virtual std::string name() const = 0;
  /// `count` nodes for a job of whole nodes, among those whole_free, in the order its ranks fill
  /// them; empty when the policy finds none (the caller has checked that `count` are free).
  virtual std::vector<int> pick_nodes(const ClusterView& view, int count, std::mt19937_64& rng) const = 0;
  /// The node for a job within one node, among `candidates` (ascending; each has a free range
  /// of consecutive GPUs for it outside any reservation).
  virtual int pick_node(const ClusterView& view, const std::vector<int>& candidates, std::mt19937_64& rng) const = 0;
  /// Whether pick_node always takes the first candidate: the allocator then stops looking after
  /// it (smallest-first over a Philly queue tries thousands of small jobs per decision).
  virtual bool takes_first_candidate() const { return false; }
  /// The `count` nodes a blocked job of whole nodes reserves (EASY backfilling), given when each
  /// node will be free: by default those that free first (ties: lowest index).
  virtual std::vector<int> reserve(const std::vector<double>& free_at, int count) const;
};

const PlacementPolicy& consecutive_placement();
const PlacementPolicy& topology_aware_placement();
const PlacementPolicy& scattered_placement();

/// The policy of `kind` (placements.cpp).
const PlacementPolicy& placement_policy(PlacementKind kind);

} // namespace dcsim
