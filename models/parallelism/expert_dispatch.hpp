// The traffic of expert parallelism, per MoE layer and micro-batch, over the ep ranks that split
// each layer's experts (Megatron-Core's all-to-all token dispatcher; engine: the expert group of
// tensor-parallel rank 0).
//
// Each rank routes its tokens (T/t of them under sequence parallelism, T = micro x seq / context)
// to top_k experts: an all-to-all sends every copy to the rank holding its expert (dispatch) and a
// second brings the outputs back (combine), T/t x top_k x h x e bytes each per rank. Backward
// mirrors both. With balanced routing (dropless, aux-loss balanced, as the benchmarks that
// calibrate against run) a rank keeps 1/ep of the copies. The exchanges sit on the critical path.
//
// With `fp8_dispatch` (DeepSeek-V3 sec. 3.3.2) the tokens going to the experts, and the
// gradients going back to them, travel in FP8 with one fp32 scale per 128 elements (1.03125
// bytes each); the combine and its gradient stay in the activations' precision.
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
/// Bytes per element of an FP8 dispatch: one byte plus a 4-byte scale per 1 x 128 tile.
constexpr double kFp8DispatchElementBytes = 1.0 + 4.0 / 128.0;

// Hierarchical dispatch (`parallelism.expert_dispatch: hierarchical`; DeepSeek-AI 2024,
// arXiv:2412.19437 sec. 3.2.2, and DeepEP): a token crosses the network at most once per node
// that holds any of its experts, to the rank at the sender's own position in that node, which
// forwards the copies over NVLink to the experts' ranks. With experts spread evenly over the
// group's nodes and routing balanced, every rank sends the same bytes to the same position on
// every other node, and every copy takes one NVLink hop unless it landed on its expert's rank.

/// The mean number of nodes other than its own that a token's top_k experts lie on, over
/// `nodes` nodes: min(routing_nodes, top_k, nodes) x (nodes - 1) / nodes with node-limited
/// routing; else nodes x (1 - C(E - E/nodes, k) / C(E, k)) x (nodes - 1) / nodes, the expected
/// distinct nodes of k experts drawn from E without replacement (own node excluded).
double remote_nodes_per_token(const ModelConfig& model, int nodes);

struct HierarchicalDispatch {
  CollectiveCall network; ///< all-to-all among the ranks at one position across the nodes
  CollectiveCall node;    ///< all-to-all among the group's ranks of one node
};

/// A flat dispatch call's two hierarchical steps over `nodes` nodes (> 1).
HierarchicalDispatch hierarchical_dispatch(const CollectiveCall& flat, const ModelConfig& model, int nodes);

} // namespace dcsim
