// A collective repeated every period, as the average load it puts on the network: what a job
// that is not simulated iteration by iteration (a scheduler trace's job) does to the jobs that
// are.
//
// Each pair of GPUs that the plan's flows connect across the network gets one flow per hashed
// queue pair (comm_plan.hpp, wire_flows) that runs until stopped, capped at its share of the wire
// bytes the pair moves per period (all phases summed). Max-min
// sharing then gives the other traffic on those links what the load leaves: exactly what a
// constant background stream would cost them. A real job moves the same bytes in bursts (its
// collective, then its computation), which collide with a neighbour's bursts more or less
// often; the average is the first-order effect, not the burst-level one. Flows inside an NVLink
// domain are left out: a job's GPUs are its own, so nobody shares those links.
//
// The load counts as real traffic for FabricOccupancy (its links stop solo phases) while it runs.
//
// A load may also carry a job's work (LoadWork): each flow then moves what `work_s` seconds of
// the job send at its cap, and the work is done when every flow has arrived. Alone, that is
// work_s later (plus the route's latency); where the network gives a flow less than its cap,
// the job's end moves out as max-min sharing says, with SimGrid integrating the rates.
#pragma once

#include "collectives/comm_plan.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace dcsim {

/// The work a load carries (SteadyLoad::start).
struct LoadWork {
  double work_s = 0;  ///< the job's work, in seconds at the load's full pace
  double delay_s = 0; ///< the flows start this long after the load (a restart before the work)
  /// Called from the load's actor when the work is done (not when the load is stopped first).
  std::function<void()> on_done;
};

/// A load's network flows, one per pair of GPUs, and each one's cap.
struct LoadFlows {
  std::vector<Flow> flows;
  std::vector<double> caps_bytes_per_s;
  /// The work `bytes_left` (flow by flow) stands for: the slowest flow's bytes over its cap.
  double work_left_s(const std::vector<double>& bytes_left) const;
};

class SteadyLoad {
public:
  SteadyLoad() = default;
  /// Starts the load of `plan` repeated every `period_s` (called from an actor); with `work`, for
  /// that work only, else until stopped.
  static SteadyLoad start(const CommPlan& plan, double period_s, const Platform& platform,
                          const CommunicationParams& params, const LoadWork* work = nullptr);
  /// Starts `flows` again with `work`, each flow with its `bytes_left` (a load stopped part way).
  static SteadyLoad resume(const LoadFlows& flows, const Platform& platform, const LoadWork& work,
                           const std::vector<double>& bytes_left);
  SteadyLoad(SteadyLoad&&) noexcept = default;
  SteadyLoad& operator=(SteadyLoad&&) noexcept = default;
  SteadyLoad(const SteadyLoad&) = delete;
  SteadyLoad& operator=(const SteadyLoad&) = delete;

  /// Ends the load (called from an actor; nothing happens when it is not running).
  void stop();
  bool running() const { return state_ != nullptr; }
  /// The flows' caps added up (wire bytes per second across the network).
  double bytes_per_s() const;
  /// Network flows, one per pair.
  std::size_t flows() const { return flows_.flows.size(); }
  const LoadFlows& load_flows() const { return flows_; }
  /// With a work: what is left of it at the full pace (the slowest flow's bytes left over its
  /// cap; all of it before the flows start). 0 without one.
  double remaining_work_s() const;
  /// With a work: each flow's bytes still to move (all of them before the flows start).
  std::vector<double> bytes_left() const;
  /// Whether its flows have started (a load with a delay waits first).
  bool flowing() const;
  /// Without a work: each flow's bytes moved since it started (0 before then).
  std::vector<double> bytes_moved() const;

private:
  struct State;
  /// Starts the flows, each with `bytes[i]` (with a work) or endless.
  static SteadyLoad launch(LoadFlows flows, const Platform& platform, const LoadWork* work, std::vector<double> bytes);
  std::shared_ptr<State> state_; ///< shared with the actor that starts the flows
  LoadFlows flows_;
};

} // namespace dcsim
