// ZB-H1 (Qi et al. 2024, "Zero Bubble Pipeline Parallelism"): 1F1B with each backward split into
// its input gradients and its weight gradients, the latter run late to fill the cool-down.
#include "parallelism/schedules/schedules.hpp"

namespace dcsim::schedules {

std::vector<PipelineStep> zero_bubble_h1(int stage, int pipeline, int micro_batches)
{
  // 1F1B's order of forwards and backwards; the W of micro-batch j waits behind `stage` later
  // B's (rank 0, which holds the most activations, runs each W at once).
  std::vector<PipelineStep> steps;
  int next_weight = 0;
  for (PipelineStep step : one_f_one_b(stage, pipeline, micro_batches)) {
    step.defers_weights = step.pass == PassKind::Backward;
    steps.push_back(step);
    if (step.pass == PassKind::Backward && step.micro_batch - next_weight >= stage)
      steps.push_back({PassKind::WeightGradient, next_weight++, 0});
  }
  while (next_weight < micro_batches)
    steps.push_back({PassKind::WeightGradient, next_weight++, 0});
  return steps;
}

} // namespace dcsim::schedules
