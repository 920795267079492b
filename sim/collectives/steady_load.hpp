// A collective repeated every period, as the average load it puts on the network: what a job
// that is not simulated iteration by iteration (a scheduler trace's job) does to the jobs that
// are.
//
// Each pair of GPUs that the plan's flows connect across the network gets one flow that runs
// until stopped, capped at the wire bytes the pair moves per period (all phases summed). Max-min
// sharing then gives the other traffic on those links what the load leaves: exactly what a
// constant background stream would cost them. A real job moves the same bytes in bursts (its
// collective, then its computation), which collide with a neighbour's bursts more or less
// often; the average is the first-order effect, not the burst-level one. Flows inside an NVLink
// domain are left out: a job's GPUs are its own, so nobody shares those links.
//
// The load counts as real traffic for FabricOccupancy (its links stop solo phases) while it runs.
#pragma once

#include "collectives/comm_plan.hpp"

#include <memory>
#include <vector>

namespace dcsim {

class SteadyLoad {
public:
  SteadyLoad() = default;
  /// Starts the load of `plan` repeated every `period_s` (called from an actor).
  static SteadyLoad start(const CommPlan& plan, double period_s, const Platform& platform,
                          const CommunicationParams& params);
  SteadyLoad(SteadyLoad&&) noexcept = default;
  SteadyLoad& operator=(SteadyLoad&&) noexcept = default;
  SteadyLoad(const SteadyLoad&) = delete;
  SteadyLoad& operator=(const SteadyLoad&) = delete;

  /// Ends the load (called from an actor; nothing happens when it is not running).
  void stop();
  bool running() const { return state_ != nullptr; }
  /// The flows' caps added up (wire bytes per second across the network).
  double bytes_per_s() const { return bytes_per_s_; }
  /// Network flows, one per pair.
  std::size_t flows() const { return flows_; }

private:
  struct State;
  std::shared_ptr<State> state_; ///< shared with the actor that starts the flows
  double bytes_per_s_ = 0;
  std::size_t flows_ = 0;
};

} // namespace dcsim
