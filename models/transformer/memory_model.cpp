#include "transformer/memory_model.hpp"

#include "transformer/attention_shape.hpp"

#include "parallelism/job_workload.hpp"
#include "parallelism/layer_split.hpp"
#include "transformer/model_flops.hpp"

#include <algorithm>

namespace dcsim {

namespace {

constexpr double kRuntimeBytes = 1024.0 * 1024.0 * 1024.0; // ~1 GiB: CUDA context, cuBLAS workspace, NCCL buffers

double full_layer_activation_bytes(const JobConfig& job)
{
  const auto& m = job.model;
  const auto& p = job.parallelism;
  const double t = p.tensor;
  const double h = m.hidden;
  const double f = m.ffn_hidden;
  const double tokens = double(job.batch.micro) * m.seq_len / p.context;
  const double replicated = 10.0 * h;                                     // 2 norm inputs, 2 GEMM inputs, 2 masks
  // up output(s) + activation output, for every routed copy (the busiest expert rank's)
  const double mlp = (m.ffn == FfnKind::SwiGlu ? 6.0 : 4.0) * f * m.top_k * m.critical_routing(p.expert);
  // A mixture of experts also keeps each token's top_k permuted copies (the experts' input) and
  // the router's probabilities.
  const double moe = m.moe() ? 2.0 * h * m.top_k * m.critical_routing(p.expert) + 4.0 * m.experts : 0.0;
  const double shared = (m.ffn == FfnKind::SwiGlu ? 6.0 : 4.0) * m.shared_expert_ffn_hidden; // as the MLP
  // Q, out-proj input, K, V (split over the TP ranks); MLA's latents are whole on every rank.
  const AttentionShape a = attention_shape(m);
  const double attention = 2.0 * double(a.q_width + a.heads * a.v_head_dim + a.k_width + a.v_width);
  const double split = attention + mlp + moe + shared;
  double per_token = replicated / (p.sequence_parallel ? t : 1.0) + split / t + 2.0 * double(a.latent_width);
  if (job.attention == AttentionKernel::Unfused && job.recompute != Recompute::Selective)
    per_token += 5.0 * m.heads * double(m.seq_len) / t;
  return tokens * per_token;
}

/// Chunk forward passes whose activations a pipeline rank holds at its peak.
int in_flight_passes(const JobConfig& job, int stage)
{
  const auto& p = job.parallelism;
  const int m = job.micro_batches_per_replica();
  switch (p.schedule) {
    case PipelineSchedule::GPipe:
      return m;
    case PipelineSchedule::OneFOneB:
      return std::min(p.pipeline - stage, m);
    case PipelineSchedule::Interleaved:
      return std::min((p.pipeline - stage - 1) * 2 + (p.virtual_stages - 1) * p.pipeline + 1, m * p.virtual_stages);
  }
  return m;
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
  est.activations_bytes = in_flight_passes(job, stage) * pass_bytes / stage_chunks;
  if (job.recompute == Recompute::Full) // the layer being recomputed
    est.activations_bytes += moe_layers > 0 ? std::max(moe_full, dense_full) : dense_full;
  if (has_head)
    est.activations_bytes += tokens * double(m.vocab) / p.tensor * (e + 4.0); // logits + fp32 softmax
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
  const auto chunks = split_layers(job.model.layers, p.pipeline, p.virtual_stages);
  MemoryEstimate worst;
  for (int stage = 0; stage < p.pipeline; ++stage) {
    const MemoryEstimate est = stage_memory(job, stage, chunks);
    if (stage == 0 || est.total_bytes() > worst.total_bytes())
      worst = est;
  }
  return worst;
}

} // namespace dcsim
