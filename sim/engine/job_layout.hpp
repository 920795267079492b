// Which GPU runs which rank of a job: Megatron's order, tensor-parallel ranks adjacent, then
// context-parallel ranks, then data-parallel replicas, then pipeline stages
// (rank = tp + t*(cp + c*(dp + d*pp))), starting at the job's first GPU. A TP group of 8
// therefore fills one 8-GPU node, a context-parallel group spans consecutive nodes, and a
// pipeline stage's replicas sit on consecutive nodes. Expert-parallel groups are blocks of
// consecutive data-parallel ranks (Megatron-Core's tp-cp-ep-dp-pp order).
#pragma once

#include "config/scenario_config.hpp"

#include <vector>

namespace dcsim {

class JobLayout {
public:
  JobLayout(const ParallelismConfig& parallelism, int first_gpu);

  int gpu(int tp, int cp, int dp, int pp) const { return first_gpu_ + tp + t_ * (cp + c_ * (dp + d_ * pp)); }
  /// First and last GPU of pipeline rank `pp` (all its replicas).
  int first_gpu_of_stage(int pp) const { return gpu(0, 0, 0, pp); }
  int last_gpu_of_stage(int pp) const { return gpu(t_ - 1, c_ - 1, d_ - 1, pp); }
  std::vector<int> tensor_group(int cp, int dp, int pp) const;
  std::vector<int> context_group(int tp, int dp, int pp) const;
  /// The ranks that reduce each other's gradients: every context and data-parallel rank.
  std::vector<int> data_group(int tp, int pp) const;
  /// The expert-parallel group of data-parallel rank `dp`: the block of `expert` replicas around it.
  std::vector<int> expert_group(int tp, int cp, int dp, int pp) const;
  /// The ranks holding the same experts as data-parallel rank `dp` (same place in their expert
  /// group), every context rank included: they reduce the experts' gradients.
  std::vector<int> expert_data_group(int tp, int dp, int pp) const;
  int first_gpu() const { return first_gpu_; }

private:
  int first_gpu_, t_, c_, d_, e_;
};

} // namespace dcsim
