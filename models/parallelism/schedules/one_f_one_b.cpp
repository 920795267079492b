// 1F1B (PipeDream-Flush; Narayanan et al. 2021): p - rank - 1 warm-up forwards, then one
// forward and one backward in turn, then the remaining backwards.
#include "parallelism/schedules/schedules.hpp"

#include <algorithm>

namespace dcsim::schedules {

std::vector<PipelineStep> one_f_one_b(int stage, int pipeline, int micro_batches)
{
  const int warmup = std::min(pipeline - stage - 1, micro_batches);
  std::vector<PipelineStep> steps;
  int next_forward = 0;
  int next_backward = 0;
  for (int i = 0; i < warmup; ++i)
    steps.push_back({PassKind::Forward, next_forward++, 0});
  while (next_forward < micro_batches) {
    steps.push_back({PassKind::Forward, next_forward++, 0});
    steps.push_back({PassKind::Backward, next_backward++, 0});
  }
  while (next_backward < micro_batches)
    steps.push_back({PassKind::Backward, next_backward++, 0});
  return steps;
}

} // namespace dcsim::schedules
