#include "parallelism/pipeline_schedule.hpp"

#include <algorithm>

namespace dcsim {

namespace {

std::vector<PipelineStep> gpipe(int micro_batches)
{
  std::vector<PipelineStep> steps;
  for (int m = 0; m < micro_batches; ++m)
    steps.push_back({PassKind::Forward, m, 0});
  for (int m = 0; m < micro_batches; ++m)
    steps.push_back({PassKind::Backward, m, 0});
  return steps;
}

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

std::vector<PipelineStep> zero_bubble_h1(int stage, int pipeline, int micro_batches)
{
  // 1F1B's order of forwards and backwards; the W of micro-batch j waits behind `stage` later
  // B's (rank 0, which holds the most activations, runs each W at once).
  std::vector<PipelineStep> steps;
  int next_weight = 0;
  for (const PipelineStep& step : one_f_one_b(stage, pipeline, micro_batches)) {
    steps.push_back(step);
    if (step.pass == PassKind::Backward && step.micro_batch - next_weight >= stage)
      steps.push_back({PassKind::WeightGradient, next_weight++, 0});
  }
  while (next_weight < micro_batches)
    steps.push_back({PassKind::WeightGradient, next_weight++, 0});
  return steps;
}

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

} // namespace

bool splits_backward(PipelineSchedule schedule)
{
  return schedule == PipelineSchedule::ZeroBubbleH1;
}

std::vector<PipelineStep> pipeline_steps(PipelineSchedule schedule, int stage, int pipeline, int virtual_stages,
                                         int micro_batches)
{
  switch (schedule) {
    case PipelineSchedule::GPipe:
      return gpipe(micro_batches);
    case PipelineSchedule::OneFOneB:
      return one_f_one_b(stage, pipeline, micro_batches);
    case PipelineSchedule::Interleaved:
      return interleaved(stage, pipeline, virtual_stages, micro_batches);
    case PipelineSchedule::ZeroBubbleH1:
      return zero_bubble_h1(stage, pipeline, micro_batches);
  }
  return {};
}

} // namespace dcsim
