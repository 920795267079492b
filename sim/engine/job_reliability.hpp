// A job's checkpoints and failures, lived by its first pipeline rank between iterations while
// the other ranks wait at the job's barrier: a checkpoint when one is due, and every failure that
// strikes before the next iteration would end, with its restart and checkpoint read. Between
// these events the job runs (and fast-forwards) as usual; the failure and checkpoint times bound
// the steady-state windows, so months of training cost a few simulated iterations per event.
//
// A synchronous checkpoint stops training for its write. An asynchronous one (Megatron-Core's
// and PyTorch DCP's async save) stops it only while every GPU copies its share to host memory;
// a helper actor then writes to storage while the job trains on, its flows sharing the NICs with
// the job's traffic, and the checkpoint counts (is what a failure rolls back to) once the write
// has landed. A failure before that loses the work since the previous one; the next snapshot
// waits for a write still in flight. The iterations during a job's first write are simulated,
// which measures how much the write slows training; later writes of a steady job are
// fast-forwarded through (the write alone on the fabric) and charged that slowdown when they land.
#pragma once

#include "config/scenario_config.hpp"
#include "engine/checkpoint_io.hpp"
#include "engine/failure_clock.hpp"
#include "engine/placement.hpp"
#include "engine/spare_pool.hpp"
#include "engine/steady_state.hpp"
#include "results/simulation_result.hpp"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Semaphore.hpp>

#include <algorithm>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dcsim {

class Platform;

class JobReliability {
public:
  /// `spares`: the cluster's spare nodes, which a failed node's replacement comes from;
  /// `trace`: where to record checkpoint writes and restarts for --trace (null: nowhere).
  JobReliability(const JobConfig& job, const ScenarioConfig& scenario, const Platform& platform,
                 const Placement& placement, int job_index, SteadyStateCoordinator& coordinator, int coordinator_id,
                 SparePool& spares, std::vector<TraceEvent>* trace);

  bool active() const
  {
    return checkpoint_.enabled || clock_.mtbi_s() > 0 || maintenance_interval_s_ > 0 || time_limited();
  }
  /// How the run ended at its time limit (jobs[].time_limit): it saved and exited at
  /// exit_duration, or Slurm killed it; either way the scheduler requeues the job.
  enum class TimeLimitStop { None, Exit, Killed };
  TimeLimitStop time_limit_stop() const { return time_limit_stop_; }
  /// What to wait for before a write or a restart: the job's communication still in flight (a
  /// synchronous checkpoint saves the state of a finished optimizer step; a failed job's last
  /// traffic ends before it restarts).
  void set_drain(std::function<void()> drain) { drain_ = std::move(drain); }
  /// The job starts at `now_s`: failures and maintenance before it do not concern it.
  void start(double now_s);

