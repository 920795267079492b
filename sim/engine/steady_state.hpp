// Fast-forwarding through steady state, so months of simulated training stay cheap.
//
// Iterations of a job are identical once nothing around it changes: same work, same competing
// traffic. A job running alone is steady when its last two simulated iterations took the same
// time (relative difference below kTolerance) and nothing changed meanwhile. Beside other jobs
// the phase between their bursts drifts, so two equal iterations may be a passing coincidence
// (measured: 2.5% off over a run): there the mean of its last kDriftIterations iterations must
// repeat the mean of the ones before, and it skips at that mean. When every running job is
// steady, the coordinator opens a fast-forward window that lasts until the next event (a job
// arriving, or the earliest end among the running jobs); each job, at its next iteration
// boundary, sleeps through as many whole iterations as fit in the window instead of simulating
// them. All jobs skip the same window, so none simulates while another's traffic is missing,
// except within one iteration of the window's edges. With one job this is exact.
#pragma once

#include <limits>
#include <vector>

namespace dcsim {

/// Something else on the network that must know when the jobs fast-forward (engine/trace_traffic.hpp's
/// stretched loads, whose pace depends on the jobs' traffic, which a window takes away).
class SteadyStateListener {
public:
  virtual ~SteadyStateListener() = default;
  /// Job `job` is at an iteration boundary at `now_s`, before it asks to skip.
  virtual void iteration_boundary(int job, double now_s) = 0;
  /// Job `job` would open a window at `now_s`, its iterations `iteration_s` long: the latest the
  /// window may end (infinity: whenever; `now_s`: not now).
  virtual double window_limit_s(int job, double now_s, double iteration_s) = 0;
  /// The window opened at `now_s`; the job that opened it wakes at `wake_s`.
  virtual void window_opened(double now_s, double wake_s) = 0;
};

class SteadyStateCoordinator {
public:
  /// Two iterations this close (relative) count as identical. Concurrent jobs drift slightly
  /// against each other; each skipped iteration inherits at most this error.
  static constexpr double kTolerance = 1e-3;
  /// Beside other running jobs: iterations per mean compared (twice as many simulated after a
  /// change before a window can open).
  static constexpr int kDriftIterations = 16;

  explicit SteadyStateCoordinator(bool enabled = true) : enabled_(enabled) {}

  /// Declares a job that will start at `start_time_s`; returns its id.
  int add_job(double start_time_s);
  void job_started(int job);
  void job_finished(int job);
  /// The job stops (a failure, a checkpoint write) until about `resume_s`, then calls job_started.
  void job_paused(int job, double resume_s);
  /// The job stopped for a while (a checkpoint write) and trains on as before: alone, it stays
  /// steady; beside other running jobs its traffic now meets theirs at another phase (it stood
  /// still while they ran), so every job simulates again until two of its iterations agree. Two,
  /// not kDriftIterations' means: no job's period changed, and the bursts settle at their new
  /// phase at once (two lockstep jobs: the 95 iterations after the first write all equal).
  void job_shifted(int job);
  /// The job's own next change (a checkpoint due, a failure): fast-forward windows end there.
  void set_own_event(int job, double time_s) { jobs_[job].own_event_s = time_s; }

  /// A moment something outside the jobs may change them (a scheduler starting a job): windows
  /// end there. Infinity: none.
  void set_external_event(double time_s) { external_event_s_ = time_s; }
  /// Something outside the jobs changed what they see (a trace job's load on the fabric started
  /// or stopped): each must simulate again until its iterations repeat.
  void external_change() { ++epoch_; }
  /// Told of boundaries and windows (nullptr: nobody).
  void set_listener(SteadyStateListener* listener) { listener_ = listener; }

  /// Called by a job at an iteration boundary; returns how many of its `remaining` iterations it
  /// may skip (0: simulate the next one).
  int after_iteration(int job, double now_s, double iteration_time_s, int remaining);
  /// Called by a steady job that paused without anything around it changing (a checkpoint
  /// write): how many iterations it may skip right away, as after_iteration.
  int resume_skip(int job, double now_s, int remaining);
  /// The iteration time the job's skipped iterations take: its steady one (not its last, if
  /// that ran into a window another job opened).
  double steady_iteration_s(int job) const { return jobs_[job].iteration_time_s; }
  /// The job is steady and nothing has changed since it started, nor run beside it: what it
  /// simulated so far would repeat for a run of the same job on the same GPUs (run_memo.hpp).
  bool pristine(int job) const;
  /// A run starting alone at `now_s` takes a previous run's first iterations (`span_s` in all,
  /// then `steady_s` each) instead of simulating them, when they end before anything is due:
  /// true, and the job is steady at `steady_s`. False (simulate them) otherwise.
  bool adopt(int job, double now_s, double span_s, double steady_s);

private:
  struct JobState {
    double start_time_s = 0;
    bool running = false;
    bool finished = false;
    bool steady = false;
    double iteration_time_s = 0;
    long epoch_at_last = -1;
    int remaining = 0;
    double boundary_s = 0;
    double own_event_s = std::numeric_limits<double>::infinity();
    double last_time_s = 0;      ///< its last iteration's time
    std::vector<double> recent;  ///< beside other jobs: its iteration times since the last change
    bool shifted = false;        ///< re-measuring after a job_shifted: two equal iterations make it steady
    long epoch_at_start = -1;    ///< the epoch its job_started left (pristine, adopt)
  };
  bool update_steadiness(JobState& s, double iteration_time_s);
  /// Something about `by` changed (started, paused, resumed): the others must re-check steadiness.
  void bump_epoch(JobState& by);
  bool all_running_steady() const;
  /// Whether any job but `s` is running (beside them its traffic meets theirs).
  bool others_running(const JobState& s) const;
  /// Earliest next event: a pending job's start or a running job's end if it skipped through.
  double next_event_s() const;
  int skip_within_window(JobState& s, double now_s);

  bool enabled_;
  std::vector<JobState> jobs_;
  long epoch_ = 0;
  double window_end_s_ = -1; ///< end of the open fast-forward window (< now: none)
  double external_event_s_ = std::numeric_limits<double>::infinity();
  SteadyStateListener* listener_ = nullptr;
};

} // namespace dcsim
