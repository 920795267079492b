// In-network all-reduce (InfiniBand SHARP through NCCL's CollNet algorithms) for groups with one
// GPU per NVLink domain, such as the data-parallel groups of a tensor-parallel job, on a fabric
// whose switches reduce (`fabric.in_network_reduction`). Every GPU sends its buffer once up the
// switches' reduction tree and receives the sum once: each NIC carries S each way, where a ring
// carries 2(n-1)/n S, so large messages take about half the ring's time. (Groups with several
// GPUs per domain reduce inside the domain first: nvls.cpp.)
//
// The tree is laid out as a ring of flows over the group, S each, which loads every NIC and every
// leaf's up- and downlink once, as the tree does. Simple protocol; latency: the protocol's base
// plus two network steps per call (up the tree and down).
#include "collectives/collective_algorithm.hpp"

namespace dcsim {

namespace {

class CollNet : public CollectiveAlgorithm {
public:
  std::string name() const override { return "collnet"; }

  bool supports(CollectiveKind kind, const GroupShape& shape, Protocol protocol) const override
  {
    return kind == CollectiveKind::AllReduce && shape.in_network_reduction && shape.domains > 1 &&
           shape.per_domain == 1 && protocol == Protocol::Simple;
  }

  void append(CommPlan& plan, const std::vector<int>& group, const CollectiveCall& call,
              const CollectiveContext& context) const override
  {
    const size_t n = group.size();
    std::vector<std::pair<int, int>> edges;
    for (size_t i = 0; i < n; ++i) {
      plan.add_flow(group[i], group[(i + 1) % n], call.bytes * call.count);
      edges.emplace_back(group[i], group[(i + 1) % n]);
    }
    plan.add_latency(call.count * steps_latency(2, edges, context));
  }
};

} // namespace

const CollectiveAlgorithm& collnet_algorithm()
{
  static const CollNet algorithm;
  return algorithm;
}

} // namespace dcsim