  /// Before an iteration expected to take `next_iteration_s`, at iteration count `done`: writes
  /// a checkpoint if one is due and lives through the failures that come first. Returns the
  /// iteration count to go on from (the last checkpoint's after a failure).
  int before_iteration(int done, double next_iteration_s);
  /// The job trained `seconds` more: one simulated iteration, or fast-forwarded ones.
  void trained(double seconds, bool simulated);
  /// The job's last iteration is done: an asynchronous write in flight is waited for (as
  /// Megatron-Core finalizes its saves when training ends).
  void finish();
  /// The scheduler preempted the job at iteration `done`: with checkpoints on, it saves its
  /// state (a synchronous write through the storage model, an asynchronous one in flight
  /// waited for first). Returns the iterations kept: `done`, or the last checkpoint's when a
  /// failure cut the write (without checkpoints, `done`: nothing to save to).
  int save_for_preemption(int done);
  /// before_iteration() said Exit: saves a checkpoint of iteration `done` before the kill (the
  /// kill cutting the write makes it Killed). Returns the iterations kept.
  int exit_for_time_limit(int done);
  /// Training time an asynchronous write costs the job (< 0: not measured yet); a later run of the
  /// job on the same GPUs assumes it instead of measuring it again (engine/run_memo.hpp).
  double write_slowdown_s() const { return write_slowdown_s_; }
  void assume_write_slowdown(double seconds)
  {
    write_slowdown_s_ = seconds;
    stats_.checkpoint_slowdown_s = seconds;
  }
  /// When Slurm kills this run (infinity without a time limit).
  double kill_s() const { return kill_s_; }
  /// A run resuming after a preemption reads the checkpoint back first (checkpoints on).
  void load_after_preemption();
  /// When this job's next checkpoint or failure is due, for the fast-forward windows: a
  /// checkpoint at the iteration boundary where it will be written, given iterations of
  /// `iteration_s` (0: not known yet).
  double next_event_s(double now_s, double iteration_s);
  const ReliabilityStats& stats() const { return stats_; }
  /// When training stopped (checkpoint writes and snapshots, restarts, maintenance, reads after
  /// a preemption; an elastic run's too, whose reduced traffic elastic_spans() gives), as (from,
  /// to) spans that do not overlap.
  const std::vector<std::pair<double, double>>& training_pauses() const { return pauses_; }
  /// An elastic run's training (failures.elastic), inside a pause: from, to, and on how many of
  /// the job's `replicas()` data-parallel replicas.
  struct ElasticSpan {
    double from_s = 0;
    double to_s = 0;
    int replicas = 0;
  };
  const std::vector<ElasticSpan>& elastic_spans() const { return elastic_spans_; }
  int replicas() const { return replicas_; }
  /// The checkpoint writes and reads on the fabric so far (engine/fabric_usage.hpp).
  std::vector<FabricUse> checkpoint_uses() const { return mover_ ? mover_->fabric_uses() : std::vector<FabricUse>{}; }
  /// Why the job could not go on ("" if it could): it failed more often than anything finishes.
  const std::string& gave_up() const { return gave_up_; }
  /// Times the job stopped and drained its communication (checkpoint writes or snapshots,
  /// failures): a change means it stopped. (An asynchronous write landing does not stop it.)
  int events() const { return stops_; }

private:
  bool checkpoint_due(double next_iteration_s) const;
  /// Time from now to the boundary where the next checkpoint is due.
  double until_checkpoint_s(double iteration_s) const;
  /// A planned maintenance is due at the boundary at `now_s`.
  bool maintenance_due(double now_s) const { return next_maintenance_s_ <= now_s + kMaintenanceSlackS; }
  /// Saves a checkpoint of iteration `done`, stays down for the maintenance, reads it back.
  void maintain(int done);
  /// The first maintenance after `now_s`.
  void schedule_maintenance(double now_s);
  /// Fast-forwarding lands on iteration boundaries computed in floating point: one this close
  /// after a maintenance time counts as at it.
  static constexpr double kMaintenanceSlackS = 1e-6;
  /// The next moment that throws unsaved work away: a failure, or the time limit's kill.
  double cut_s() const { return std::min(clock_.pending(), kill_s_); }
  bool time_limited() const { return kill_s_ < std::numeric_limits<double>::infinity(); }
  /// Slurm killed the run (`extra_s` into an iteration): the work since the last checkpoint is
  /// lost and the run ends there. `restarting`: during a failure's restart (no reason to give up
  /// when nothing was saved: the failure, not the limit, cost the work).
  void killed_at_time_limit(double extra_s, bool restarting = false);
  /// Writes a checkpoint; false when a failure (recovered from on return) or the time limit's
  /// kill (not: the run ends) cut it short.
  bool write_checkpoint(int done);
  /// Asynchronous: waits for the write in flight, if any, then snapshots and starts the next.
  void snapshot_checkpoint(int done, double steady_iteration_s);
  /// Waits for the asynchronous write in flight (if any) and counts it if it landed.
  void settle_write();
  struct PendingWrite;
  /// Measures, on the first write, how much it slowed training; charges that to later writes
  /// whose iterations were fast-forwarded.
  void charge_write_slowdown(const PendingWrite& write);
  void start_writer();
  /// The checkpoint of iteration `done` is safe; the training since its snapshot is not yet.
  void commit(int done);
  /// Daly's interval for a checkpoint that stops training for `blocking_s` (auto intervals only).
  void set_interval(double blocking_s);
  /// From a failure at `failure_s` to training again: restarts, checkpoint reads, and the
  /// failures that strike during them.
  void recover(double failure_s);
  /// Failure: the training since the last checkpoint, and `extra_s` of an unfinished iteration, are lost.
  void lose_work(double extra_s)
  {
    stats_.lost_work_s += since_checkpoint_s_ + extra_s;
    stats_.by_cause[clock_.pending_cause()].lost_work_s += since_checkpoint_s_ + extra_s;
  }
  enum class ElasticRun { NotRun, Ran, Finished, Killed };
  /// failures.elastic (job_reliability_elastic.cpp): the job waits for spares until `spare_s`,
  /// `missing` of its replicas on nodes that failed. It restarts without them (done at
  /// `restart_s`), reads its checkpoint and trains on the replicas left, checkpointing at its
  /// interval, until the spares are in (Ran), the next failure strikes (Ran, at that failure:
  /// the unsaved work is lost), it has done all its iterations (Finished) or its allocation's
  /// time limit ends it (Killed, at the limit: the unsaved work is added to `limit_lost_s`).
  /// NotRun when it cannot: no replica left, no iteration time known yet, or nothing to gain
  /// before the spares, the next failure or the limit. `cause` is charged work lost to failures.
  ElasticRun run_elastic(int missing, double restart_s, double spare_s, double next_failure_s, int cause,
                         double& limit_lost_s);
  /// How many data-parallel replicas a failure of `cause` takes: 1 for a GPU, a node's for a node.
  int replicas_lost(int cause) const;
  double restart_of(int cause) const { return restart_by_cause_[cause]; }
  double detect_of(int cause) const { return detect_by_cause_[cause]; }
  /// Whether training stopped for a recorded span (its traffic off the fabric), or went on.
  enum class Training { Stopped, Running };
  /// A span from `start_s` to now: a trace event, and a pause of the job's traffic if `training`
  /// stopped.
  void record(const char* name, double start_s, Training training);

