// Network work as the engine hands it to SimGrid: a set of concurrent flows plus a latency term.
//
// A collective phase is sent as one flow per ring edge carrying everything that edge moves in
// the phase, not one message per step: SimGrid then shares links between all concurrent flows
// by max-min fairness, and the per-step latencies are added once, explicitly. A 1,024-rank ring
// all-reduce is 1,024 flows instead of 2 million messages.
#pragma once

#include "compute/gpu_profile.hpp"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Comm.hpp>

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace dcsim {

class Platform;

struct Flow {
  int src = 0;      ///< GPU index
  int dst = 0;
  double bytes = 0; ///< payload
};

struct CommPlan {
  std::vector<Flow> flows;
  double latency_s = 0; ///< added after the flows complete (per-step latencies of the algorithm)

  bool empty() const { return flows.empty() && latency_s == 0; }
  /// Adds `bytes` to the flow src->dst, creating it if needed.
  void add_flow(int src, int dst, double bytes);
  /// Runs `other` at the same time as this plan (flows merged, latencies overlapped).
  void merge_concurrent(const CommPlan& other);

private:
  std::unordered_map<std::uint64_t, std::size_t> index_; ///< (src, dst) -> position in flows
};

/// Flows of a plan in flight. wait() blocks the calling actor until all have arrived and the
/// latency has elapsed; it may be called from another actor than the one that started them.
///
/// Large plans are started by helper actors, kFlowsPerActor flows each (see start_flows).
class PendingComm {
public:
  static constexpr size_t kFlowsPerActor = 32;

  PendingComm() = default;
  PendingComm(std::vector<simgrid::s4u::CommPtr> comms, std::vector<simgrid::s4u::ActorPtr> helpers,
              double latency_s)
      : comms_(std::move(comms)), helpers_(std::move(helpers)), latency_s_(latency_s)
  {
  }
  void wait();
  bool empty() const { return comms_.empty() && helpers_.empty() && latency_s_ == 0; }

private:
  std::vector<simgrid::s4u::CommPtr> comms_;
  std::vector<simgrid::s4u::ActorPtr> helpers_;
  double latency_s_ = 0;
};

/// Starts every flow of `plan` (payload divided by the NCCL efficiency of its path: scale-up
/// inside a node, scale-out across nodes).
PendingComm start_flows(const CommPlan& plan, const Platform& platform, const CommunicationParams& params);

} // namespace dcsim
