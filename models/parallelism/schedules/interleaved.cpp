// Megatron's interleaved 1F1B (Narayanan et al. 2021, sec. 2.2): v chunks per rank, micro-batches
// through them in groups of p.
#include "parallelism/schedules/schedules.hpp"

#include <algorithm>

namespace dcsim::schedules {

namespace {

// Megatron's mapping from the k-th forward (or backward) step to (micro-batch, chunk).
PipelineStep interleaved_step(PassKind pass, int k, int pipeline, int virtual_stages)
{
  const int group = pipeline * virtual_stages;
  const int in_group = k % group;
  int chunk = in_group / pipeline;
  if (pass == PassKind::Backward)
    chunk = virtual_stages - 1 - chunk;
  const int micro_batch = (k / group) * pipeline + in_group % pipeline;
  return {pass, micro_batch, chunk};
}

} // namespace

std::vector<PipelineStep> interleaved(int stage, int pipeline, int virtual_stages, int micro_batches)
{
  const int total = micro_batches * virtual_stages;
  int warmup = (pipeline - stage - 1) * 2 + (virtual_stages - 1) * pipeline;
  if (micro_batches == pipeline)
    warmup = total; // Megatron runs all forwards first in this case
  warmup = std::min(warmup, total);
  std::vector<PipelineStep> steps;
  int next_forward = 0;
  int next_backward = 0;
  for (int i = 0; i < warmup; ++i)
    steps.push_back(interleaved_step(PassKind::Forward, next_forward++, pipeline, virtual_stages));
  while (next_forward < total) {
    steps.push_back(interleaved_step(PassKind::Forward, next_forward++, pipeline, virtual_stages));
    steps.push_back(interleaved_step(PassKind::Backward, next_backward++, pipeline, virtual_stages));
  }
  while (next_backward < total)
    steps.push_back(interleaved_step(PassKind::Backward, next_backward++, pipeline, virtual_stages));
  return steps;
}

} // namespace dcsim::schedules