  /// An asynchronous write in flight (written by the job's writer actor).
  struct PendingWrite {
    int done = 0; ///< iterations the checkpoint holds
    double started_s = 0;
    double ended_s = 0;
    double steady_iteration_s = 0; ///< before the snapshot
    int simulated = 0;             ///< iterations simulated while the write was in flight
    double simulated_s = 0;        ///< ... and their time
    bool skipped = false;          ///< some iterations were fast-forwarded while it was in flight
    double deadline_s = 0;         ///< the next failure, which would throw the write away
    bool finished = false;
    bool written = false;
  };

  CheckpointConfig checkpoint_;
  double snapshot_s_ = 0;      ///< asynchronous: one GPU's share over its device-to-host rate
  simgrid::s4u::Host* writer_host_ = nullptr;
  /// One daemon actor writes every asynchronous checkpoint of the job (an actor per write costs
  /// more than the write at thousands of checkpoints); `requested_` wakes it, `landed_` tells.
  simgrid::s4u::ActorPtr writer_;
  simgrid::s4u::SemaphorePtr requested_, landed_;
  std::shared_ptr<PendingWrite> pending_;
  double since_snapshot_s_ = 0;
  int stops_ = 0;
  double write_slowdown_s_ = -1; ///< training time a write costs its job (< 0: not measured yet)
  double maintenance_interval_s_ = 0; ///< failures.maintenance (0: none)
  double maintenance_downtime_s_ = 0;
  double next_maintenance_s_ = std::numeric_limits<double>::infinity();
  FailureExtent extent_;                  ///< the GPUs, nodes and switches the job spans
  double mean_restart_s_ = 0;             ///< over the causes, weighted by their rates (for messages)
  std::vector<double> restart_by_cause_;  ///< FailureConfig::causes' restarts
  std::vector<double> detect_by_cause_;   ///< ... and the time each takes to be noticed
  std::optional<CheckpointMover> mover_;
  std::function<void()> drain_ = [] {};
  FailureClock clock_;
  SteadyStateCoordinator& coordinator_;
  int coordinator_id_;
  SparePool& spares_;
  ReliabilityStats stats_;
  double since_checkpoint_s_ = 0;
  int committed_ = 0;           ///< iterations saved by the last checkpoint
  // failures.elastic
  bool elastic_ = false;
  int replicas_ = 1;            ///< the job's data parallelism
  int replicas_per_node_ = 1;   ///< most data-parallel replicas with a GPU on one of its nodes
  std::vector<bool> gpu_cause_; ///< per cause: strikes one GPU (one replica), not a whole node
  int iterations_ = 0;          ///< the run's iterations
  double iteration_s_ = 0;      ///< the last steady iteration (before_iteration's)
  bool elastic_finished_ = false; ///< an elastic run did the job's last iterations
  // jobs[].time_limit, from this run's allocation
  double kill_s_ = std::numeric_limits<double>::infinity();
  double exit_s_ = std::numeric_limits<double>::infinity();
  TimeLimitStop time_limit_stop_ = TimeLimitStop::None;
  std::string gave_up_;
  int job_index_;
  std::vector<TraceEvent>* trace_;
  std::vector<std::pair<double, double>> pauses_; ///< training_pauses()
  std::vector<ElasticSpan> elastic_spans_;
};

} // namespace dcsim
