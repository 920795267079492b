// Network work as the engine hands it to SimGrid: phases of concurrent flows, each followed by a
// latency term.
//
// A collective phase is sent as one flow per communicating pair carrying everything that pair
// moves in the phase, not one message per step: SimGrid then shares links between all concurrent
// flows by max-min fairness, and the per-step latencies are added once, explicitly. A 1,024-rank
// ring all-reduce is 1,024 flows instead of 2 million messages. Algorithms whose steps use
// different partners (recursive halving-doubling, hierarchical) have one phase per step.
#pragma once

#include "compute/gpu_profile.hpp"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Comm.hpp>

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dcsim {

class Platform;

struct Flow {
  int src = 0;      ///< GPU index
  int dst = 0;
  double bytes = 0; ///< bytes on the wire at the protocol's efficiency (link efficiency applied at start)
  int qp = 0;       ///< queue pair (Platform::gpu_host): set when a phase starts, 0 in plans
};

class CommPhase {
public:
  std::vector<Flow> flows;
  double latency_s = 0; ///< added after the flows complete (per-step latencies)

  /// Adds `bytes` to the flow src->dst, creating it if needed.
  void add_flow(int src, int dst, double bytes);

private:
  std::unordered_map<std::uint64_t, std::size_t> index_; ///< (src, dst) -> position in flows
};

class CommPlan {
public:
  std::vector<CommPhase> phases;

  bool empty() const;
  /// The phase being filled (created on first use).
  CommPhase& current();
  /// Starts a new phase: what follows runs after everything before it.
  CommPhase& next_phase();
  void add_flow(int src, int dst, double bytes) { current().add_flow(src, dst, bytes); }
  void add_latency(double seconds) { current().latency_s += seconds; }
  /// Runs `other` after this plan.
  void append(const CommPlan& other) { phases.insert(phases.end(), other.phases.begin(), other.phases.end()); }
  /// Runs `other` at the same time as this plan: phase i with phase i, latencies overlapped.
  void merge_concurrent(const CommPlan& other);
  /// Runs `other` (its phases flattened into one) at the same time as this plan's last phase.
  void merge_concurrent_at_last(const CommPlan& other);
  /// The same plan with every flow and latency multiplied by `fraction`.
  CommPlan scaled(double fraction) const;
  std::size_t flow_count() const;
};

/// Flows of a plan in flight. wait() blocks the calling actor until every phase has completed;
/// it may be called from another actor than the one that started them. Large phases and
/// multi-phase plans run on helper actors (see start_flows).
class PendingComm {
public:
  static constexpr size_t kFlowsPerActor = 32;

  PendingComm() = default;
  /// Flows started now; `latency_s` is the phase's latency after its last flow. `comms`, if
  /// any, hold `fabric_links` (FabricOccupancy::begin_real) until waited.
  PendingComm(std::vector<simgrid::s4u::CommPtr> comms, std::vector<simgrid::s4u::ActorPtr> helpers,
              double latency_s, std::vector<int> fabric_links = {});
  // Move-only: one owner ends the fabric use it holds.
  PendingComm(PendingComm&& other) noexcept { *this = std::move(other); }
  PendingComm& operator=(PendingComm&& other) noexcept
  {
    comms_ = std::exchange(other.comms_, {}); // emptied: only this one ends the fabric use
    helpers_ = std::move(other.helpers_);
    latency_s_ = other.latency_s_;
    fabric_links_ = std::move(other.fabric_links_);
    start_s_ = other.start_s_;
    return *this;
  }
  PendingComm(const PendingComm&) = delete;
  PendingComm& operator=(const PendingComm&) = delete;
  void wait();
  bool empty() const { return comms_.empty() && helpers_.empty() && latency_s_ == 0; }

private:
  std::vector<simgrid::s4u::CommPtr> comms_;
  std::vector<simgrid::s4u::ActorPtr> helpers_;
  double latency_s_ = 0;
  std::vector<int> fabric_links_; ///< the links comms_ hold as real traffic (FabricOccupancy) until waited
  double start_s_ = 0;
};

/// Starts a plan (payload divided by the NCCL efficiency of each flow's path: scale-up inside an
/// NVLink domain, scale-out across the network).
PendingComm start_flows(const CommPlan& plan, const Platform& platform, const CommunicationParams& params);
/// start_flows(...).wait() without a helper actor for the phases: the calling actor runs them.
void run_flows(const CommPlan& plan, const Platform& platform, const CommunicationParams& params);

/// The NCCL efficiency of a flow's path: scale-up inside an NVLink domain, scale-out across it.
double link_efficiency(const Flow& f, const Platform& platform, const CommunicationParams& params);
/// A flow's bytes on the wire: its payload at the NCCL efficiency of its path, in whole bytes.
double wire_bytes(const Flow& f, const Platform& platform, const CommunicationParams& params);
/// The flows that go on the wire: each pair's bytes split evenly over the queue pairs the
/// platform hashes onto paths of their own (Platform::hashed_qps); self-sends and empty flows
/// dropped.
std::vector<Flow> wire_flows(const std::vector<Flow>& flows, const Platform& platform);
/// The SimGrid links (Platform::sim_route) a set of flows crosses, each once.
std::vector<int> links_of(const std::vector<Flow>& flows, const Platform& platform);

/// The plan's duration if nothing else used the fabric: per phase, its latency plus the busiest
/// directed link's bytes over that link's bandwidth. The collective tuner ranks algorithms by it.
double uncontended_seconds(const CommPlan& plan, const Platform& platform, const CommunicationParams& params);

} // namespace dcsim
