#include "transformer/memory_model.hpp"

#include "transformer/attention_shape.hpp"

#include "parallelism/job_workload.hpp"
#include "parallelism/layer_split.hpp"
#include "parallelism/pipeline_schedule.hpp"
#include "transformer/model_flops.hpp"

#include <algorithm>

namespace dcsim {

namespace {

constexpr double kRuntimeBytes = 1024.0 * 1024.0 * 1024.0; // ~1 GiB: CUDA context, cuBLAS workspace, NCCL buffers

/// What selective recompute re-runs (nothing without it).
RecomputeModules recomputed(const JobConfig& job)
{
  if (job.recompute == Recompute::Selective)
    return job.recompute_modules;
  return {false, false, false, false};
}

double full_layer_activation_bytes(const JobConfig& job)
{
  const auto& m = job.model;
  const auto& p = job.parallelism;
  const RecomputeModules again = recomputed(job);
  const double t = p.tensor;
  const double h = m.hidden;
  const double f = m.ffn_hidden;
  const double tokens = double(job.batch.micro) * m.seq_len / p.context;
  // Bytes per element of what a GEMM reads back for its weight gradient: FP8 training keeps the
  // quantized input (Transformer Engine's linear layers; DeepSeek-V3 sec. 3.3.2 caches them in
  // FP8), otherwise the activations' 2 bytes. Everything else stays in 16 bits.
  const double g = job.precision == Precision::Fp8 ? 1.0 : 2.0;
  // 2 norm inputs, 2 masks; the 2 norm outputs (the attention's and the MLP's GEMM inputs)
  // unless recomputed from the norms' inputs.
  const double replicated = 4.0 * h + 2.0 * h + (again.norms ? 0.0 : 2.0 * h * g);
  // An MLP keeps its up-projection output(s) (the activation's input) and the activation's
  // output (the down-projection's input); moe_act recomputes the latter in the routed experts.
  const auto mlp_bytes = [&](double width, bool recompute_activation) {
    const double up = (m.ffn == FfnKind::SwiGlu ? 4.0 : 2.0) * width;
    return up + (recompute_activation ? 0.0 : g * width);
  };
  const double copies = m.top_k * m.critical_routing(p.expert); // the busiest expert rank's routed copies
  const double mlp = mlp_bytes(f, again.expert_activation && m.moe()) * copies;
  // A mixture of experts also keeps each token's permuted copies (the experts' GEMM input) and
  // the router's probabilities.
  const double moe = m.moe() ? g * h * copies + 4.0 * m.experts : 0.0;
  const double shared = m.shared_expert_ffn_hidden > 0 ? mlp_bytes(m.shared_expert_ffn_hidden, false) : 0.0;
  // Q, K, V (the core's inputs; mla_up_proj re-derives them from the latents) and the
  // out-projection's input, split over the TP ranks; MLA's latents, the up-projections' inputs,
  // whole on every rank.
  const AttentionShape a = attention_shape(m);
  const double qkv = again.latent_up_projections ? 0.0 : 2.0 * double(a.q_width + a.k_width + a.v_width);
  const double attention = qkv + g * double(a.heads * a.v_head_dim);
  const double split = attention + mlp + moe + shared;
  const double latents = 2.0 * double(a.latent_width - a.latent_gemm_width) + g * double(a.latent_gemm_width);
  double per_token = replicated / (p.sequence_parallel ? t : 1.0) + split / t + latents;
  if (job.attention == AttentionKernel::Unfused && !again.core_attention)
    per_token += 5.0 * m.heads * double(m.seq_len) / t;
  return tokens * per_token;
}

/// What a deferred weight-gradient pass keeps for each dW = A^T dC: the GEMM's input A and its
/// output's gradient dC (counted per GEMM: inputs shared by several GEMMs count more than once).
double weight_gradient_state_bytes(const std::vector<Op>& backward, double element_bytes)
{
  double bytes = 0;
  for (const Op& op : backward)
    if (op.weight_gradient && op.kind == OpKind::Gemm) // dW[m, n] = A^T[m, k] dC[k, n]
      bytes += element_bytes * double(op.batch) * double(op.k) * double(op.m + op.n);
  return bytes;
}

MemoryEstimate stage_memory(const JobConfig& job, int stage, const std::vector<ChunkLayers>& chunks)
{
  const auto& m = job.model;
  const auto& p = job.parallelism;
  MemoryEstimate est;
  est.stage = stage;
  JobConfig dense_job = job; // a mixture of experts' dense first layers
  dense_job.model = m.dense_variant();
  const double expert_layer = layer_expert_parameters(m);
  double parameters = 0; // dense part, one TP rank
  double experts = 0;    // expert part, one TP rank of this rank's experts
  int moe_layers = 0, dense_layers = 0;
  int stage_chunks = 0;
  bool has_head = false;
  for (const auto& c : chunks) {
    if (c.stage != stage)
      continue;
    ++stage_chunks;
    const int moe = m.moe_layers_in(c.first_layer, c.layers);
    moe_layers += moe;
    dense_layers += c.layers - moe;
    parameters += (moe * (layer_parameters(m) - expert_layer) + (c.layers - moe) * layer_parameters(dense_job.model)) /
                  p.tensor;
    experts += moe * expert_layer / p.expert / p.tensor;
    if (c.has_embedding)
      parameters += embedding_parameters(m) / p.tensor;
    if (c.has_head) {
      parameters += head_parameters(m) / p.tensor;
      has_head = true;
      // Multi-token prediction modules: one more layer each (kept like the chunk's own layers),
      // their projection and norms.
      const int d = m.mtp_depth;
      const double own = mtp_module_parameters(m) - (m.moe() ? expert_layer : 0.0);
      (m.moe() ? moe_layers : dense_layers) += d;
      parameters += d * own / p.tensor;
      experts += m.moe() ? d * expert_layer / p.expert / p.tensor : 0.0;
    }
  }
  // ZeRO shards dense parameters over data x context ranks, experts over the fewer that hold them.
  const auto sharded = [&](int stage_from) {
    return stage_from <= p.zero ? parameters / p.data_shards() + experts / p.expert_data_shards()
                                : parameters + experts;
  };
  const double e = activation_element_bytes(job.precision);
  est.weights_bytes = sharded(3) * e;
  est.gradients_bytes = sharded(2) * job.gradient_bytes;
  est.optimizer_bytes = sharded(1) * 12.0;

  const double moe_full = full_layer_activation_bytes(job);
  const double dense_full = full_layer_activation_bytes(dense_job);
  const double tokens = double(job.batch.micro) * m.seq_len / p.context;
  const double checkpointed = tokens * m.hidden * e / (p.sequence_parallel ? p.tensor : 1);
  const double pass_bytes = job.recompute == Recompute::Full
                                ? (moe_layers + dense_layers) * checkpointed
                                : moe_layers * moe_full + dense_layers * dense_full;
  // The schedule's own steps say how many chunk passes (and deferred weight gradients) the rank
  // holds at its fullest moment.
  const std::vector<PipelineStep> steps =
      pipeline_steps(p.schedule, stage, p.pipeline, p.virtual_stages, job.micro_batches_per_replica());
  const bool defers = std::any_of(steps.begin(), steps.end(), [](const PipelineStep& s) { return s.defers_weights; });
  double deferred_bytes = 0;
  if (defers) {
    const LayerContext context = layer_context_of(job);
    // FP8 training runs the weight-gradient GEMMs on FP8 inputs and output gradients (DeepSeek-V3
    // sec. 3.3: Fprop, Dgrad and Wgrad all in FP8), so a deferred W keeps them in one byte.
    const double w = job.precision == Precision::Fp8 ? 1.0 : e;
    deferred_bytes = moe_layers * weight_gradient_state_bytes(transformer_layer_ops(m, context).backward, w) +
                     dense_layers * weight_gradient_state_bytes(transformer_layer_ops(dense_job.model, context).backward, w);
    if (has_head) // the LM head stays in 16 bits
      deferred_bytes += weight_gradient_state_bytes(head_ops(m, context).backward, e);
    deferred_bytes /= stage_chunks;
  }
  const double chunk_pass_bytes = pass_bytes / stage_chunks;
  const InFlight held = peak_in_flight(steps, chunk_pass_bytes, deferred_bytes);
  est.activations_bytes = held.passes * chunk_pass_bytes + held.deferred_weight_passes * deferred_bytes;
  if (job.recompute == Recompute::Full) // the layer being recomputed
    est.activations_bytes += moe_layers > 0 ? std::max(moe_full, dense_full) : dense_full;
  if (has_head) // logits + fp32 softmax, of the model's head and of each prediction module's pass
    est.activations_bytes += (1 + m.mtp_depth) * tokens * double(m.vocab) / p.tensor * (e + 4.0);
  est.runtime_bytes = kRuntimeBytes;
  return est;
}

} // namespace

double layer_activation_bytes(const JobConfig& job)
{
  return full_layer_activation_bytes(job);
}

MemoryEstimate estimate_memory(const JobConfig& job)
{
  const auto& p = job.parallelism;
  const auto chunks = job_chunks(job);
  MemoryEstimate worst;
  for (int stage = 0; stage < p.pipeline; ++stage) {
    const MemoryEstimate est = stage_memory(job, stage, chunks);
    if (stage == 0 || est.total_bytes() > worst.total_bytes())
      worst = est;
  }
  return worst;
}

} // namespace dcsim
