#include "parallelism/job_workload.hpp"

#include "parallelism/context_exchange.hpp"
#include "parallelism/expert_dispatch.hpp"
#include "parallelism/pipeline_schedule.hpp"
#include "transformer/layer_ops.hpp"
#include "transformer/model_flops.hpp"

#include <algorithm>
#include <iterator>

namespace dcsim {

namespace {

void add_call(CollectiveCalls& calls, CollectiveKind kind, double bytes, int count)
{
  if (count <= 0)
    return;
  for (auto& c : calls)
    if (c.kind == kind && c.bytes == bytes) {
      c.count += count;
      return;
    }
  calls.push_back({kind, bytes, count});
}

void add_calls(CollectiveCalls& into, const CollectiveCalls& calls, int times)
{
  for (const auto& c : calls)
    add_call(into, c.kind, c.bytes, c.count * times);
}

double flops_of(const std::vector<Op>& ops)
{
  double total = 0;
  for (const auto& op : ops)
    total += op.flops;
  return total;
}

void add_ops(PassWork& pass, const std::vector<Op>& ops, const ComputeCostModel& cost)
{
  const ComputeCostModel::SplitSeconds kernels = cost.split_seconds(ops);
  pass.gpu_s += kernels.all_s;
  pass.memory_bound_s += kernels.memory_bound_s;
  pass.host_s += cost.host_seconds(ops);
  pass.flops += flops_of(ops);
}

void set_ops(PassWork& pass, const std::vector<Op>& ops, const ComputeCostModel& cost)
{
  pass = PassWork{};
  add_ops(pass, ops, cost);
}

std::vector<Op> weight_gradients(const std::vector<Op>& ops)
{
  std::vector<Op> out;
  std::copy_if(ops.begin(), ops.end(), std::back_inserter(out), [](const Op& op) { return op.weight_gradient; });
  return out;
}

/// Megatron's tensor-parallel collectives around one layer's attention and MLP blocks: an
/// all-reduce after each row-parallel GEMM, or with sequence parallelism an all-gather before
/// each column-parallel GEMM and a reduce-scatter after each row-parallel one. The backward pass
/// mirrors them (Korthikanti et al. 2022, fig. 5). Experts split over the same ranks see each
/// token top_k times; a shared expert is one more dense MLP.
CollectiveCalls layer_tp_calls(const ParallelismConfig& p, double tensor_bytes, const ModelConfig& m)
{
  CollectiveCalls calls;
  if (p.tensor == 1)
    return calls;
  std::vector<double> blocks = {tensor_bytes, tensor_bytes * m.top_k}; // attention, MLP
  if (m.shared_expert_ffn_hidden > 0)
    blocks.push_back(tensor_bytes);
  for (double bytes : blocks) {
    if (p.sequence_parallel) {
      add_call(calls, CollectiveKind::AllGather, bytes, 1);
      add_call(calls, CollectiveKind::ReduceScatter, bytes, 1);
    } else {
      add_call(calls, CollectiveKind::AllReduce, bytes, 1);
    }
  }
  return calls;
}

struct SectionWork {
  PassWork forward, backward;
  PassWork weight_gradient; ///< the part of `backward` that computes parameters' gradients
};

SectionWork layer_work(const JobConfig& job, const ComputeCostModel& cost, const LayerContext& context,
                       double tensor_bytes)
{
  const LayerOps ops = transformer_layer_ops(job.model, context);
  SectionWork w;
  set_ops(w.forward, ops.forward, cost);
  w.forward.tensor_parallel = layer_tp_calls(job.parallelism, tensor_bytes, job.model);
  set_ops(w.backward, ops.backward, cost);
  set_ops(w.weight_gradient, weight_gradients(ops.backward), cost);
  w.backward.tensor_parallel = w.forward.tensor_parallel;
  const ContextExchangeCalls cp = context_exchange_calls(job, context.activation_bytes);
  w.forward.context_parallel = cp.forward;
  w.backward.context_parallel = cp.backward;
  const ExpertDispatchCalls ep = expert_dispatch_calls(job, context.activation_bytes);
  w.forward.expert_parallel = ep.forward;
  w.backward.expert_parallel = ep.backward;
  if (cp.overlaps_attention) {
    w.forward.context_overlap_s = cost.seconds(ops.attention_forward);
    w.backward.context_overlap_s = cost.seconds(ops.attention_backward);
  }
  if (job.recompute == Recompute::Full) {
    add_ops(w.backward, ops.forward, cost);
    add_calls(w.backward.tensor_parallel, w.forward.tensor_parallel, 1);
    add_calls(w.backward.context_parallel, w.forward.context_parallel, 1);
    add_calls(w.backward.expert_parallel, w.forward.expert_parallel, 1);
    w.backward.context_overlap_s += w.forward.context_overlap_s;
  } else if (job.recompute == Recompute::Selective) {
    const RecomputeModules& again = job.recompute_modules;
    if (again.core_attention) {
      add_ops(w.backward, ops.selective_recompute, cost);
      add_calls(w.backward.context_parallel, w.forward.context_parallel, 1);
      w.backward.context_overlap_s += w.forward.context_overlap_s;
    }
    if (again.norms)
      add_ops(w.backward, ops.norm_recompute, cost);
    if (again.latent_up_projections)
      add_ops(w.backward, ops.latent_up_recompute, cost);
    if (again.expert_activation)
      add_ops(w.backward, ops.expert_activation_recompute, cost);
  }
  return w;
}

SectionWork embedding_work(const JobConfig& job, const ComputeCostModel& cost, const LayerContext& context,
                           double tensor_bytes)
{
  const LayerOps ops = embedding_ops(job.model, context);
  SectionWork w;
  set_ops(w.forward, ops.forward, cost);
  set_ops(w.backward, ops.backward, cost);
  set_ops(w.weight_gradient, weight_gradients(ops.backward), cost);
  if (job.parallelism.tensor > 1)
    add_call(w.forward.tensor_parallel,
             job.parallelism.sequence_parallel ? CollectiveKind::ReduceScatter : CollectiveKind::AllReduce,
             tensor_bytes, 1);
  return w;
}

SectionWork head_work(const JobConfig& job, const ComputeCostModel& cost, const LayerContext& context,
                      double tensor_bytes)
{
  const LayerOps ops = head_ops(job.model, context);
  SectionWork w;
  set_ops(w.forward, ops.forward, cost);
  set_ops(w.backward, ops.backward, cost);
  set_ops(w.weight_gradient, weight_gradients(ops.backward), cost);
  if (job.parallelism.tensor > 1) {
    if (job.parallelism.sequence_parallel) {
      add_call(w.forward.tensor_parallel, CollectiveKind::AllGather, tensor_bytes, 1);
      add_call(w.backward.tensor_parallel, CollectiveKind::ReduceScatter, tensor_bytes, 1);
    }
    // Vocabulary-parallel cross-entropy: max, sum of exponentials and target logit, fp32 per token.
    const double tokens = double(job.batch.micro) * job.model.seq_len / job.parallelism.context;
    add_call(w.forward.tensor_parallel, CollectiveKind::AllReduce, 4.0 * tokens, 3);
  }
  return w;
}

SectionWork mtp_join_work(const JobConfig& job, const ComputeCostModel& cost, const LayerContext& context)
{
  const LayerOps ops = mtp_join_ops(job.model, context);
  SectionWork w;
  set_ops(w.forward, ops.forward, cost);
  set_ops(w.backward, ops.backward, cost);
  set_ops(w.weight_gradient, weight_gradients(ops.backward), cost);
  return w;
}

void accumulate(PassWork& into, const PassWork& part, int times)
{
  into.gpu_s += part.gpu_s * times;
  into.memory_bound_s += part.memory_bound_s * times;
  into.host_s += part.host_s * times;
  into.flops += part.flops * times;
  into.context_overlap_s += part.context_overlap_s * times;
  add_calls(into.tensor_parallel, part.tensor_parallel, times);
  add_calls(into.context_parallel, part.context_parallel, times);
  add_calls(into.expert_parallel, part.expert_parallel, times);
}

/// The framework issues kernels asynchronously: a pass lasts as long as the slower of the GPU
/// running its kernels and the CPU issuing them. (NCCL calls are enqueued like any other
/// operation; the profile's per-kernel host time covers them.)
void finish_pass(PassWork& pass)
{
  pass.compute_s = std::max(pass.gpu_s, pass.host_s);
}

/// The backward less its weight gradients: what the previous pipeline rank waits for.
PassWork input_gradient_of(const PassWork& backward, const PassWork& weight_gradient)
{
  PassWork pass = backward;
  pass.gpu_s -= weight_gradient.gpu_s;
  pass.memory_bound_s -= weight_gradient.memory_bound_s;
  pass.host_s -= weight_gradient.host_s;
  pass.flops -= weight_gradient.flops;
  finish_pass(pass);
  return pass;
}

} // namespace

double memory_bound_share(const JobWorkload& workload, int stage)
{
  double memory_bound = 0, all = 0;
  for (const ChunkWork& chunk : workload.chunks)
    if (chunk.layout.stage == stage)
      for (const PassWork* pass : {&chunk.forward, &chunk.backward}) {
        memory_bound += pass->memory_bound_s;
        all += pass->gpu_s;
      }
  return all > 0 ? memory_bound / all : 0.0;
}

double activation_element_bytes(Precision precision)
{
  return precision == Precision::Tf32 ? 4.0 : 2.0;
}

double optimizer_seconds(double parameters, const ComputeCostModel& cost)
{
  constexpr double kBytesPerParameter = 34.0;
  constexpr int kKernels = 4; // multi-tensor apply launches a handful of kernels per step
  return parameters * kBytesPerParameter / cost.memory_bandwidth_bytes_per_s() +
         kKernels * cost.profile().kernel_overhead_s;
}

LayerContext layer_context_of(const JobConfig& job)
{
  const auto& p = job.parallelism;
  return {job.batch.micro, p.tensor,           p.sequence_parallel, job.attention, activation_element_bytes(job.precision),
          p.context,       p.context_exchange, p.expert,            job.precision == Precision::Fp8,
          p.fp8_dispatch};
}

JobWorkload build_job_workload(const JobConfig& job, const ComputeCostModel& cost)
{
  const auto& p = job.parallelism;
  const double e = activation_element_bytes(job.precision);
  const LayerContext context = layer_context_of(job);
  // One micro-batch's [b, s/c, h] activation on one context-parallel rank.
  const double tensor_bytes = double(job.batch.micro) * job.model.seq_len / p.context * job.model.hidden * e;

  const SectionWork layer = layer_work(job, cost, context, tensor_bytes);
  // A mixture of experts may have dense layers (model.first_dense_layers, moe_layer_frequency).
  JobConfig dense_job = job;
  dense_job.model = job.model.dense_variant();
  const SectionWork dense_layer = job.model.has_dense_layers() ? layer_work(dense_job, cost, context, tensor_bytes)
                                                               : layer;
  const SectionWork embedding = embedding_work(job, cost, context, tensor_bytes);
  const SectionWork head = head_work(job, cost, context, tensor_bytes);
  const SectionWork mtp_join = mtp_join_work(job, cost, context);
  const SectionWork& mtp_layer = job.model.is_moe_layer(job.model.layers - 1) ? layer : dense_layer; // like the model's last

  JobWorkload w;
  w.activation_bytes = tensor_bytes;
  w.gradient_bytes_per_parameter = job.gradient_bytes;
  w.parameter_bytes = e;
  w.parameters_per_gpu.assign(p.pipeline, 0.0);
  w.expert_parameters_per_gpu.assign(p.pipeline, 0.0);
  const double expert_layer = layer_expert_parameters(job.model);
  for (const auto& layout : job_chunks(job)) {
    ChunkWork chunk;
    chunk.layout = layout;
    const int moe = job.model.moe_layers_in(layout.first_layer, layout.layers);
    const int dense = layout.layers - moe;
    accumulate(chunk.forward, layer.forward, moe);
    accumulate(chunk.backward, layer.backward, moe);
    accumulate(chunk.weight_gradient, layer.weight_gradient, moe);
    accumulate(chunk.forward, dense_layer.forward, dense);
    accumulate(chunk.backward, dense_layer.backward, dense);
    accumulate(chunk.weight_gradient, dense_layer.weight_gradient, dense);
    // Expert tensor parallelism is the tensor degree; expert parallelism splits the experts.
    chunk.expert_parameters_per_gpu = moe * expert_layer / p.expert / p.tensor;
    chunk.parameters_per_gpu = (moe * (layer_parameters(job.model) - expert_layer) +
                                dense * layer_parameters(dense_job.model)) / p.tensor +
                               chunk.expert_parameters_per_gpu;
    if (layout.has_embedding) {
      accumulate(chunk.forward, embedding.forward, 1);
      accumulate(chunk.backward, embedding.backward, 1);
      accumulate(chunk.weight_gradient, embedding.weight_gradient, 1);
      chunk.parameters_per_gpu += embedding_parameters(job.model) / p.tensor;
    }
    if (layout.has_head) {
      accumulate(chunk.forward, head.forward, 1);
      accumulate(chunk.backward, head.backward, 1);
      accumulate(chunk.weight_gradient, head.weight_gradient, 1);
      chunk.parameters_per_gpu += head_parameters(job.model) / p.tensor;
      // Multi-token prediction: each module joins, runs its layer and the shared head again.
      const int d = job.model.mtp_depth;
      for (const SectionWork* part : {&mtp_join, &mtp_layer, &head}) {
        accumulate(chunk.forward, part->forward, d);
        accumulate(chunk.backward, part->backward, d);
        accumulate(chunk.weight_gradient, part->weight_gradient, d);
      }
      const double mtp_experts = job.model.moe() ? d * expert_layer / p.expert / p.tensor : 0.0;
      chunk.expert_parameters_per_gpu += mtp_experts;
      chunk.parameters_per_gpu += mtp_experts + d * (mtp_module_parameters(job.model) - (job.model.moe() ? expert_layer : 0.0)) / p.tensor;
    }
    finish_pass(chunk.forward);
    finish_pass(chunk.backward);
    finish_pass(chunk.weight_gradient);
    chunk.input_gradient = input_gradient_of(chunk.backward, chunk.weight_gradient);
    w.parameters_per_gpu[layout.stage] += chunk.parameters_per_gpu;
    w.expert_parameters_per_gpu[layout.stage] += chunk.expert_parameters_per_gpu;
    w.chunks.push_back(chunk);
  }
  for (int stage = 0; stage < p.pipeline; ++stage) {
    const double experts = w.expert_parameters_per_gpu[stage];
    const double dense = w.parameters_per_gpu[stage] - experts;
    const double sharded = p.zero >= 1 ? dense / p.data_shards() + experts / p.expert_data_shards()
                                       : w.parameters_per_gpu[stage];
    w.optimizer_s.push_back(optimizer_seconds(sharded, cost));
  }
  return w;
}

} // namespace dcsim
