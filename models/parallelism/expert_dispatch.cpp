#include "parallelism/expert_dispatch.hpp"

namespace dcsim {

double expert_dispatch_bytes(const JobConfig& job, double e)
{
  const auto& m = job.model;
  const auto& p = job.parallelism;
  const double tokens = double(job.batch.micro) * m.seq_len / p.context / (p.sequence_parallel ? p.tensor : 1);
  // The busiest rank receives routing_imbalance x its share; the all-to-all waits for it.
  return tokens * m.top_k * m.hidden * e * m.critical_routing(p.expert);
}

ExpertDispatchCalls expert_dispatch_calls(const JobConfig& job, double e)
{
  ExpertDispatchCalls out;
  if (!job.model.moe() || job.parallelism.expert == 1)
    return out;
  const CollectiveCall all_to_all{CollectiveKind::AllToAll, expert_dispatch_bytes(job, e), 2};
  out.forward = {all_to_all};  // dispatch and combine
  out.backward = {all_to_all}; // their gradients
  return out;
}

} // namespace dcsim
