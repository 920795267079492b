// The GPUs a job runs on, in rank order. A job within one node takes consecutive GPUs of it; a
// larger job takes whole nodes (the last possibly in part), its ranks filling them in the order
// the nodes are listed. The scheduler's placement policy chooses the nodes
// (scheduler/placement_policy.hpp); without a scheduler, jobs take consecutive GPUs.
#pragma once

#include <string>
#include <vector>

namespace dcsim {

class Placement {
public:
  Placement() = default;
  /// GPUs first_gpu, first_gpu + 1, ..., first_gpu + gpus - 1.
  static Placement consecutive(int first_gpu, int gpus, int gpus_per_node);
  /// Ranks fill `nodes` in order, from the first GPU of the first node.
  static Placement on_nodes(std::vector<int> nodes, int gpus, int gpus_per_node);

  /// The GPU of rank `rank` (0 <= rank < gpus()).
  int gpu(int rank) const
  {
    const int slot = offset_ + rank;
    return nodes_[slot / per_node_] * per_node_ + slot % per_node_;
  }
  int gpus() const { return gpus_; }
  int first_gpu() const { return gpu(0); }
  /// The job's nodes in rank order.
  const std::vector<int>& nodes() const { return nodes_; }
  /// The nodes holding ranks first_rank .. first_rank + count - 1, in rank order.
  std::vector<int> nodes_of_ranks(int first_rank, int count) const;
  bool uses_gpu(int gpu) const;
  /// Every GPU, in rank order.
  std::vector<int> gpu_list() const;
  /// The nodes as sorted ranges, e.g. "0-15,32-47".
  std::string node_ranges() const;

private:
  std::vector<int> nodes_;
  int offset_ = 0; ///< first GPU used in the first node
  int gpus_ = 0;
  int per_node_ = 1;
};

} // namespace dcsim
