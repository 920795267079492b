// The traffic of expert parallelism, per MoE layer and micro-batch, over the ep ranks that split
// each layer's experts (Megatron-Core's all-to-all token dispatcher; engine: the expert group of
// tensor-parallel rank 0).
//
// Each rank routes its tokens (T/t of them under sequence parallelism, T = micro x seq / context)
// to top_k experts: an all-to-all sends every copy to the rank holding its expert (dispatch) and a
// second brings the outputs back (combine), T/t x top_k x h x e bytes each per rank. Backward
// mirrors both. With balanced routing (dropless, aux-loss balanced, as the benchmarks that
// calibrate against run) a rank keeps 1/ep of the copies. The exchanges sit on the critical path.
#pragma once

#include "config/scenario_config.hpp"
#include "parallelism/collective_call.hpp"

namespace dcsim {

struct ExpertDispatchCalls {
  CollectiveCalls forward;
  CollectiveCalls backward; ///< without the recomputed forward's (the caller adds them)
};

/// One MoE layer's expert-parallel collectives for one micro-batch; empty without expert parallelism.
ExpertDispatchCalls expert_dispatch_calls(const JobConfig& job, double element_bytes);

/// Sent per rank by one dispatch (or combine) all-to-all.
double expert_dispatch_bytes(const JobConfig& job, double element_bytes);

} // namespace dcsim
