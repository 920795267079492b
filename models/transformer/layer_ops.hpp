// The kernels one tensor-parallel rank runs for one transformer layer, one micro-batch.
//
// Megatron-LM's layer (Shoeybi et al. 2019; Korthikanti et al. 2022), per rank of a TP group of
// size t, T = micro_batch * seq tokens, h hidden, f ffn hidden, a heads, d = h/a:
//   LN -> QKV GEMM [T, h] x [h, (h + 2 h_kv)/t] -> attention core -> out-proj [T, h/t] x [h/t, h]
//   -> dropout+residual -> LN -> MLP up [T, h] x [h, f/t] (x2 for SwiGLU) -> GELU/SwiGLU
//   -> MLP down [T, f/t] x [f/t, h] -> dropout+residual.
// With sequence parallelism the norms, dropouts and residuals run on T/t tokens. With context
// parallelism c every token-wise kernel runs on T/c tokens and the attention core on 1/c of the
// causal work (engine-side: parallelism/context_exchange.hpp moves the keys and values).
// The attention core is either FlashAttention (one fused kernel, causal: half the s^2 work is
// skipped) or Megatron's unfused path (two batched GEMMs around a fused scale-mask-softmax and an
// attention dropout that read and write the b*a/t*s^2 score matrix).
// Backward runs, for every GEMM, one GEMM for the input gradient and one for the weight gradient
// (2x the forward FLOPs) and memory-bound kernels that read about 1.5x what the forward wrote.
#pragma once

#include "transformer/op.hpp"
#include "config/scenario_config.hpp"

#include <vector>

namespace dcsim {

/// Everything about a layer's execution context that changes its kernels.
struct LayerContext {
  int micro_batch = 1;
  int tensor = 1;
  bool sequence_parallel = false;
  AttentionKernel attention = AttentionKernel::Flash;
  double activation_bytes = 2; ///< bytes per activation element (bf16/fp16: 2)
  int context = 1;             ///< context-parallel degree: this rank holds 1/c of each sequence
  ContextExchange context_exchange = ContextExchange::Ring;
  int expert = 1;              ///< expert-parallel degree: this rank holds experts / expert of each MoE layer
  /// The linear layers' GEMMs run in FP8: each gradient they take is cast (and transposed) to FP8
  /// first, and the attention projection's input and the experts' tokens too (Transformer Engine
  /// fuses the other inputs' casts into the norms and activations that produce them).
  bool fp8 = false;
  /// MoE tokens reach the experts already in FP8 (parallelism.fp8_dispatch); otherwise, in an
  /// FP8 job, the permuted tokens are cast before the experts' first GEMM.
  bool fp8_dispatch = false;
};

struct LayerOps {
  std::vector<Op> forward;
  std::vector<Op> backward;
  /// Ops re-run before the backward under selective recompute, per module (RecomputeModules):
  /// the attention core (core_attn), the two norms (layernorm), MLA's up-projections
  /// (mla_up_proj), the routed experts' activation (moe_act).
  std::vector<Op> selective_recompute;
  std::vector<Op> norm_recompute;
  std::vector<Op> latent_up_recompute;
  std::vector<Op> expert_activation_recompute;
  /// The attention core's forward and backward kernels (also in forward/backward): ring attention
  /// hides its key/value hand-offs behind them.
  std::vector<Op> attention_forward;
  std::vector<Op> attention_backward;
};

/// Kernels of one transformer layer on one TP rank.
LayerOps transformer_layer_ops(const ModelConfig& model, const LayerContext& context);
/// Input embedding lookup (+ position embedding and dropout) on the first pipeline stage.
LayerOps embedding_ops(const ModelConfig& model, const LayerContext& context);
/// Final norm, vocabulary-parallel LM head and cross-entropy on the last pipeline stage.
LayerOps head_ops(const ModelConfig& model, const LayerContext& context);
/// A multi-token-prediction module's own kernels (its layer and output pass are the usual ones):
/// the next token's embedding, two norms and the [T, 2h] x [2h, h] projection.
LayerOps mtp_join_ops(const ModelConfig& model, const LayerContext& context);

} // namespace dcsim
