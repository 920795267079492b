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

/// Appends a rank's passes in order, numbering each chunk's micro-batches and queueing the weight
/// gradients that backwards defer.
class StepWriter {
public:
  void forward(int chunk, bool with_next = false)
  {
    steps_.push_back({PassKind::Forward, next_forward_[chunk]++, chunk, false, with_next});
  }
  void backward(int chunk, bool defer_weights = false)
  {
    const int micro_batch = next_backward_[chunk]++;
    steps_.push_back({PassKind::Backward, micro_batch, chunk, defer_weights});
    if (defer_weights)
      deferred_.push_back({PassKind::WeightGradient, micro_batch, chunk});
  }
  /// The oldest deferred weight gradient.
  void weight_gradient()
  {
    if (deferred_.empty()) // only with fewer micro-batches than the schedule needs (the loader refuses those)
      return;
    steps_.push_back(deferred_.front());
    deferred_.erase(deferred_.begin());
  }
  /// A forward of `forward_chunk` overlapped with a backward of the other chunk.
  void forward_backward(int forward_chunk)
  {
    forward(forward_chunk, true);
    backward(1 - forward_chunk);
  }
  std::vector<PipelineStep> steps() const { return steps_; }

private:
  std::vector<PipelineStep> steps_;
  std::vector<PipelineStep> deferred_;
  int next_forward_[2] = {0, 0};
  int next_backward_[2] = {0, 0};
};

std::vector<PipelineStep> dual_pipe_v(int rank, int pipeline, int micro_batches)
{
  // Chunk 0 is stage `rank` of 2p, chunk 1 stage 2p - 1 - rank. Phase lengths as in DeepSeek's
  // dualpipev.py; `down` = ranks below this one on the way down.
  const int down = pipeline - rank - 1;
  StepWriter w;
  for (int i = 0; i < 2 * down; ++i) // 1: warm chunk 0 up
    w.forward(0);
  for (int i = 0; i <= rank; ++i) { // 2: both chunks
    w.forward(0);
    w.forward(1);
  }
  for (int i = 0; i < down; ++i) { // 3: first backwards of chunk 1, their W at once (zero bubble)
    w.backward(1, true);
    w.weight_gradient();
    w.forward(1);
  }
  const int steady = micro_batches - 2 * pipeline + rank + 1;
  for (int i = 0; i < steady; ++i) { // 4: forward of one chunk with a backward of the other
    if (i == 0 && rank == pipeline - 1) {
      w.forward(0); // the V's turning point: not overlapped, which shortens the bubble
      w.backward(1);
    } else {
      w.forward_backward(0);
    }
    w.forward_backward(1);
  }
  for (int i = 0; i < down; ++i) { // 5: chunk 1's forwards run out
    w.backward(1);
    w.forward_backward(1);
  }
  bool defer = false; // 6: backwards only; from the middle on they defer their weight gradients
  for (int i = 0; i <= rank; ++i) {
    const bool switch_here = i == (rank + 1) / 2;
    if (switch_here && rank % 2 == 1)
      defer = true;
    w.backward(1, defer);
    if (switch_here && rank % 2 == 0)
      defer = true;
    w.backward(0, defer);
  }
  for (int i = 0; i < down; ++i) { // 7: weight gradients between the last backwards
    w.weight_gradient();
    w.backward(0, true);
  }
  for (int i = 0; i <= rank; ++i) // 8: the remaining weight gradients
    w.weight_gradient();
  return w.steps();
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

ChunkPlacement chunk_placement(PipelineSchedule schedule)
{
  return schedule == PipelineSchedule::DualPipeV ? ChunkPlacement::V : ChunkPlacement::Interleaved;
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
    case PipelineSchedule::DualPipeV:
      return dual_pipe_v(stage, pipeline, micro_batches);
  }
  return {};
}

InFlight peak_in_flight(const std::vector<PipelineStep>& steps, double pass_bytes, double deferred_weight_bytes)
{
  InFlight now, peak;
  double most = -1;
  for (const PipelineStep& step : steps) {
    switch (step.pass) {
      case PassKind::Forward:
        ++now.passes;
        break;
      case PassKind::Backward:
        --now.passes;
        if (step.defers_weights)
          ++now.deferred_weight_passes;
        break;
      case PassKind::WeightGradient:
        --now.deferred_weight_passes;
        break;
    }
    const double bytes = now.passes * pass_bytes + now.deferred_weight_passes * deferred_weight_bytes;
    if (bytes > most) {
      most = bytes;
      peak = now;
    }
  }
  return peak;
}

} // namespace dcsim
