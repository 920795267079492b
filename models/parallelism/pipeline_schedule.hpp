// The order in which one pipeline rank runs its forward and backward passes in an iteration.
//
//   GPipe       all forwards, then all backwards (Huang et al. 2019).
//   1F1B        p - rank - 1 warm-up forwards, then one forward / one backward alternately,
//               then the remaining backwards (PipeDream-Flush; Narayanan et al. 2021).
//   Interleaved each rank holds v model chunks; micro-batches go through them in groups of p,
//               warm-up (p - rank - 1) * 2 + (v - 1) * p steps (Narayanan et al. 2021, sec. 2.2).
// The engine executes these lists; dependencies between ranks come from the messages.
#pragma once

#include "config/scenario_config.hpp"

#include <vector>

namespace dcsim {

enum class PassKind { Forward, Backward };

struct PipelineStep {
  PassKind pass = PassKind::Forward;
  int micro_batch = 0;
  int virtual_index = 0; ///< which of this rank's chunks
};

/// Steps of pipeline rank `stage` for one iteration of `micro_batches` micro-batches.
/// Interleaved requires micro_batches % pipeline == 0 (validated by the loader).
std::vector<PipelineStep> pipeline_steps(PipelineSchedule schedule, int stage, int pipeline, int virtual_stages,
                                         int micro_batches);

} // namespace dcsim
