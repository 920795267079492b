// Rules that relate several keys of a job to each other and to its cluster.
#include "config/internal/readers.hpp"

#include "transformer/memory_model.hpp"
#include "units/units.hpp"

#include <algorithm>

namespace dcsim::internal {

namespace {

// ~10 s of simulation on 2 cores (GPT-3 175B, PP8, 8,192 micro-batches per iteration).
constexpr long long kMaxPipelineSteps = 65536;

std::string divisors_of(int n)
{
  std::string out;
  for (int d = 1; d <= n && out.size() < 40; ++d)
    if (n % d == 0)
      out += (out.empty() ? "" : ", ") + std::to_string(d);
  return out;
}

void validate_model(const JobConfig& job, MapReader& r)
{
  const auto& m = job.model;
  if (m.explicit_head_dim == 0 && m.hidden % m.heads != 0)
    r.error("model.hidden", "hidden " + std::to_string(m.hidden) + " is not a multiple of heads " +
                                std::to_string(m.heads) + "; expected hidden = heads x head size, or head_dim");
  if (m.latent_attention.enabled() && m.kv_heads != m.heads)
    r.error("model.kv_heads", "latent attention up-projects keys and values for every head; expected no kv_heads "
                              "(or kv_heads = heads = " + std::to_string(m.heads) + ")");
  if (m.heads % m.kv_heads != 0)
    r.error("model.kv_heads", std::to_string(m.kv_heads) + " does not divide heads " + std::to_string(m.heads) +
                                  "; expected one of " + divisors_of(m.heads));
  if (m.experts < 1)
    r.error("model.experts", std::to_string(m.experts) + " experts; expected 1 (dense) or more");
  else if (m.first_dense_layers > 0 && !m.moe())
    r.error("model.first_dense_layers", "dense layers before the experts need a mixture-of-experts model; "
                                        "expected model.experts > 1 or no first_dense_layers");
  else if (m.first_dense_layers >= m.layers)
    r.error("model.first_dense_layers", std::to_string(m.first_dense_layers) + " of " + std::to_string(m.layers) +
                                            " layers; expected fewer than the layers (or experts: 1)");
  else if (m.moe_layer_frequency > 1 && !m.moe())
    r.error("model.moe_layer_frequency", "alternates expert and dense layers but the model has no experts; "
                                         "expected model.experts > 1 or no moe_layer_frequency");
  else if (m.moe() && m.moe_layers() == 0)
    r.error("model.moe_layer_frequency", "leaves no layer with experts (" + std::to_string(m.layers) +
                                             " layers, the first " + std::to_string(m.first_dense_layers) +
                                             " dense); expected a smaller frequency or fewer first_dense_layers");
  else if (m.shared_expert_ffn_hidden > 0 && !m.moe())
    r.error("model.shared_expert_ffn_hidden", "a shared expert needs a mixture-of-experts model; expected "
                                              "model.experts > 1 or no shared_expert_ffn_hidden");
  else if (m.routing_nodes > 0 && !m.moe())
    r.error("model.routing_nodes", "node-limited routing needs a mixture-of-experts model; expected "
                                   "model.experts > 1 or no routing_nodes");
  else if (m.routing_nodes > 0 && job.parallelism.expert_dispatch != ExpertDispatch::Hierarchical)
    r.error("model.routing_nodes", "node-limited routing saves traffic only when tokens cross nodes once per "
                                   "node; expected parallelism.expert_dispatch: hierarchical");
  else if (m.top_k < 1 || m.top_k > m.experts)
    r.error("model.top_k", "top_k " + std::to_string(m.top_k) + " with " + std::to_string(m.experts) +
                               " experts; expected 1 to " + std::to_string(m.experts));
}

void validate_recompute_modules(const JobConfig& job, MapReader& r)
{
  if (!r.has("recompute_modules"))
    return;
  const RecomputeModules& modules = job.recompute_modules;
  if (job.recompute != Recompute::Selective)
    r.error("recompute_modules", "modules are what selective recompute re-runs; expected recompute: selective");
  else if (modules.latent_up_projections && !job.model.latent_attention.enabled())
    r.error("recompute_modules", "mla_up_proj recomputes latent attention's up-projections, which this model does "
                                 "not have; expected model.latent_attention or no mla_up_proj");
  else if (modules.expert_activation && !job.model.moe())
    r.error("recompute_modules", "moe_act recomputes the experts' activation, which a dense model does not have; "
                                 "expected model.experts > 1 or no moe_act");
}

void validate_context(const JobConfig& job, MapReader& r)
{
  const auto& m = job.model;
  const auto& p = job.parallelism;
  // Load-balanced causal attention splits each sequence into 2c chunks; each rank's share must
  // also split over the tensor-parallel ranks under sequence parallelism.
  const long long chunks = 2LL * p.context * (p.sequence_parallel ? p.tensor : 1);
  if (m.seq_len % chunks != 0)
    r.error("parallelism.context", "seq_len " + std::to_string(m.seq_len) + " does not split into 2 x context" +
                                       (p.sequence_parallel ? " x tensor" : "") + " = " + std::to_string(chunks) +
                                       " equal chunks; expected seq_len divisible by " + std::to_string(chunks));
  if (p.context_exchange == ContextExchange::AllToAll && (m.heads / p.tensor) % p.context != 0)
    r.error("parallelism.context_exchange", "all_to_all spreads the " + std::to_string(m.heads / p.tensor) +
                                                " heads of a tensor-parallel rank over context " +
                                                std::to_string(p.context) +
                                                " ranks; expected heads / tensor divisible by context (or ring)");
}

void validate_expert(const JobConfig& job, MapReader& r)
{
  const auto& m = job.model;
  const auto& p = job.parallelism;
  // Megatron-Core's layout (tp-cp-ep-dp-pp): expert-parallel ranks are data-parallel ranks.
  if (!m.moe())
    r.error("parallelism.expert", "expert parallelism " + std::to_string(p.expert) +
                                      " needs a mixture-of-experts model; expected model.experts > 1 or expert: 1");
  else if (m.experts % p.expert != 0)
    r.error("parallelism.expert", "expert degree " + std::to_string(p.expert) + " does not divide the " +
                                      std::to_string(m.experts) + " experts; expected one of " +
                                      divisors_of(m.experts));
  if (p.tensor > 1 && !p.sequence_parallel)
    r.error("parallelism.sequence_parallel", "expert parallelism with tensor parallelism needs sequence "
                                             "parallelism (each tensor rank dispatches its own tokens, as in "
                                             "Megatron-Core); expected sequence_parallel: true");
  if (p.data % p.expert != 0)
    r.error("parallelism.expert", "expert degree " + std::to_string(p.expert) + " does not divide data " +
                                      std::to_string(p.data) +
                                      " (expert-parallel ranks are data-parallel ranks); expected a divisor of " +
                                      std::to_string(p.data));
}

/// Dispatch settings that only mean something with expert parallelism.
void validate_dispatch(const JobConfig& job, MapReader& r)
{
  const auto& p = job.parallelism;
  if (p.expert > 1)
    return;
  if (p.fp8_dispatch)
    r.error("parallelism.fp8_dispatch", "there is no token dispatch without expert parallelism; expected "
                                        "parallelism.expert > 1 or no fp8_dispatch");
  if (p.expert_dispatch != ExpertDispatch::AllToAll)
    r.error("parallelism.expert_dispatch", "there is no token dispatch without expert parallelism; expected "
                                           "parallelism.expert > 1 or no expert_dispatch");
}

void validate_parallelism(const JobConfig& job, MapReader& r)
{
  const auto& m = job.model;
  const auto& p = job.parallelism;
  if (m.heads % p.tensor != 0)
    r.error("parallelism.tensor", "tensor degree " + std::to_string(p.tensor) + " does not divide the " +
                                      std::to_string(m.heads) + " attention heads; expected one of " +
                                      divisors_of(m.heads));
  else if (m.kv_heads % p.tensor != 0)
    r.error("parallelism.tensor", "tensor degree " + std::to_string(p.tensor) + " does not divide the " +
                                      std::to_string(m.kv_heads) + " key/value heads; expected one of " +
                                      divisors_of(m.kv_heads));
  if (m.has_dense_layers() && m.dense_variant().ffn_hidden % p.tensor != 0)
    r.error("parallelism.tensor", "tensor degree " + std::to_string(p.tensor) + " does not divide ffn_hidden " +
                                      std::to_string(m.dense_variant().ffn_hidden) +
                                      " of the dense layers; expected a divisor of it");
  if (m.shared_expert_ffn_hidden % p.tensor != 0)
    r.error("parallelism.tensor", "tensor degree " + std::to_string(p.tensor) +
                                      " does not divide shared_expert_ffn_hidden " +
                                      std::to_string(m.shared_expert_ffn_hidden) + "; expected a divisor of it");
  if (m.ffn_hidden % p.tensor != 0)
    r.error("parallelism.tensor", "tensor degree " + std::to_string(p.tensor) + " does not divide ffn_hidden " +
                                      std::to_string(m.ffn_hidden) + "; expected a divisor of it");
  if (p.total() != job.gpus)
    r.error("gpus", std::to_string(job.gpus) + " GPUs is not tensor x pipeline x data x context = " +
                        std::to_string(p.tensor) + " x " + std::to_string(p.pipeline) + " x " +
                        std::to_string(p.data) + " x " + std::to_string(p.context) + " = " +
                        std::to_string(p.total()) + "; expected gpus: " + std::to_string(p.total()));
  if (p.context > 1)
    validate_context(job, r);
  if (p.expert > 1)
    validate_expert(job, r);
  validate_dispatch(job, r);
  // The first chunk holds the embedding and the last the output layer and loss, so each may hold
  // no transformer layer (Llama 3 405B: 126 layers in 16 x 8 chunks, Dubey et al. 2024 sec. 3.3.2).
  const int chunks = p.pipeline * p.virtual_stages;
  if (m.layers + 2 < chunks)
    r.error("parallelism.pipeline", std::to_string(m.layers) + " layers cannot fill pipeline x virtual_stages = " +
                                        std::to_string(chunks) + " chunks; expected at most " +
                                        std::to_string(m.layers + 2) +
                                        " chunks (layers, plus the embedding and output layer on their own)");
  const int first = std::max(0, p.first_stage_layers), last = std::max(0, p.last_stage_layers);
  if ((p.first_stage_layers >= 0 || p.last_stage_layers >= 0) && chunks < 2)
    r.error(p.first_stage_layers >= 0 ? "parallelism.first_stage_layers" : "parallelism.last_stage_layers",
            "one chunk holds every layer; expected pipeline x virtual_stages >= 2 or no first/last_stage_layers");
  else if (p.first_stage_layers >= 0 || p.last_stage_layers >= 0) {
    // Every chunk between the first and the last needs a layer.
    const int inner_chunks = chunks - (p.first_stage_layers >= 0) - (p.last_stage_layers >= 0);
    if (m.layers - first - last < inner_chunks)
      r.error(p.first_stage_layers >= 0 ? "parallelism.first_stage_layers" : "parallelism.last_stage_layers",
              std::to_string(first + last) + " layers on the first and last chunks leave " +
                  std::to_string(m.layers - first - last) + " of " + std::to_string(m.layers) + " for " +
                  std::to_string(inner_chunks) + " chunks between them; expected at least one layer each");
  }
  if (p.sequence_parallel && (static_cast<long long>(job.batch.micro) * m.seq_len) % p.tensor != 0)
    r.error("parallelism.sequence_parallel", "micro-batch tokens are not divisible by tensor degree " +
                                                 std::to_string(p.tensor) + "; expected seq_len x micro divisible");
}

void validate_batch(const JobConfig& job, MapReader& r)
{
  const auto& p = job.parallelism;
  const long long per_step = static_cast<long long>(job.batch.micro) * p.data;
  if (job.batch.global % per_step != 0) {
    r.error("batch.global", "global batch " + std::to_string(job.batch.global) +
                                " is not divisible by micro x data = " + std::to_string(job.batch.micro) + " x " +
                                std::to_string(p.data) + " = " + std::to_string(per_step) +
                                "; expected a multiple of " + std::to_string(per_step));
    return;
  }
  const int m = job.micro_batches_per_replica();
  // Each micro-batch passes every pipeline chunk forward and backward within an iteration; the
  // engine simulates those steps one by one (steady-state iterations are skipped, steps within an
  // iteration are not), so an absurd batch would look like a hang.
  const long long steps = static_cast<long long>(m) * p.pipeline * p.virtual_stages;
  if (steps > kMaxPipelineSteps)
    r.error("batch.global", std::to_string(m) + " micro-batches per replica x " +
                                std::to_string(p.pipeline * p.virtual_stages) + " pipeline chunks = " +
                                std::to_string(steps) + " steps per iteration is more than dcsim simulates; "
                                "expected at most " + std::to_string(kMaxPipelineSteps) +
                                " (a larger micro-batch or a smaller global batch)");
  if (p.schedule == PipelineSchedule::DualPipeV && m < 2 * p.pipeline)
    r.error("batch.global", std::to_string(m) + " micro-batches per replica are fewer than dualpipev needs; expected at least " +
                                "2 x pipeline = " + std::to_string(2 * p.pipeline) + " (global / (micro x data))");
  if (p.schedule == PipelineSchedule::Interleaved && m % p.pipeline != 0)
    r.error("batch.global", std::to_string(m) + " micro-batches per replica is not a multiple of pipeline " +
                                std::to_string(p.pipeline) + ", which the interleaved schedule needs; expected " +
                                "global / (micro x data) divisible by " + std::to_string(p.pipeline));
}

void validate_memory(const JobConfig& job, const ClusterConfig& cluster, MapReader& r)
{
  const MemoryEstimate mem = estimate_memory(job);
  const double capacity = cluster.node.gpu.hbm_bytes;
  if (mem.total_bytes() <= capacity || job.memory_check == MemoryCheck::Warn)
    return;
  r.error("parallelism", "the model needs " + format_bytes(mem.total_bytes()) + " per GPU on pipeline rank " +
                             std::to_string(mem.stage) + " (weights " + format_bytes(mem.weights_bytes) +
                             ", gradients " + format_bytes(mem.gradients_bytes) + ", optimizer " +
                             format_bytes(mem.optimizer_bytes) + ", activations " +
                             format_bytes(mem.activations_bytes) + ") but " + cluster.node.gpu.name + " has " +
                             format_bytes(capacity) + ": " + format_bytes(mem.total_bytes() - capacity) +
                             " too much; expected a plan that fits (more tensor/pipeline parallelism, "
                             "recompute, zero) or memory_check: warn");
}

} // namespace

void validate_job(const JobConfig& job, const ClusterConfig& cluster, MapReader& r)
{
  validate_model(job, r);
  validate_recompute_modules(job, r);
  validate_parallelism(job, r);
  validate_batch(job, r);
  if (job.precision == Precision::Fp8 && cluster.node.gpu.peak_fp8_flop_per_s <= 0)
    r.error("precision", cluster.node.gpu.name + " has no FP8 tensor cores; expected bf16 or fp16");
  // The cost model needs the profile's GEMM efficiency in the job's precision.
  const auto& efficiencies = cluster.profile.gemm.peak_efficiency;
  const bool costed = efficiencies.count(job.precision) > 0;
  if (!costed && !efficiencies.empty()) {
    std::string covered;
    for (const auto& [precision, e] : efficiencies)
      covered += (covered.empty() ? "" : ", ") + std::string(precision_name(precision));
    r.error("precision", "profile " + cluster.profile.name + " has no GEMM efficiency for " +
                             precision_name(job.precision) + "; expected one it covers (" + covered + ")");
  }
  if (job.gpus > cluster.total_gpus())
    r.error("gpus", std::to_string(job.gpus) + " GPUs is more than the cluster's " +
                        std::to_string(cluster.total_gpus()) + "; expected at most " +
                        std::to_string(cluster.total_gpus()));
  const auto& p = job.parallelism;
  if (p.overlap_comm_sms >= cluster.node.gpu.sm_count)
    r.error("parallelism.overlap_comm_sms", std::to_string(p.overlap_comm_sms) + " SMs for the communication kernels leave none of the " +
                                                cluster.node.gpu.name + "'s " + std::to_string(cluster.node.gpu.sm_count) +
                                                " for computing; expected fewer than " +
                                                std::to_string(cluster.node.gpu.sm_count));
  if (costed && p.total() == job.gpus && job.batch.global % (static_cast<long long>(job.batch.micro) * p.data) == 0 &&
      job.model.layers + 2 >= p.pipeline * p.virtual_stages)
    validate_memory(job, cluster, r);
}

} // namespace dcsim::internal
