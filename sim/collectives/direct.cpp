// Direct communication: all-to-all as every rank sending S/n to every other rank at once (up to
// kMaxDirectRanks ranks; beyond, pairwise: n-1 phases, in phase k rank r sends to r+k), and
// send/recv as every rank sending S to the next one (two ranks: one flow; as nccl-tests'
// sendrecv_perf: a ring of sends).
#include "collectives/collective_algorithm.hpp"

namespace dcsim {

namespace {

constexpr int kMaxDirectRanks = 256; // n(n-1) flows at once beyond this is too many for the engine

class Direct : public CollectiveAlgorithm {
public:
  std::string name() const override { return "direct"; }

  bool supports(CollectiveKind kind, const GroupShape& shape, Protocol) const override
  {
    return kind == CollectiveKind::AllToAll || (kind == CollectiveKind::SendRecv && shape.ranks >= 2);
  }

  void append(CommPlan& plan, const std::vector<int>& group, const CollectiveCall& call,
              const CollectiveContext& context) const override
  {
    const int n = static_cast<int>(group.size());
    const double efficiency = context.params.protocol(context.protocol).efficiency;
    if (call.kind == CollectiveKind::SendRecv) {
      // Two ranks: the first sends to the second (a pipeline transfer). More: a ring of sends.
      std::vector<std::pair<int, int>> edges;
      for (int r = 0; r < (n == 2 ? 1 : n); ++r) {
        plan.add_flow(group[r], group[(r + 1) % n], call.bytes * call.count / efficiency);
        edges.emplace_back(group[r], group[(r + 1) % n]);
      }
      plan.add_latency(call.count * steps_latency(1, edges, context));
      return;
    }
    const double share = call.bytes * call.count / n / efficiency;
    if (n <= kMaxDirectRanks) {
      std::vector<std::pair<int, int>> edges;
      for (int r = 0; r < n; ++r)
        for (int q = 0; q < n; ++q)
          if (q != r) {
            plan.add_flow(group[r], group[q], share);
            edges.emplace_back(group[r], group[q]);
          }
      plan.add_latency(call.count * steps_latency(1, edges, context));
      return;
    }
    for (int k = 1; k < n; ++k) {
      CommPhase& phase = plan.next_phase();
      std::vector<std::pair<int, int>> edges;
      for (int r = 0; r < n; ++r) {
        phase.add_flow(group[r], group[(r + k) % n], share);
        edges.emplace_back(group[r], group[(r + k) % n]);
      }
      phase.latency_s += k == 1 ? steps_latency(1, edges, context) : step_latency(edges, context);
    }
  }
};

} // namespace

const CollectiveAlgorithm& direct_algorithm()
{
  static const Direct algorithm;
  return algorithm;
}

} // namespace dcsim
