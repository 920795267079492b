// Recursive halving-doubling (Rabenseifner 2004; Thakur et al. 2005) for power-of-two groups:
// reduce-scatter by recursive halving (step k: exchange S/2^(k+1) with the rank 2^k away), then
// all-gather by recursive doubling (the same steps reversed). Bandwidth term as the ring's,
// latency 2 log2(n) steps instead of 2(n-1); partners change each step, so each step is a phase.
#include "collectives/collective_algorithm.hpp"

namespace dcsim {

namespace {

class HalvingDoubling : public CollectiveAlgorithm {
public:
  std::string name() const override { return "halving_doubling"; }

  bool supports(CollectiveKind kind, const GroupShape& shape, Protocol) const override
  {
    return shape.power_of_two && shape.ranks > 1 &&
           (kind == CollectiveKind::AllReduce || kind == CollectiveKind::ReduceScatter ||
            kind == CollectiveKind::AllGather);
  }

  void append(CommPlan& plan, const std::vector<int>& group, const CollectiveCall& call,
              const CollectiveContext& context) const override
  {
    const int n = static_cast<int>(group.size());
    const double bytes = call.bytes * call.count / context.params.protocol(context.protocol).efficiency;
    const bool halving = call.kind != CollectiveKind::AllGather;
    const bool doubling = call.kind != CollectiveKind::ReduceScatter;
    std::vector<int> distances;
    for (int d = n / 2; d >= 1; d /= 2)
      distances.push_back(d);
    // Reduce-scatter: distance n/2 first, halving the data each step; all-gather mirrors it.
    bool first = true;
    const auto add_step = [&](int distance, double step_bytes) {
      CommPhase& phase = plan.next_phase();
      std::vector<std::pair<int, int>> edges;
      for (int r = 0; r < n; ++r) {
        phase.add_flow(group[r], group[r ^ distance], step_bytes);
        edges.emplace_back(group[r], group[r ^ distance]);
      }
      phase.latency_s += first ? steps_latency(1, edges, context) : step_latency(edges, context);
      first = false;
    };
    double step = bytes;
    if (halving)
      for (int d : distances)
        add_step(d, step /= 2);
    if (doubling) {
      step = bytes / n;
      for (auto it = distances.rbegin(); it != distances.rend(); ++it) {
        add_step(*it, step);
        step *= 2;
      }
    }
  }
};

} // namespace

const CollectiveAlgorithm& halving_doubling_algorithm()
{
  static const HalvingDoubling algorithm;
  return algorithm;
}

} // namespace dcsim
