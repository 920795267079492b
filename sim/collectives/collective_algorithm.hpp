// How a collective over a group of GPUs becomes flows. One algorithm per file (ring.cpp, ...);
// the engine only sees this interface.
#pragma once

#include "collectives/comm_plan.hpp"
#include "parallelism/collective_call.hpp"

#include <vector>

namespace dcsim {

class Platform;

class CollectiveAlgorithm {
public:
  virtual ~CollectiveAlgorithm() = default;
  /// Adds the flows and step latencies of `call` over `group` (GPU indices in rank order) to
  /// `plan`. Calls added to the same plan run one after the other: their bytes per edge and
  /// their latencies add up.
  virtual void append(CommPlan& plan, const std::vector<int>& group, const CollectiveCall& call,
                      const Platform& platform, const CommunicationParams& params) const = 0;
};

/// The ring algorithm (NCCL's default for large messages).
const CollectiveAlgorithm& ring_algorithm();

/// Bytes each rank sends to its ring successor for `call` over `n` ranks, and the number of
/// sequential steps: all-reduce 2(n-1)/n*S over 2(n-1) steps; all-gather, reduce-scatter and
/// all-to-all (n-1)/n*S over n-1; broadcast and reduce S over n-1 (pipelined); send/recv S, 1.
struct RingCost {
  double edge_bytes = 0;
  int steps = 0;
};
RingCost ring_cost(const CollectiveCall& call, int n);

} // namespace dcsim
