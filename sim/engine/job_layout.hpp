// Which GPU runs which rank of a job: Megatron's order, tensor-parallel ranks adjacent, then
// data-parallel replicas, then pipeline stages (rank = tp + t*(dp + d*pp)), starting at the job's
// first GPU. A TP group of 8 therefore fills one 8-GPU node, and a pipeline stage's replicas sit
// on consecutive nodes.
#pragma once

#include "config/scenario_config.hpp"

#include <vector>

namespace dcsim {

class JobLayout {
public:
  JobLayout(const ParallelismConfig& parallelism, int first_gpu);

  int gpu(int tp, int dp, int pp) const { return first_gpu_ + tp + t_ * (dp + d_ * pp); }
  std::vector<int> tensor_group(int dp, int pp) const;
  std::vector<int> data_group(int tp, int pp) const;
  int first_gpu() const { return first_gpu_; }

private:
  int first_gpu_, t_, d_;
};

} // namespace dcsim
