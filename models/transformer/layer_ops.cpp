#include "transformer/layer_ops.hpp"

#include "transformer/attention_shape.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace dcsim {

namespace {

enum class Operand { Weight, Activation };

struct Dims {
  double e;      // bytes per activation element
  double tokens; // T = micro_batch * seq / context: the tokens this rank holds
  double norm_tokens; // tokens seen by norms/dropouts/residuals on this rank (T/t with SP)
  long long t;   // tensor-parallel degree
  long long s, h, f;
  AttentionShape attention;
  bool fp8 = false; // the linear layers' GEMMs in FP8 (LayerContext::fp8)
};

Dims dims_of(const ModelConfig& m, const LayerContext& c)
{
  Dims d;
  d.e = c.activation_bytes;
  d.tokens = double(c.micro_batch) * m.seq_len / c.context;
  d.norm_tokens = c.sequence_parallel ? d.tokens / c.tensor : d.tokens;
  d.t = c.tensor;
  d.s = m.seq_len, d.h = m.hidden, d.f = m.ffn_hidden;
  d.attention = attention_shape(m);
  d.fp8 = c.fp8;
  return d;
}

/// Bytes per element of a cast to FP8 that also writes the transposed copy the weight-gradient
/// GEMM reads (Transformer Engine's cast_transpose): the 16-bit input read, two 1-byte outputs.
double fp8_cast_bytes(const Dims& d) { return d.e + 2.0; }

/// Input-gradient and weight-gradient GEMMs of a forward GEMM C[m,n] = A[m,k] B[k,n]:
/// dA[m,k] = dC[m,n] B^T[n,k] and dB[k,n] = A^T[k,m] dC[m,n]. dB is a parameter's gradient
/// only when B is a weight (not in attention's Q K^T and P V, where both sides are activations).
/// In FP8 a linear layer's output gradient dC is cast (and transposed) to FP8 first.
void add_gemm_backward(std::vector<Op>& backward, const Op& forward, const Dims& d, Operand b = Operand::Weight)
{
  if (d.fp8 && b == Operand::Weight && !forward.high_precision)
    backward.push_back(Op::memory(forward.name + ".grad_fp8_cast",
                                  fp8_cast_bytes(d) * double(forward.m) * double(forward.n) * double(forward.batch)));
  Op dx = Op::gemm(forward.name + ".dgrad", forward.m, forward.k, forward.n, forward.batch, d.e);
  dx.high_precision = forward.high_precision;
  backward.push_back(dx);
  Op dw = Op::gemm(forward.name + ".wgrad", forward.k, forward.n, forward.m, forward.batch, d.e);
  dw.weight_gradient = b == Operand::Weight;
  dw.high_precision = forward.high_precision;
  backward.push_back(dw);
}

/// A GEMM that runs in 16 bits even in an FP8 job (Op::high_precision).
Op high_precision(Op op)
{
  op.high_precision = true;
  return op;
}

void add_attention_core(LayerOps& ops, const LayerContext& c, const Dims& d)
{
  // Context parallelism: ring and all-gather attend this rank's T/c queries to all s keys and
  // values; Ulysses (all-to-all) attends all s queries of a/(t c) heads. Same FLOPs either way.
  const bool ulysses = c.context > 1 && c.context_exchange == ContextExchange::AllToAll;
  const AttentionShape& a = d.attention;
  const long long heads_local = a.heads / d.t / (ulysses ? c.context : 1);
  const long long queries = ulysses ? d.s : d.s / c.context;
  const long long batch = static_cast<long long>(c.micro_batch) * heads_local;
  std::vector<Op> forward, backward;
  if (c.attention == AttentionKernel::Flash) {
    // Causal FlashAttention skips the upper triangle: half of the 2*s^2*(d_qk + d_v) FLOPs per
    // head (with context parallelism each rank's 2 chunks of 2c hold an equal share of it).
    Op fwd;
    fwd.name = "flash_attention";
    fwd.kind = OpKind::FlashAttention;
    fwd.high_precision = true;
    fwd.seq_len = d.s;
    fwd.flops = 0.5 * 2.0 * double(batch) * queries * d.s * double(a.qk_head_dim + a.v_head_dim);
    const double q_and_out = double(heads_local) * double(a.qk_head_dim + a.v_head_dim);
    const double keys_and_values = double(a.k_width + a.v_width) / d.t / (ulysses ? c.context : 1);
    fwd.bytes = d.e * c.micro_batch * (queries * q_and_out + d.s * keys_and_values);
    Op bwd = fwd;
    bwd.name = "flash_attention.backward";
    bwd.backward = true;
    bwd.flops = 2.5 * fwd.flops; // recomputes S = QK^T: 5 GEMMs instead of 2 (Dao 2023)
    bwd.bytes = 2.0 * fwd.bytes;
    forward = {fwd};
    backward = {bwd};
  } else {
    // Unfused (Megatron-LM 2021): scores = Q K^T, scale-mask-softmax, dropout, context = P V.
    const double scores = double(batch) * queries * d.s;
    const Op qk = high_precision(Op::gemm("attention_scores", queries, d.s, a.qk_head_dim, batch, d.e));
    const Op softmax = Op::memory("softmax", 2.0 * d.e * scores);
    const Op dropout = Op::memory("attention_dropout", (2.0 * d.e + 1.0) * scores);
    const Op pv = high_precision(Op::gemm("attention_context", queries, a.v_head_dim, d.s, batch, d.e));
    forward = {qk, softmax, dropout, pv};
    add_gemm_backward(backward, pv, d, Operand::Activation);
    backward.push_back(Op::memory("attention_dropout.backward", (2.0 * d.e + 1.0) * scores));
    backward.push_back(Op::memory("softmax.backward", 3.0 * d.e * scores));
    add_gemm_backward(backward, qk, d, Operand::Activation);
  }
  ops.forward.insert(ops.forward.end(), forward.begin(), forward.end());
  ops.backward.insert(ops.backward.end(), backward.begin(), backward.end());
  ops.selective_recompute = forward;
  ops.attention_forward = forward;
  ops.attention_backward = backward;
}

struct PassOps {
  std::vector<Op> forward;
  std::vector<Op> backward;   ///< in backward order
  std::vector<Op> activation; ///< an MLP's activation kernel (also in forward)
  std::vector<Op> from_latent; ///< MLA's up-projections (also in forward)
};

/// Up projection (x2 for SwiGLU's gate), activation, down projection, over `tokens` tokens in
/// `instances` equal GEMMs (experts); the activation kernels see all of them.
PassOps mlp_gemms(const ModelConfig& model, const Dims& d, const std::string& prefix, long long tokens_per_instance,
                 long long instances, long long f)
{
  const bool swiglu = model.ffn == FfnKind::SwiGlu;
  const double tokens = double(tokens_per_instance) * instances;
  PassOps ops;
  const Op up = Op::gemm(prefix + "_up", tokens_per_instance, (swiglu ? 2 : 1) * f / d.t, d.h, instances, d.e);
  const Op down = Op::gemm(prefix + "_down", tokens_per_instance, d.h, f / d.t, instances, d.e);
  ops.activation = {Op::memory(swiglu ? "swiglu" : "gelu", (swiglu ? 3.0 : 2.0) * d.e * tokens * f / d.t)};
  ops.forward = {up, ops.activation.front(), down};
  add_gemm_backward(ops.backward, down, d);
  ops.backward.push_back(
      Op::memory(swiglu ? "swiglu.backward" : "gelu.backward", (swiglu ? 5.0 : 3.0) * d.e * tokens * f / d.t));
  add_gemm_backward(ops.backward, up, d);
  return ops;
}

PassOps dense_mlp_ops(const ModelConfig& model, const Dims& d)
{
  return mlp_gemms(model, d, "mlp", static_cast<long long>(d.tokens), 1, d.f);
}

/// Mixture of experts (Megatron-Core's all-to-all dispatcher, expert tensor parallelism = t):
/// a router GEMM and top-k on this rank's tokens, a permutation that groups them by expert, the
/// rank's experts/ep experts as one grouped GEMM each way (with balanced routing every expert
/// gets tokens x top_k x ep / experts of the T x top_k a rank receives), and the un-permutation
/// that weights and sums each token's top_k outputs. The all-to-all exchanges are traffic
/// (parallelism/expert_dispatch.hpp).
PassOps expert_mlp_ops(const ModelConfig& model, const LayerContext& c, const Dims& d)
{
  const long long local_experts = model.experts / c.expert;
  // Token copies this rank's experts process: T x top_k on average, more on the busiest rank.
  const double routed = d.tokens * model.top_k * model.critical_routing(c.expert);
  // Rounded up to 16 rows: routing gives any count, and the GEMM model's alignment penalty is
  // for leading dimensions (a 10,650-row expert GEMM is not 30% slower than a 10,656-row one).
  constexpr long long kRows = 16;
  const auto per_expert = kRows * static_cast<long long>(std::ceil(std::max(1.0, routed / local_experts) / kRows));
  const Op router = high_precision(Op::gemm("router", static_cast<long long>(d.norm_tokens), model.experts, d.h, 1, d.e));
  const Op scores = Op::memory("router_topk", 3.0 * 4.0 * d.norm_tokens * model.experts); // fp32 softmax, top-k
  const double permute_bytes = 2.0 * d.e * d.norm_tokens * model.top_k * d.h;            // gather, write
  PassOps experts = mlp_gemms(model, d, "expert", per_expert, local_experts, d.f);
  // A shared expert (DeepSeek, Qwen-MoE) is a dense MLP every token passes, split like the dense one.
  const bool shared = model.shared_expert_ffn_hidden > 0;
  const PassOps shared_ops =
      shared ? mlp_gemms(model, d, "shared_expert", static_cast<long long>(d.tokens), 1, model.shared_expert_ffn_hidden)
             : PassOps{};
  PassOps ops;
  ops.forward = {router, scores, Op::memory("permute", permute_bytes)};
  if (d.fp8 && !c.fp8_dispatch) // the tokens arrive in 16 bits; the grouped GEMM reads FP8
    ops.forward.push_back(Op::memory("expert_input_fp8_cast", fp8_cast_bytes(d) * routed * d.h));
  ops.forward.insert(ops.forward.end(), experts.forward.begin(), experts.forward.end());
  ops.forward.push_back(Op::memory("unpermute", permute_bytes + d.e * d.norm_tokens * d.h));
  ops.forward.insert(ops.forward.end(), shared_ops.forward.begin(), shared_ops.forward.end());
  ops.backward = shared_ops.backward;
  ops.backward.push_back(Op::memory("unpermute.backward", permute_bytes + d.e * d.norm_tokens * d.h));
  ops.backward.insert(ops.backward.end(), experts.backward.begin(), experts.backward.end());
  ops.backward.push_back(Op::memory("permute.backward", permute_bytes));
  ops.backward.push_back(scores);
  add_gemm_backward(ops.backward, router, d);
  ops.activation = experts.activation; // the routed experts' only
  return ops;
}

/// A projection's GEMM on one tensor-parallel rank over `tokens` tokens.
Op projection_gemm(const Projection& p, long long tokens, const Dims& d)
{
  switch (p.split) {
    case TensorSplit::Columns:
      return Op::gemm(p.name, tokens, p.out / d.t, p.in, 1, d.e);
    case TensorSplit::Rows:
      return Op::gemm(p.name, tokens, p.out, p.in / d.t, 1, d.e);
    case TensorSplit::Replicated:
      break;
  }
  return Op::gemm(p.name, tokens, p.out, p.in, 1, d.e);
}

/// The attention's input projections, forward and (in backward order) backward; a replicated
/// projection (MLA's down-projection into a latent) is followed by the latent's RMSNorm.
PassOps attention_inputs(const Dims& d, long long tokens)
{
  PassOps ops;
  for (const Projection& p : d.attention.inputs) {
    const Op gemm = projection_gemm(p, tokens, d);
    ops.forward.push_back(gemm);
    if (p.from_latent)
      ops.from_latent.push_back(gemm);
    std::vector<Op> backward;
    add_gemm_backward(backward, gemm, d);
    if (p.split == TensorSplit::Replicated) {
      ops.forward.push_back(Op::memory(p.name + "_norm", 2.0 * d.e * d.tokens * p.out));
      backward.insert(backward.begin(), Op::memory(p.name + "_norm.backward", 3.0 * d.e * d.tokens * p.out));
    }
    ops.backward.insert(ops.backward.begin(), backward.begin(), backward.end());
  }
  return ops;
}

} // namespace

