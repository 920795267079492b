// Which GPU runs which rank of a job: Megatron's order, tensor-parallel ranks adjacent, then
// context-parallel ranks, then data-parallel replicas, then pipeline stages
// (rank = tp + t*(cp + c*(dp + d*pp))), each rank on the GPU its placement gives it (ranks fill
// the job's nodes in order; engine/placement.hpp). A TP group of 8 therefore fills one 8-GPU
// node, a context-parallel group spans neighbouring nodes of the placement, and a pipeline
// stage's replicas sit on neighbouring nodes. Expert-parallel groups are blocks of
// consecutive data-parallel ranks (Megatron-Core's tp-cp-ep-dp-pp order).
#pragma once

#include "config/scenario_config.hpp"
#include "engine/placement.hpp"

#include <vector>

namespace dcsim {

class JobLayout {
public:
  JobLayout(const ParallelismConfig& parallelism, Placement placement);

  int gpu(int tp, int cp, int dp, int pp) const { return placement_.gpu(tp + t_ * (cp + c_ * (dp + d_ * pp))); }
  /// First GPU of pipeline rank `pp`.
  int first_gpu_of_stage(int pp) const { return gpu(0, 0, 0, pp); }
  /// The nodes of pipeline rank `pp` (all its replicas).
  std::vector<int> nodes_of_stage(int pp) const { return placement_.nodes_of_ranks(pp * t_ * c_ * d_, t_ * c_ * d_); }
  std::vector<int> tensor_group(int cp, int dp, int pp) const;
  std::vector<int> context_group(int tp, int dp, int pp) const;
  /// The ranks that reduce each other's gradients: every context and data-parallel rank.
  std::vector<int> data_group(int tp, int pp) const;
  /// The expert-parallel group of data-parallel rank `dp`: the block of `expert` replicas around it.
  std::vector<int> expert_group(int tp, int cp, int dp, int pp) const;
  /// The ranks holding the same experts as data-parallel rank `dp` (same place in their expert
  /// group), every context rank included: they reduce the experts' gradients.
  std::vector<int> expert_data_group(int tp, int dp, int pp) const;
  int first_gpu() const { return placement_.first_gpu(); }
  const Placement& placement() const { return placement_; }

private:
  Placement placement_;
  int t_, c_, d_, e_;
};

} // namespace dcsim
