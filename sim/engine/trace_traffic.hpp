// The load a scheduler trace's multi-node jobs put on the fabric (`scheduler.trace_traffic`).
//
// A trace says how long each job held its GPUs, not what it sent. With trace_traffic, each
// trace job on more than one node is taken to all-reduce `gradient` bytes over its GPUs every
// `iteration` (data-parallel training), through the algorithm the tuner picks for its GPUs, and
// that all-reduce's network flows run as a steady load (collectives/steady_load.hpp) for as long
// as the job holds its GPUs. The training jobs beside it then share those links with it. The
// trace job's own duration stays the traced one: it is the record of what it took.
//
// Each start and stop is a change for fast-forwarding (SteadyStateCoordinator::external_change):
// the training jobs simulate again until their iterations repeat under the new load.
#pragma once

#include "collectives/steady_load.hpp"
#include "config/scenario_config.hpp"
#include "engine/placement.hpp"
#include "engine/steady_state.hpp"

#include <unordered_map>

namespace dcsim {

class Platform;

class TraceTraffic {
public:
  TraceTraffic(const SchedulerConfig& scheduler, const Platform& platform, const CommunicationParams& params,
               SteadyStateCoordinator& coordinator);
  /// Whether any trace job may load the fabric (trace_traffic, or a job's own gradient_bytes).
  bool enabled() const { return enabled_; }
  /// Trace job `id` starts holding `placement`'s GPUs (called from an actor): its load starts
  /// if it spans nodes. `gradient_bytes` and `iteration_s` are the job's own when >= 0 and > 0
  /// (its trace's columns), else trace_traffic's.
  void start(int id, const Placement& placement, double gradient_bytes = -1, double iteration_s = -1);
  /// It releases its GPUs: its load, if any, stops.
  void stop(int id);
  /// Runs of trace jobs that put a load on the network.
  int loaded_runs() const { return loaded_runs_; }
  /// The loads running now, by trace job.
  const std::unordered_map<int, SteadyLoad>& loads() const { return loads_; }

private:
  TraceTrafficConfig config_;
  bool enabled_ = false;
  const Platform& platform_;
  const CommunicationParams& params_;
  SteadyStateCoordinator& coordinator_;
  std::unordered_map<int, SteadyLoad> loads_;
  int loaded_runs_ = 0;
};

} // namespace dcsim