LayerOps transformer_layer_ops(const ModelConfig& model, const LayerContext& context)
{
  const Dims d = dims_of(model, context);
  const auto T = static_cast<long long>(d.tokens);
  const double norm_bytes = 2.0 * d.e * d.norm_tokens * d.h;               // read + write
  const double residual_bytes = (3.0 * d.e + 1.0) * d.norm_tokens * d.h;  // x, residual in; out, mask out
  LayerOps ops;

  ops.norm_recompute = {Op::memory("input_norm", norm_bytes), Op::memory("mlp_norm", norm_bytes)};
  ops.forward.push_back(ops.norm_recompute[0]);
  const PassOps inputs = attention_inputs(d, T);
  ops.forward.insert(ops.forward.end(), inputs.forward.begin(), inputs.forward.end());
  const double rotary_bytes = 2.0 * d.e * d.tokens * double(d.attention.rotary_width) / d.t;
  if (model.position_embedding == PositionEmbedding::Rotary)
    ops.forward.push_back(Op::memory("rotary", rotary_bytes));
  add_attention_core(ops, context, d);
  const Op proj = projection_gemm(d.attention.output, T, d);
  if (d.fp8) // its input comes from the attention core in 16 bits, not from a norm that casts it
    ops.forward.push_back(
        Op::memory(proj.name + ".input_fp8_cast", fp8_cast_bytes(d) * double(proj.m) * double(proj.k)));
  ops.forward.push_back(proj);
  ops.forward.push_back(Op::memory("attention_residual", residual_bytes));
  ops.forward.push_back(ops.norm_recompute[1]);
  const PassOps mlp = model.moe() ? expert_mlp_ops(model, context, d) : dense_mlp_ops(model, d);
  ops.latent_up_recompute = inputs.from_latent;
  if (model.moe())
    ops.expert_activation_recompute = mlp.activation;
  ops.forward.insert(ops.forward.end(), mlp.forward.begin(), mlp.forward.end());
  ops.forward.push_back(Op::memory("mlp_residual", residual_bytes));

  // Backward, in reverse order of the forward.
  const double residual_grad_bytes = (2.0 * d.e + 1.0) * d.norm_tokens * d.h;
  const double norm_grad_bytes = 3.0 * d.e * d.norm_tokens * d.h;
  auto& bwd = ops.backward;
  std::vector<Op> attention_backward;
  std::swap(attention_backward, bwd); // add_attention_core filled it; it runs mid-way through
  bwd.push_back(Op::memory("mlp_residual.backward", residual_grad_bytes));
  bwd.insert(bwd.end(), mlp.backward.begin(), mlp.backward.end());
  bwd.push_back(Op::memory("mlp_norm.backward", norm_grad_bytes));
  bwd.push_back(Op::memory("attention_residual.backward", residual_grad_bytes));
  add_gemm_backward(bwd, proj, d);
  bwd.insert(bwd.end(), attention_backward.begin(), attention_backward.end());
  if (model.position_embedding == PositionEmbedding::Rotary)
    bwd.push_back(Op::memory("rotary.backward", rotary_bytes));
  bwd.insert(bwd.end(), inputs.backward.begin(), inputs.backward.end());
  bwd.push_back(Op::memory("input_norm.backward", norm_grad_bytes));
  return ops;
}

