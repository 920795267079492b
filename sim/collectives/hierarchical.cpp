// Hierarchical ("2-D") all-reduce for groups spanning several NVLink domains with the same
// number k of ranks in each: reduce-scatter inside each domain (ring over NVLink), all-reduce of
// the 1/k shards across domains among ranks of the same local index (one ring per "rail"), then
// all-gather inside each domain. Three collectives one after the other, hence three phases and
// three base latencies (as when a framework issues them as three NCCL calls).
#include "collectives/collective_algorithm.hpp"

namespace dcsim {

namespace {

class Hierarchical : public CollectiveAlgorithm {
public:
  std::string name() const override { return "hierarchical"; }

  bool supports(CollectiveKind kind, const GroupShape& shape, Protocol) const override
  {
    return kind == CollectiveKind::AllReduce && shape.domains > 1 && shape.per_domain > 1;
  }

  void append(CommPlan& plan, const std::vector<int>& group, const CollectiveCall& call,
              const CollectiveContext& context) const override
  {
    const int k = GroupShape::of(group, context.platform).per_domain;
    const int domains = static_cast<int>(group.size()) / k;
    const auto domain_ranks = [&](int d) { return std::vector<int>(group.begin() + d * k, group.begin() + (d + 1) * k); };
    const auto rail_ranks = [&](int local) {
      std::vector<int> rail;
      for (int d = 0; d < domains; ++d)
        rail.push_back(group[d * k + local]);
      return rail;
    };
    const auto stage = [&](CollectiveKind kind, double bytes, bool across) {
      CommPlan step;
      for (int i = 0; i < (across ? k : domains); ++i) {
        CommPlan one;
        ring_algorithm().append(one, across ? rail_ranks(i) : domain_ranks(i), {kind, bytes, call.count}, context);
        step.merge_concurrent(one);
      }
      plan.next_phase();
      plan.merge_concurrent_at_last(step);
    };
    stage(CollectiveKind::ReduceScatter, call.bytes, false);
    stage(CollectiveKind::AllReduce, call.bytes / k, true);
    stage(CollectiveKind::AllGather, call.bytes, false);
  }
};

} // namespace

const CollectiveAlgorithm& hierarchical_algorithm()
{
  static const Hierarchical algorithm;
  return algorithm;
}

} // namespace dcsim
