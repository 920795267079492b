// The order in which one pipeline rank runs its forward and backward passes in an iteration.
//
//   GPipe       all forwards, then all backwards (Huang et al. 2019).
//   1F1B        p - rank - 1 warm-up forwards, then one forward / one backward alternately,
//               then the remaining backwards (PipeDream-Flush; Narayanan et al. 2021).
//   Interleaved each rank holds v model chunks; micro-batches go through them in groups of p,
//               warm-up (p - rank - 1) * 2 + (v - 1) * p steps (Narayanan et al. 2021, sec. 2.2).
//   ZB-H1       1F1B with each backward split into B (input gradients, sent on at once) and W
//               (weight gradients), rank r running micro-batch j's W after micro-batch (j + r)'s
//               B, the rest after the last B: the W's fill what was the cool-down bubble, which
//               shrinks to (p - 1) x max(B, F + B - W) from 1F1B's (p - 1) x (F + B + W), with
//               1F1B's in-flight activations (Qi et al. 2024, "Zero Bubble Pipeline
//               Parallelism", handcrafted schedule ZB-H1).
//   DualPipeV   two chunks per rank placed in a V (chunk 0 on the way down, chunk 1 on the way
//               back), m >= 2p micro-batches; in the steady state a forward of one chunk runs
//               overlapped with a backward of the other (their communication hidden behind each
//               other's kernels), and the warm-up and cool-down split some backwards to fill
//               bubbles with weight gradients: 8 phases per rank, as DeepSeek's DualPipeV
//               (deepseek-ai/DualPipe, dualpipev.py; the "cut-in-half" DualPipe of the
//               DeepSeek-V3 report, sec. 3.2.1). Bubble (2p/2 - 1)(F&B + B - 3W) for 2p stages.
// The engine executes these lists; dependencies between ranks come from the messages.
#pragma once

#include "config/scenario_config.hpp"
#include "parallelism/layer_split.hpp"

#include <vector>

namespace dcsim {

enum class PassKind { Forward, Backward, WeightGradient };

struct PipelineStep {
  PassKind pass = PassKind::Forward;
  int micro_batch = 0;
  int virtual_index = 0; ///< which of this rank's chunks
  /// Backward only: computes the input gradients alone; this micro-batch's weight gradients of the
  /// chunk come in a later WeightGradient step.
  bool defers_weights = false;
  /// Forward only: runs overlapped with the next step, a backward of another chunk (DualPipe).
  bool with_next = false;
};

/// Where a schedule puts its chunks.
ChunkPlacement chunk_placement(PipelineSchedule schedule);
/// A job's chunks: its layers split over pipeline x virtual_stages chunks, placed as its schedule
/// places them, with the first and last chunk's layers where the job fixes them.
std::vector<ChunkLayers> job_chunks(const JobConfig& job);

/// Steps of pipeline rank `stage` for one iteration of `micro_batches` micro-batches.
/// Interleaved requires micro_batches % pipeline == 0, DualPipeV micro_batches >= 2 * pipeline and
/// two virtual stages (validated by the loader).
std::vector<PipelineStep> pipeline_steps(PipelineSchedule schedule, int stage, int pipeline, int virtual_stages,
                                         int micro_batches);

/// What a rank holds at the moment its schedule holds the most bytes: chunk passes whose forward
/// ran and whose backward has not (their activations), and deferred weight-gradient passes (their
/// GEMM inputs and output gradients), weighted by the bytes each keeps.
struct InFlight {
  int passes = 0;
  int deferred_weight_passes = 0;
};
InFlight peak_in_flight(const std::vector<PipelineStep>& steps, double pass_bytes, double deferred_weight_bytes);

} // namespace dcsim
