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

/// The ring orders NCCL uses, one per channel. A group spanning several nodes with k members on
/// each gets k channels, each carrying 1/k of the data, each visiting a node's members in an
/// order rotated by one, so that every channel leaves a node through a different GPU's NIC:
/// all of a node's NICs carry ring traffic at once. A group inside one node is one ring.
std::vector<std::vector<int>> channel_rings(const std::vector<int>& group, const Platform& platform)
{
  std::vector<std::vector<int>> nodes;
  for (int gpu : group) {
    if (nodes.empty() || !platform.same_domain(nodes.back().front(), gpu))
      nodes.push_back({});
    nodes.back().push_back(gpu);
  }
  const size_t k = nodes.front().size();
  bool uniform = nodes.size() > 1;
  for (const auto& members : nodes)
    uniform = uniform && members.size() == k;
  if (!uniform)
    return {group};
  std::vector<std::vector<int>> rings(k);
  for (size_t c = 0; c < k; ++c)
    for (const auto& members : nodes)
      for (size_t i = 0; i < k; ++i)
        rings[c].push_back(members[(i + c) % k]);
  return rings;
}

class Ring : public CollectiveAlgorithm {
public:
  void append(CommPlan& plan, const std::vector<int>& group, const CollectiveCall& call, const Platform& platform,
              const CommunicationParams& params) const override
  {
    const int n = static_cast<int>(group.size());
    const RingCost cost = ring_cost(call, n);
    if (cost.steps == 0)
      return;
    const auto rings = channel_rings(group, platform);
    const double channel_bytes = cost.edge_bytes * call.count / double(rings.size());
    // A step ends when its slowest edge delivers, so each step pays the longest edge latency.
    double edge_latency = 0;
    for (const auto& ring : rings)
      for (int i = 0; i < n; ++i) {
        const int src = ring[i];
        const int dst = ring[(i + 1) % n];
        plan.add_flow(src, dst, channel_bytes);
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
