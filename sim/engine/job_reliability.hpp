// A job's checkpoints and failures, lived by its first pipeline rank between iterations while
// the other ranks wait at the job's barrier: a synchronous checkpoint write when one is due, and
// every failure that strikes before the next iteration would end, with its restart and
// checkpoint read. Between these events the job runs (and fast-forwards) as usual; the failure
// and checkpoint times bound the steady-state windows, so months of training cost a few
// simulated iterations per event.
#pragma once

#include "config/scenario_config.hpp"
#include "engine/checkpoint_io.hpp"
#include "engine/failure_clock.hpp"
#include "engine/steady_state.hpp"
#include "results/simulation_result.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace dcsim {

class Platform;

class JobReliability {
public:
  /// `trace`: where to record checkpoint writes and restarts for --trace (null: nowhere).
  JobReliability(const JobConfig& job, const ScenarioConfig& scenario, const Platform& platform, int first_gpu,
                 int job_index, SteadyStateCoordinator& coordinator, int coordinator_id,
                 std::vector<TraceEvent>* trace);

  bool active() const { return checkpoint_.enabled || clock_.mtbi_s() > 0; }
  /// What to wait for before a write or a restart: the job's communication still in flight (a
  /// synchronous checkpoint saves the state of a finished optimizer step; a failed job's last
  /// traffic ends before it restarts).
  void set_drain(std::function<void()> drain) { drain_ = std::move(drain); }
  /// The job starts at `now_s`: failures before it do not concern it.
  void start(double now_s) { clock_.next_after(now_s); }

  /// Before an iteration expected to take `next_iteration_s`, at iteration count `done`: writes
  /// a checkpoint if one is due and lives through the failures that come first. Returns the
  /// iteration count to go on from (the last checkpoint's after a failure).
  int before_iteration(int done, double next_iteration_s);
  /// The job trained `seconds` more (iterations simulated or fast-forwarded).
  void trained(double seconds) { since_checkpoint_s_ += seconds; }
  /// When this job's next checkpoint or failure is due, for the fast-forward windows.
  double next_event_s(double now_s);
  const ReliabilityStats& stats() const { return stats_; }
  /// Why the job could not go on ("" if it could): it failed more often than anything finishes.
  const std::string& gave_up() const { return gave_up_; }
  /// Checkpoints and failures so far: a change means the job stopped.
  int events() const { return stats_.checkpoints + stats_.failures; }

private:
  bool checkpoint_due(double next_iteration_s) const;
  /// Writes a checkpoint; false when a failure cut it short (recovered from on return).
  bool write_checkpoint(int done);
  /// From a failure at `failure_s` to training again: restarts, checkpoint reads, and the
  /// failures that strike during them.
  void recover(double failure_s);
  /// Failure: the training since the last checkpoint, and `extra_s` of an unfinished iteration, are lost.
  void lose_work(double extra_s) { stats_.lost_work_s += since_checkpoint_s_ + extra_s; }
  void set_interval(double checkpoint_s);
  void record(const char* name, double start_s);

  CheckpointConfig checkpoint_;
  double restart_s_;
  std::optional<CheckpointMover> mover_;
  std::function<void()> drain_ = [] {};
  FailureClock clock_;
  SteadyStateCoordinator& coordinator_;
  int coordinator_id_;
  ReliabilityStats stats_;
  double since_checkpoint_s_ = 0;
  int committed_ = 0;           ///< iterations saved by the last checkpoint
  std::string gave_up_;
  int job_index_;
  std::vector<TraceEvent>* trace_;
};

} // namespace dcsim
