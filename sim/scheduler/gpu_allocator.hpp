// Which GPUs of the cluster are free, and where a job of n GPUs goes. A job gets consecutive GPUs
// inside one node when it fits in one, else whole nodes (the last possibly in part); the
// placement policy (placement_policy.hpp) chooses which node or nodes among the free ones.
#pragma once

#include "engine/placement.hpp"
#include "node_locality.hpp"
#include "scheduler/placement_policy.hpp"

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

namespace dcsim {

class GpuAllocator {
public:
  /// Nodes in one flat block unless `locality` says where they sit; `seed` drives random placements.
  GpuAllocator(int nodes, int gpus_per_node, const PlacementPolicy& policy = consecutive_placement(),
               NodeLocality locality = {}, std::uint64_t seed = 1);

  /// Takes GPUs for a job of `gpus` where the policy puts it, or nothing when no place is free.
  /// With `reserved`, leaves its GPUs alone (a whole-node job also the rest of their nodes); with
  /// `allowed` (per node, 1: may be used), only uses those nodes (a conservative backfill plan).
  std::optional<Placement> allocate(int gpus, const Placement* reserved = nullptr,
                                    const std::vector<std::uint8_t>* allowed = nullptr);
  void release(const Placement& placement);
  /// Takes a released placement's GPUs again (undoes release(); they must be free).
  void occupy(const Placement& placement);
  int free_gpus() const { return free_; }
  int total_gpus() const { return static_cast<int>(busy_.size()); }
  int gpus_per_node() const { return gpus_per_node_; }
  const PlacementPolicy& policy() const { return policy_; }

private:
  std::optional<Placement> within_node(int gpus, const Placement* reserved);
  std::optional<Placement> across_nodes(int gpus);
  /// First GPU of a free range of `gpus` in `node` clear of `reserved`, or -1.
  int free_range(int node, int gpus, const Placement* reserved) const;
  void mark(const Placement& placement, bool busy);
  static constexpr std::uint8_t kReserved = 1; ///< holds a GPU of the reservation
  static constexpr std::uint8_t kBarred = 2;   ///< not allowed to the job at all
  ClusterView view() const { return {node_free_, reserved_node_, locality_, gpus_per_node_}; }

  const PlacementPolicy& policy_;
  NodeLocality locality_;
  std::mt19937_64 rng_;
  int gpus_per_node_;
  std::vector<std::uint8_t> busy_;          ///< per GPU
  std::vector<int> node_free_;              ///< free GPUs per node
  std::vector<std::uint8_t> reserved_node_; ///< per node, during one allocate(): kReserved, kBarred or 0
  std::vector<int> candidates_;             ///< nodes with room, during one allocate()
  int free_;
};

} // namespace dcsim