LayerOps embedding_ops(const ModelConfig& model, const LayerContext& context)
{
  const Dims d = dims_of(model, context);
  LayerOps ops;
  // Vocabulary-parallel lookup writes [T, h] on every rank (then all-reduced); a learned position
  // embedding is added; dropout follows.
  double forward_bytes = d.e * d.tokens * d.h + (3.0 * d.e + 1.0) * d.norm_tokens * d.h;
  if (model.position_embedding == PositionEmbedding::Learned)
    forward_bytes += 3.0 * d.e * d.norm_tokens * d.h;
  ops.forward.push_back(Op::memory("embedding", forward_bytes));
  // Gradient scatter-add into the [V/t, h] table, accumulated into the fp32 main gradient.
  Op table_grad = Op::memory("embedding.backward", 3.0 * d.e * d.tokens * d.h + 8.0 * double(model.vocab) / d.t * d.h);
  table_grad.weight_gradient = true;
  ops.backward.push_back(table_grad);
  return ops;
}

LayerOps mtp_join_ops(const ModelConfig& model, const LayerContext& context)
{
  const Dims d = dims_of(model, context);
  LayerOps ops = embedding_ops(model, context);
  const auto T = static_cast<long long>(d.tokens);
  // RMSNorm of the hidden state and of the embedding (read and write each), concatenated.
  ops.forward.push_back(Op::memory("mtp_norms", 2.0 * 2.0 * d.e * d.norm_tokens * d.h));
  const Op join = Op::gemm("mtp_projection", T, d.h, 2 * d.h, 1, d.e);
  ops.forward.push_back(join);
  std::vector<Op> backward;
  add_gemm_backward(backward, join, d);
  backward.push_back(Op::memory("mtp_norms.backward", 2.0 * 3.0 * d.e * d.norm_tokens * d.h));
  ops.backward.insert(ops.backward.begin(), backward.begin(), backward.end());
  return ops;
}

