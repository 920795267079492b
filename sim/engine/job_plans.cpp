#include "engine/job_plans.hpp"

#include "collectives/collective_algorithm.hpp"
#include "collectives/tuner.hpp"
#include "parallelism/expert_dispatch.hpp"
#include "platform/platform.hpp"

#include <algorithm>
#include <cmath>

namespace dcsim {

double default_bucket_parameters(int data_parallel)
{
  return std::max(40e6, 1e6 * data_parallel);
}

namespace {

/// Where a job's collectives run and which algorithms its NCCL settings allow: what every plan
/// below needs to place one.
struct JobNet {
  const Platform& platform;
  const CommunicationParams& params;
  const NcclSettings& nccl;

  CollectiveChoice append(CommPlan& plan, const std::vector<int>& group, const CollectiveCall& call) const
  {
    return append_collective(plan, group, call, platform, params, nccl.for_kind(call.kind));
  }
};

void record(std::vector<CollectiveUse>& uses, CollectivePurpose purpose, const CollectiveCall& call, int ranks,
            const CollectiveChoice& choice)
{
  uses.push_back({purpose, call.kind, ranks, call.bytes, choice.algorithm->name(), choice.protocol,
                  choice.estimated_s / std::max(1, call.count), call.count});
}

CommPlan tensor_parallel_plan(const CollectiveCalls& calls, const std::vector<int>& group, const JobNet& net, std::vector<CollectiveUse>& uses)
{
  CommPlan plan;
  for (const auto& call : calls)
    record(uses, CollectivePurpose::TensorParallel, call, static_cast<int>(group.size()),
           net.append(plan, group, call));
  return plan;
}

/// One flow per tensor-parallel rank between the GPUs of two pipeline ranks (replica 0).
CommPlan pipeline_send(const JobConfig& job, const JobLayout& layout, int from_stage, int to_stage, double bytes,
                       const JobNet& net, std::vector<CollectiveUse>& uses)
{
  const auto& p = job.parallelism;
  const bool split = p.scatter_gather || p.sequence_parallel;
  CommPlan plan;
  for (int tp = 0; tp < p.tensor; ++tp) {
    CommPlan one;
    const CollectiveCall call{CollectiveKind::SendRecv, split ? bytes / p.tensor : bytes, 1};
    const CollectiveChoice choice = net.append(
        one, {layout.gpu(tp, 0, 0, from_stage), layout.gpu(tp, 0, 0, to_stage)}, call);
    if (tp == 0)
      record(uses, CollectivePurpose::PipelineSend, call, 2, choice);
    plan.merge_concurrent(one);
  }
  return plan;
}

/// The same collectives, one after the other, over a group of each of the first `tensor_ranks`
/// tensor-parallel ranks at once (`group_of(tp)`: its data-parallel or context-parallel group).
template <class GroupOf>
CommPlan per_tensor_rank_plan(int tensor_ranks, GroupOf group_of, const CollectiveCalls& calls,
                              const JobNet& net, CollectivePurpose purpose,
                              std::vector<CollectiveUse>& uses)
{
  CommPlan all;
  for (int tp = 0; tp < tensor_ranks; ++tp) {
    CommPlan one;
    const std::vector<int> group = group_of(tp);
    for (const auto& call : calls) {
      const CollectiveChoice choice = net.append(one, group, call);
      if (tp == 0)
        record(uses, purpose, call, static_cast<int>(group.size()), choice);
    }
    all.merge_concurrent(one);
  }
  return all;
}

CommPlan data_parallel_plan(const JobConfig& job, const JobLayout& layout, int stage, const CollectiveCall& call,
                            const JobNet& net, CollectivePurpose purpose,
                            std::vector<CollectiveUse>& uses)
{
  return per_tensor_rank_plan(
      job.parallelism.tensor, [&](int tp) { return layout.data_group(tp, stage); }, {call}, net,
      purpose, uses);
}

/// Collectives over one group of tensor-parallel rank 0 (of replica 0): its context- or
/// expert-parallel group. As for tensor-parallel traffic, the other ranks' groups do the same on
/// their own GPUs and NICs (one NIC per GPU), so they only meet above the leaf switches, where
/// the shared uplinks of an oversubscribed fabric would slow them more than this shows.
/// Simulating all of them costs t times the flows (16,384 GPUs, CP16 all-to-all: 156 s instead of
/// 11 s) for the same result on a non-blocking fabric.
CommPlan rank_zero_group_plan(const std::vector<int>& group, const CollectiveCalls& calls, const JobNet& net, CollectivePurpose purpose,
                              std::vector<CollectiveUse>& uses)
{
  if (calls.empty())
    return {};
  return per_tensor_rank_plan(1, [&](int) { return group; }, calls, net, purpose, uses);
}

/// Token dispatch over tensor rank 0's expert group: flat, or, when asked and the group spans
/// several NVLink domains with as many of its ranks in each, hierarchical: every call as an
/// all-to-all between domains among the ranks at each position (all positions at once) streaming
/// into one inside each domain (all domains at once). The two run together, the slower setting
/// the pace: the forwarding kernels pass on each chunk as it lands ("IB and NVLink communication
/// fully overlapped", DeepSeek-V3 sec. 3.2.2).
CommPlan expert_parallel_plan(const JobConfig& job, const std::vector<int>& group, const CollectiveCalls& calls,
                              const JobNet& net,
                              std::vector<CollectiveUse>& uses)
{
  const auto purpose = CollectivePurpose::ExpertParallel;
  const auto domains = uniform_domains(group, net.platform);
  if (job.parallelism.expert_dispatch != ExpertDispatch::Hierarchical || calls.empty() || domains.size() < 2)
    return rank_zero_group_plan(group, calls, net, purpose, uses);
  const int nodes = static_cast<int>(domains.size());
  const int per_node = static_cast<int>(domains.front().size());
  const auto position = [&](int p) {
    std::vector<int> ranks;
    for (const auto& d : domains)
      ranks.push_back(d[p]);
    return ranks;
  };
  CommPlan plan;
  for (const CollectiveCall& call : calls) {
    const HierarchicalDispatch steps = hierarchical_dispatch(call, job.model, nodes);
    CommPlan both = per_tensor_rank_plan(per_node, position, {steps.network}, net, purpose, uses);
    if (per_node > 1)
      both.merge_concurrent(per_tensor_rank_plan(
          nodes, [&](int d) { return domains[d]; }, {steps.node}, net, purpose, uses));
    plan.append(both);
  }
  return plan;
}

/// One gradient (or parameter) collective of `parameters` per GPU, of which `experts` belong to
/// expert MLPs: the dense part over every data x context rank, the expert part at the same time
/// over the ranks holding the same experts (all `expert` such groups run).
CommPlan parameter_sync_plan(const JobConfig& job, const JobLayout& layout, int stage, CollectiveKind kind,
                             double parameters, double experts, double bytes_per_parameter,
                             const JobNet& net, CollectivePurpose purpose,
                             std::vector<CollectiveUse>& uses)
{
  const auto& p = job.parallelism;
  CommPlan plan = data_parallel_plan(job, layout, stage, {kind, (parameters - experts) * bytes_per_parameter, 1}, net, purpose, uses);
  if (experts <= 0 || p.expert_data_shards() == 1)
    return plan;
  for (int block = 0; block < p.expert; ++block) {
    std::vector<CollectiveUse> ignored;
    plan.merge_concurrent(per_tensor_rank_plan(
        p.tensor, [&](int tp) { return layout.expert_data_group(tp, block, stage); },
        {{kind, experts * bytes_per_parameter, 1}}, net, purpose, block == 0 ? uses : ignored));
  }
  return plan;
}

void add_gradient_buckets(ChunkPlans& plans, const JobConfig& job, const ChunkWork& chunk, const JobWorkload& w,
                          const JobLayout& layout, const JobNet& net)
{
  const auto& p = job.parallelism;
  if (p.data_shards() == 1)
    return;
  const double parameters = chunk.parameters_per_gpu;
  const double bucket_parameters = p.bucket_bytes > 0 ? p.bucket_bytes / w.gradient_bytes_per_parameter
                                                      : default_bucket_parameters(p.data_shards());
  // Megatron-Core's DDP (r0.8, distributed_data_parallel.py) buckets only the first pipeline
  // rank's first model chunk; on later ranks and chunks the reduction has the pipeline's drain to
  // hide in, so each chunk's gradients are one bucket, reduced after its last backward. ZeRO-3
  // (FSDP-style) reduces every micro-batch's gradients and buckets them everywhere.
  const bool first_chunk = chunk.layout.stage == 0 && chunk.layout.virtual_index == 0;
  const bool bucketed = p.overlap_grad_reduce && (first_chunk || p.zero >= 3);
  const int buckets = bucketed ? std::max(1, int(std::ceil(parameters / bucket_parameters))) : 1;
  const CollectiveKind kind = p.zero >= 1 ? CollectiveKind::ReduceScatter : CollectiveKind::AllReduce;
  const double per_bucket = parameters / buckets;
  const double expert_share = parameters > 0 ? chunk.expert_parameters_per_gpu / parameters : 0.0;
  // Buckets are simulated in groups: the last two alone, then groups doubling in size towards
  // the first (1, 1, 2, 4, ... buckets from the end), so 68 Megatron buckets become 7 groups of
  // flows. A group may start as soon as its first bucket is ready and is done no earlier than
  // its last bucket plus that bucket's transfer (StreamGate), which keeps the exposed tail right
  // both when the reduction keeps up with the backward and when it falls behind.
  int first = 0;
  for (int size : bucket_groups(buckets)) {
    GradientGroup group;
    group.reduce = parameter_sync_plan(job, layout, chunk.layout.stage, kind, size * per_bucket,
                                       size * per_bucket * expert_share, w.gradient_bytes_per_parameter, net, CollectivePurpose::DataParallel, plans.uses);
    group.buckets = size;
    group.first_ready = double(first + 1) / buckets;
    first += size;
    group.last_ready = double(first) / buckets;
    plans.gradient_groups.push_back(std::move(group));
  }
  if (p.zero >= 1)
    plans.parameter_gather = parameter_sync_plan(job, layout, chunk.layout.stage, CollectiveKind::AllGather, parameters,
                                                 chunk.expert_parameters_per_gpu, w.parameter_bytes, net,
                                                 CollectivePurpose::ParameterGather, plans.uses);
}

} // namespace

std::vector<int> bucket_groups(int buckets)
{
  std::vector<int> from_end;
  int covered = 0;
  for (int size = 1; covered < buckets; size = from_end.size() < 2 ? 1 : size * 2) {
    const int take = std::min(size, buckets - covered);
    from_end.push_back(take);
    covered += take;
  }
  // A short first group is merged into the next one.
  if (from_end.size() > 2 && from_end.back() < from_end[from_end.size() - 2]) {
    const int extra = from_end.back();
    from_end.pop_back();
    from_end.back() += extra;
  }
  return {from_end.rbegin(), from_end.rend()};
}

std::vector<ChunkPlans> build_chunk_plans(const JobConfig& job, const JobWorkload& workload, const JobLayout& layout,
                                          const Platform& platform, const CommunicationParams& params)
{
  const JobNet net{platform, params, job.nccl};
  const int chunks = static_cast<int>(workload.chunks.size());
  std::vector<ChunkPlans> out(chunks);
  for (int c = 0; c < chunks; ++c) {
    const ChunkWork& chunk = workload.chunks[c];
    const int stage = chunk.layout.stage;
    const auto group = layout.tensor_group(0, 0, stage);
    out[c].tp_forward = tensor_parallel_plan(chunk.forward.tensor_parallel, group, net, out[c].uses);
    out[c].tp_backward = tensor_parallel_plan(chunk.backward.tensor_parallel, group, net, out[c].uses);
    const auto plan_over = [&](const std::vector<int>& g, const CollectiveCalls& calls, CollectivePurpose purpose) {
      return rank_zero_group_plan(g, calls, net, purpose, out[c].uses);
    };
    const auto context = layout.context_group(0, 0, stage);
    out[c].cp_forward = plan_over(context, chunk.forward.context_parallel, CollectivePurpose::ContextParallel);
    out[c].cp_backward = plan_over(context, chunk.backward.context_parallel, CollectivePurpose::ContextParallel);
    const auto experts = layout.expert_group(0, 0, 0, stage);
    out[c].ep_forward = expert_parallel_plan(job, experts, chunk.forward.expert_parallel, net, out[c].uses);
    out[c].ep_backward =
        expert_parallel_plan(job, experts, chunk.backward.expert_parallel, net, out[c].uses);
    // Neighbouring chunks on the same rank (the turn of a V) hand over in memory: no flows.
    if (c + 1 < chunks && workload.chunks[c + 1].layout.stage != stage)
      out[c].send_forward = pipeline_send(job, layout, stage, workload.chunks[c + 1].layout.stage,
                                          workload.activation_bytes, net, out[c].uses);
    if (c > 0 && workload.chunks[c - 1].layout.stage != stage)
      out[c].send_backward = pipeline_send(job, layout, stage, workload.chunks[c - 1].layout.stage,
                                           workload.activation_bytes, net, out[c].uses);
    add_gradient_buckets(out[c], job, chunk, workload, layout, net);
  }
  return out;
}

} // namespace dcsim
