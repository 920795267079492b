#include "collectives/collective_algorithm.hpp"

#include "platform/platform.hpp"

#include <algorithm>

namespace dcsim {

RingCost ring_cost(const CollectiveCall& call, int n)
{
  RingCost c;
  if (n <= 1)
    return c;
  const double S = call.bytes;
  switch (call.kind) {
    case CollectiveKind::AllReduce:
      return {2.0 * (n - 1) / n * S, 2 * (n - 1)};
    case CollectiveKind::AllGather:
    case CollectiveKind::ReduceScatter:
    case CollectiveKind::AllToAll:
      return {double(n - 1) / n * S, n - 1};
    case CollectiveKind::Broadcast:
    case CollectiveKind::Reduce:
      return {S, n - 1};
    case CollectiveKind::SendRecv:
      return {S, 1};
  }
  return c;
}

namespace {

class Ring : public CollectiveAlgorithm {
public:
  void append(CommPlan& plan, const std::vector<int>& group, const CollectiveCall& call, const Platform& platform,
              const CommunicationParams& params) const override
  {
    const int n = static_cast<int>(group.size());
    const RingCost cost = ring_cost(call, n);
    if (cost.steps == 0)
      return;
    // A step ends when its slowest edge delivers, so each step pays the longest edge latency.
    double edge_latency = 0;
    for (int i = 0; i < n; ++i) {
      const int src = group[i];
      const int dst = group[(i + 1) % n];
      plan.add_flow(src, dst, cost.edge_bytes * call.count);
      edge_latency = std::max(edge_latency, platform.route_latency_s(src, dst));
    }
    plan.latency_s += double(cost.steps) * call.count * (edge_latency + params.step_latency_s);
  }
};

} // namespace

const CollectiveAlgorithm& ring_algorithm()
{
  static const Ring ring;
  return ring;
}

} // namespace dcsim
