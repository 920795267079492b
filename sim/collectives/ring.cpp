// Ring: every rank sends to its successor; NCCL's default for large messages. Groups spanning
// several NVLink domains with k ranks in each run k channels, each visiting a domain's ranks in
// an order rotated by one, so that every channel leaves a node through a different GPU's NIC
// (all of a node's NICs carry ring traffic at once).
#include "collectives/collective_algorithm.hpp"

#include "platform/platform.hpp"

namespace dcsim {

RingCost ring_cost(const CollectiveCall& call, int n)
{
  if (n <= 1)
    return {};
  const double S = call.bytes;
  switch (call.kind) {
    case CollectiveKind::AllReduce: return {2.0 * (n - 1) / n * S, 2 * (n - 1)};
    case CollectiveKind::AllGather:
    case CollectiveKind::ReduceScatter:
    case CollectiveKind::AllToAll: return {double(n - 1) / n * S, n - 1};
    case CollectiveKind::Broadcast:
    case CollectiveKind::Reduce: return {S, n - 1};
    case CollectiveKind::SendRecv: return {S, 1};
  }
  return {};
}

namespace {

std::vector<std::vector<int>> channel_rings(const std::vector<int>& group, const Platform& platform)
{
  const auto domains = split_by_domain(group, platform);
  const size_t k = domains.front().size();
  bool uniform = domains.size() > 1;
  for (const auto& members : domains)
    uniform = uniform && members.size() == k;
  if (!uniform)
    return {group};
  std::vector<std::vector<int>> rings(k);
  for (size_t c = 0; c < k; ++c)
    for (const auto& members : domains)
      for (size_t i = 0; i < k; ++i)
        rings[c].push_back(members[(i + c) % k]);
  return rings;
}

class Ring : public CollectiveAlgorithm {
public:
  std::string name() const override { return "ring"; }

  bool supports(CollectiveKind kind, const GroupShape&, Protocol) const override
  {
    return kind != CollectiveKind::AllToAll && kind != CollectiveKind::SendRecv;
  }

  void append(CommPlan& plan, const std::vector<int>& group, const CollectiveCall& call,
              const CollectiveContext& context) const override
  {
    const int n = static_cast<int>(group.size());
    const RingCost cost = ring_cost(call, n);
    if (cost.steps == 0)
      return;
    // A small call runs on fewer of NCCL's channels: a lower rate, each channel's latency.
    const ChannelUse use = channels_for(call, n, context);
    const double efficiency = context.params.protocol(context.protocol).efficiency * use.rate_fraction;
    const auto rings = channel_rings(group, context.platform);
    const double channel_bytes = cost.edge_bytes * call.count / double(rings.size()) / efficiency;
    // Pipelined: each chunk crosses every edge steps/n times, so a ring pays steps/n times the
    // sum of its edges' latencies (2(n-1) x one hop when all hops are alike); the slowest channel.
    double slowest_ring = 0;
    for (const auto& ring : rings) {
      double around = 0;
      for (int i = 0; i < n; ++i) {
        plan.add_flow(ring[i], ring[(i + 1) % n], channel_bytes);
        around += hop_latency(ring[i], ring[(i + 1) % n], context);
      }
      slowest_ring = std::max(slowest_ring, around);
    }
    const double base = context.params.protocol(context.protocol).base_latency_s;
    plan.add_latency(call.count * (base + use.latency_s + double(cost.steps) / n * slowest_ring));
  }

  /// LL's threshold per thread grows with the ring's ranks (NCCL's tuning.cc).
  ChannelUse channel_use(const CollectiveCall& call, int ranks, const CommunicationParams& params,
                         Protocol protocol) const override
  {
    return nccl_channels_in_use(params, protocol, call.bytes, ranks);
  }
};

} // namespace

const CollectiveAlgorithm& ring_algorithm()
{
  static const Ring ring;
  return ring;
}

} // namespace dcsim
