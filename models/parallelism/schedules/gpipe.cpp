// GPipe (Huang et al. 2019): every forward, then every backward.
#include "parallelism/schedules/schedules.hpp"

namespace dcsim::schedules {

std::vector<PipelineStep> gpipe(int micro_batches)
{
  std::vector<PipelineStep> steps;
  for (int m = 0; m < micro_batches; ++m)
    steps.push_back({PassKind::Forward, m, 0});
  for (int m = 0; m < micro_batches; ++m)
    steps.push_back({PassKind::Backward, m, 0});
  return steps;
}

} // namespace dcsim::schedules
