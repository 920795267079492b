// The load a scheduler trace's multi-node jobs put on the fabric (`scheduler.trace_traffic`).
//
// A trace says how long each job held its GPUs, not what it sent. With trace_traffic, each
// trace job on more than one node is taken to all-reduce `gradient` bytes over its GPUs every
// `iteration` (data-parallel training), through the algorithm the tuner picks for its GPUs, and
// that all-reduce's network flows run as a steady load (collectives/steady_load.hpp) for as long
// as the job holds its GPUs. The training jobs beside it then share those links with it. The
// trace job's own duration stays the traced one: it is the record of what it took.
//
// With `stretch: true` the traced duration is instead the job's work with its load fully served:
// the load carries that work (LoadWork), and where the network gives the job's flows less than
// they ask (its own placement across a thin uplink, its neighbours), its run lasts longer, as
// long as its slowest flow takes. The scheduler then ends the job when the work is done.
//
// Each start and stop is a change for fast-forwarding (SteadyStateCoordinator::external_change):
// the training jobs simulate again until their iterations repeat under the new load. A window
// takes the training jobs' traffic off the network, which a stretched load would notice (it
// would go faster); so while one is open the stretched loads are frozen instead: each flow moves
// on at the pace it kept over the last simulated iteration of the job that opened the window,
// counted, not simulated, and the window ends before the first of them would finish.
#pragma once

#include "collectives/steady_load.hpp"
#include "config/scenario_config.hpp"
#include "engine/fabric_usage.hpp"
#include "engine/placement.hpp"
#include "engine/steady_state.hpp"

#include <deque>
#include <unordered_map>

namespace dcsim {

class Platform;

class TraceTraffic final : public SteadyStateListener {
public:
  TraceTraffic(const SchedulerConfig& scheduler, const Platform& platform, const CommunicationParams& params,
               SteadyStateCoordinator& coordinator);
  /// Whether any trace job may load the fabric (trace_traffic, or a job's own gradient_bytes).
  bool enabled() const { return enabled_; }
  /// Whether a loaded job's run lasts as long as its load takes (`stretch: true`).
  bool stretches() const { return config_.stretch; }
  /// Trace job `id` starts holding `placement`'s GPUs (called from an actor): its load starts
  /// if it spans nodes. `gradient_bytes` and `iteration_s` are the job's own when >= 0 and > 0
  /// (its trace's columns), else trace_traffic's. With `work`, the load carries it (stretches());
  /// returns whether a load started.
  bool start(int id, const Placement& placement, double gradient_bytes = -1, double iteration_s = -1,
             const LoadWork* work = nullptr);
  /// It releases its GPUs, or stops working: its load, if any, stops.
  void stop(int id);
  /// The work left to job `id`'s load, in seconds at its full pace (0 without one).
  double remaining_work_s(int id) const;
  /// Runs of trace jobs that put a load on the network.
  int loaded_runs() const { return loaded_runs_; }
  /// The loads by trace job (a frozen one is there, stopped).
  const std::unordered_map<int, SteadyLoad>& loads() const { return loads_; }
  /// What the loads put on the fabric (engine/fabric_usage.hpp), each from its start to its
  /// stop: its flows' caps, and the bytes they moved (a stretched load: its work done).
  const std::vector<FabricUse>& fabric_uses() const { return uses_; }
  /// Counts the loads still running at `now_s` into fabric_uses() (the end of the simulation).
  void finish(double now_s);

  // SteadyStateListener (with stretch):
  void iteration_boundary(int job, double now_s) override;
  double window_limit_s(int job, double now_s, double iteration_s) override;
  void window_opened(double now_s, double wake_s) override;

private:
  /// Each flowing load's bytes left, at one moment.
  struct Sample {
    double at_s = -1;
    std::unordered_map<int, std::vector<double>> bytes_left;
  };
  /// A stretched load taken off the network for a window, moving on at its measured pace.
  struct Frozen {
    std::vector<double> bytes_left;
    std::vector<double> bytes_per_s;
    double at_s = 0;
    std::vector<double> now_left(double now_s) const;
  };
  /// Puts the frozen loads back on the network at `now_s`, with what they have left.
  void thaw(double now_s);
  /// Adds load `id`'s FabricUse up to `now_s` to uses_.
  void record_use(int id, double now_s);

  TraceTrafficConfig config_;
  bool enabled_ = false;
  const Platform& platform_;
  const CommunicationParams& params_;
  SteadyStateCoordinator& coordinator_;
  std::unordered_map<int, SteadyLoad> loads_;
  std::unordered_map<int, LoadWork> works_;          ///< what each stretched load carries
  /// By training job: its last boundaries' samples, oldest first (enough to span the iterations
  /// its steady time is a mean of, SteadyStateCoordinator::kDriftIterations).
  std::unordered_map<int, std::deque<Sample>> samples_;
  std::unordered_map<int, std::vector<double>> paces_; ///< measured by window_limit_s, bytes/s per flow
  std::unordered_map<int, Frozen> frozen_;
  std::unordered_map<int, double> started_s_; ///< by trace job, when its load started
  std::vector<FabricUse> uses_;
  int loaded_runs_ = 0;
};

} // namespace dcsim
