// Direct communication: all-to-all as every rank sending S/n to every other rank at once (up to
// kMaxDirectRanks ranks; beyond, pairwise: n-1 phases, in phase k rank r sends to r+k), and
// send/recv as every rank sending S to the next one (two ranks: one flow; as nccl-tests'
// sendrecv_perf: a ring of sends).
//
// An all-to-all over several NVLink domains that each hold the same number k of its ranks moves
// its traffic between domains in merged flows: a rank's k flows into another domain become one
// flow, carrying all of them, to the rank at its own position there. Every NIC then sends and
// receives the bytes it would, and every destination NIC gets the same bytes from each source
// domain, so with routes chosen by destination NIC (fat-trees' D-mod-K, the default) every cable
// carries what one flow per pair would put on it, and the phase takes the same time; with ECMP
// only the hashing differs, and with rail-optimized PXN the NVLink hop to the destination's rail
// is skipped (NICs carry the same bytes). n(n-1) flows become n(k-1) + n(d-1) for d domains: a
// 64-rank group on 8 nodes 4,032 -> 896 (tests/sim/collectives/algorithms_test.cpp).
#include "collectives/collective_algorithm.hpp"

namespace dcsim {

namespace {

constexpr int kMaxDirectRanks = 256; // n(n-1) flows at once beyond this is too many for the engine

/// All-to-all between uniform domains: flows inside a domain per pair, between domains merged.
void merged_all_to_all(CommPlan& plan, const std::vector<std::vector<int>>& parts, double share, int count,
                       const CollectiveContext& context)
{
  const size_t k = parts.front().size();
  std::vector<std::pair<int, int>> edges;
  for (const auto& part : parts)
    for (size_t p = 0; p < k; ++p) {
      for (size_t q = 0; q < k; ++q)
        if (q != p) {
          plan.add_flow(part[p], part[q], share);
          edges.emplace_back(part[p], part[q]);
        }
      for (const auto& other : parts)
        if (&other != &part) {
          plan.add_flow(part[p], other[p], share * static_cast<double>(k));
          edges.emplace_back(part[p], other[p]);
        }
    }
  plan.add_latency(count * steps_latency(1, edges, context));
}

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
    const std::vector<std::vector<int>> parts = uniform_domains(group, context.platform);
    if (parts.size() > 1) {
      merged_all_to_all(plan, parts, share, call.count, context);
      return;
    }
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
