// Runs one training job on the platform: one actor per pipeline rank (the representative GPU of
// data-parallel replica 0, tensor-parallel rank 0) plus a communication-stream actor per rank.
//
//   JobRunner runner(job, index, placement, platform, scenario, coordinator, trace);
//   runner.start();          // before Engine::run()
//   ... engine.run() ...
//   JobResult r = runner.result();
#pragma once

#include "compute/compute_cost_model.hpp"
#include "config/scenario_config.hpp"
#include "engine/channel.hpp"
#include "engine/comm_stream.hpp"
#include "engine/fabric_usage.hpp"
#include "engine/job_layout.hpp"
#include "engine/job_plans.hpp"
#include "engine/job_reliability.hpp"
#include "engine/run_memo.hpp"
#include "engine/sm_share.hpp"
#include "engine/steady_state.hpp"
#include "parallelism/job_workload.hpp"
#include "parallelism/pipeline_schedule.hpp"
#include "results/simulation_result.hpp"

#include <simgrid/s4u/Barrier.hpp>

#include <functional>
#include <memory>
#include <vector>

namespace dcsim {

class Platform;

/// State shared by the pipeline ranks of one job during the simulation.
struct JobShared {
  const JobConfig& job;
  int index;
  const Platform& platform;
  const CommunicationParams& comm;
  JobLayout layout;
  ComputeCostModel cost;
  JobWorkload workload;
  std::vector<ChunkPlans> plans;
  std::vector<Channel> forward_channels;  ///< [c]: chunk c -> c+1
  std::vector<Channel> backward_channels; ///< [c]: chunk c+1 -> c
  std::vector<std::unique_ptr<CommStream>> streams; ///< per pipeline rank
  SmShare sm_share; ///< the GPU's SMs between the kernels and the data-parallel stream's collectives
  simgrid::s4u::BarrierPtr barrier;
  SteadyStateCoordinator& coordinator;
  int coordinator_id;
  std::vector<TraceEvent>* trace;
  JobReliability reliability;
  std::vector<double> slowdown; ///< per pipeline rank: compute time multiplier from straggler nodes
  int straggler_nodes = 0;      ///< of the job's nodes, how many are slow

  // Written by the pipeline ranks.
  std::vector<TimeBreakdown> current;  ///< per rank, iteration in progress
  std::vector<TimeBreakdown> last;     ///< per rank, last simulated iteration
  std::vector<double> iteration_times_s;
  int skip = 0;
  double skip_iteration_s = 0; ///< the steady iteration time the skipped iterations take
  int done = 0; ///< iterations the job has completed (and kept, after failures)
  /// The scheduler preempts the job: it stops at its next iteration boundary, keeping every
  /// iteration done (a graceful suspend), and its GPUs go back; it resumes later as a new run.
  bool suspend_requested = false;
  bool suspended = false;
  bool resumed = false; ///< a run after a preemption: it reads its checkpoint back first
  bool refill = false; ///< the job just stopped for a checkpoint or a failure
  double start_s = 0, end_s = 0, iteration_start_s = 0;
  int simulated_iterations = 0;
  std::function<void()> on_finish; ///< called once by pipeline rank 0 when the job has ended
  /// Earlier runs' first iterations (run_memo.hpp): where this run records its own, and the
  /// memo of an earlier run on the same GPUs it may take instead of simulating them.
  RunMemos* memos = nullptr;
  const RunMemo* memo = nullptr;
  bool memo_taken = false;        ///< this run fast-forwarded through the memo's iterations
  bool memo_recorded = false;
  std::vector<char> gather_pending; ///< per rank, after its last simulated iteration

  JobShared(const JobConfig& job, int index, const Placement& placement, const Platform& platform, const ScenarioConfig& scenario,
            SteadyStateCoordinator& coordinator, SparePool& spares, std::vector<TraceEvent>* trace);
};

class JobRunner {
public:
  JobRunner(const JobConfig& job, int index, const Placement& placement, const Platform& platform, const ScenarioConfig& scenario,
            SteadyStateCoordinator& coordinator, SparePool& spares, std::vector<TraceEvent>* trace);
  /// `done` runs (in the job's actor) when the job has ended, e.g. to free its GPUs.
  void set_on_finish(std::function<void()> done) { shared_->on_finish = std::move(done); }
  void start();
  /// When the job should end if it keeps its last iteration time (infinity before the first).
  double expected_end_s(double now_s) const;
  JobResult result() const;
  /// What the run put on the fabric (engine/fabric_usage.hpp): its steady iteration's traffic at
  /// that iteration's mean rate from its start to its end, and the bytes of the iterations it
  /// ran (those failures threw away too; none when it completed none), then each checkpoint
  /// write and read.
  std::vector<FabricUse> fabric_uses() const;
  /// Why the job stopped before its last iteration ("" when it did not).
  const std::string& gave_up() const { return shared_->reliability.gave_up(); }
  /// Asks the job to stop at its next iteration boundary (preemption).
  void request_suspend() { shared_->suspend_requested = true; }
  /// This run resumes a preempted job (before start()).
  void mark_resumed() { shared_->resumed = true; }
  /// Records its first iterations in `memos`, and takes an earlier run's on the same GPUs when
  /// it may (before start(); run_memo.hpp).
  void use_memos(RunMemos& memos);
  /// It stopped on request, or at its time limit, before its last iteration.
  bool suspended() const { return shared_->suspended; }
  /// It stopped at its time limit (jobs[].time_limit): requeued, not preempted.
  bool time_limited() const
  {
    return shared_->reliability.time_limit_stop() != JobReliability::TimeLimitStop::None;
  }
  /// Iterations it has completed.
  int iterations_done() const { return shared_->done; }
  /// When it stopped (finished or suspended).
  double end_s() const { return shared_->end_s; }

private:
  std::unique_ptr<JobShared> shared_;
  const ClusterConfig& cluster_;
};

} // namespace dcsim
