// DualPipeV (deepseek-ai/DualPipe, dualpipev.py; DeepSeek-V3 report sec. 3.2.1, cut in half): two
// chunks per rank in a V, 8 phases per rank, forward/backward pairs in the steady state.
#include "parallelism/schedules/schedules.hpp"

namespace dcsim::schedules {

namespace {

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

} // namespace

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

} // namespace dcsim::schedules