LayerOps head_ops(const ModelConfig& model, const LayerContext& context)
{
  const Dims d = dims_of(model, context);
  const auto T = static_cast<long long>(d.tokens);
  const double logits = d.tokens * double(model.vocab) / d.t;
  LayerOps ops;
  ops.forward.push_back(Op::memory("final_norm", 2.0 * d.e * d.norm_tokens * d.h));
  const Op head = high_precision(Op::gemm("lm_head", T, model.vocab / d.t, d.h, 1, d.e));
  ops.forward.push_back(head);
  // Vocabulary-parallel cross-entropy in fp32 (Megatron's VocabParallelCrossEntropy): cast to
  // fp32 (read e, write 4), max (read 4), subtract (4+4), exp (4+4), sum (4), normalise (4+4)
  // forward; scale the saved softmax (4+4) and cast the gradient back (4+e) backward.
  ops.forward.push_back(Op::memory("cross_entropy", (d.e + 36.0) * logits));
  ops.backward.push_back(Op::memory("cross_entropy.backward", (d.e + 12.0) * logits));
  add_gemm_backward(ops.backward, head, d);
  ops.backward.push_back(Op::memory("final_norm.backward", 3.0 * d.e * d.norm_tokens * d.h));
  return ops;
}

} // namespace dcsim
