#include "parallelism/expert_dispatch.hpp"

#include <algorithm>

namespace dcsim {

double expert_dispatch_bytes(const JobConfig& job, double e)
{
  const auto& m = job.model;
  const auto& p = job.parallelism;
  const double tokens = double(job.batch.micro) * m.seq_len / p.context / (p.sequence_parallel ? p.tensor : 1);
  // The busiest rank receives routing_imbalance x its share; the all-to-all waits for it.
  return tokens * m.top_k * m.hidden * e * m.critical_routing(p.expert);
}

double remote_nodes_per_token(const ModelConfig& m, int nodes)
{
  const double other = double(nodes - 1) / nodes;
  if (m.routing_nodes > 0)
    return std::min({m.routing_nodes, m.top_k, nodes}) * other;
  const double per_node = double(m.experts) / nodes;
  double missed = 1; // P(none of the k experts on a given node)
  for (int i = 0; i < m.top_k; ++i)
    missed *= std::max(0.0, (m.experts - per_node - i) / (m.experts - i));
  return nodes * (1 - missed) * other;
}

HierarchicalDispatch hierarchical_dispatch(const CollectiveCall& flat, const ModelConfig& m, int nodes)
{
  // The flat call sends top_k copies per token; the network step sends remote_nodes per token,
  // spread evenly over the other nodes (an all-to-all of `bytes` sends bytes / n to each of n).
  const double per_token_copy = flat.bytes / m.top_k;
  const double network = per_token_copy * remote_nodes_per_token(m, nodes) * nodes / (nodes - 1);
  return {{flat.kind, network, flat.count}, flat};
}

ExpertDispatchCalls expert_dispatch_calls(const JobConfig& job, double e)
{
  ExpertDispatchCalls out;
  if (!job.model.moe() || job.parallelism.expert == 1)
    return out;
  // Dispatch and combine (backward: their gradients) as one call of two all-to-alls of the same
  // traffic pattern; with FP8 dispatch one of the two is smaller, so the call carries their mean.
  const double toward_experts = expert_dispatch_bytes(job, job.parallelism.fp8_dispatch ? kFp8DispatchElementBytes : e);
  const double back = expert_dispatch_bytes(job, e);
  const CollectiveCall all_to_all{CollectiveKind::AllToAll, (toward_experts + back) / 2, 2};
  out.forward = {all_to_all};
  out.backward = {all_to_all};
  return out;
}

} // namespace dcsim
