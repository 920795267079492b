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
// The engine executes these lists; dependencies between ranks come from the messages.
#pragma once

#include "config/scenario_config.hpp"

#include <vector>

namespace dcsim {

/// Backward is the whole backward, or under a zero-bubble schedule only its input gradients.
enum class PassKind { Forward, Backward, WeightGradient };

struct PipelineStep {
  PassKind pass = PassKind::Forward;
  int micro_batch = 0;
  int virtual_index = 0; ///< which of this rank's chunks
};

/// Whether the schedule runs weight gradients as steps of their own.
bool splits_backward(PipelineSchedule schedule);

/// Steps of pipeline rank `stage` for one iteration of `micro_batches` micro-batches.
/// Interleaved requires micro_batches % pipeline == 0 (validated by the loader).
std::vector<PipelineStep> pipeline_steps(PipelineSchedule schedule, int stage, int pipeline, int virtual_stages,
                                         int micro_batches);

} // namespace dcsim
