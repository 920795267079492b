// Fast-forwarding through steady state, so months of simulated training stay cheap.
//
// Iterations of a job are identical once nothing around it changes: same work, same competing
// traffic. A job is steady when its last two simulated iterations took the same time (relative
// difference below kTolerance) and no job started or ended meanwhile. When every running job is
// steady, a job skips, at an iteration boundary, as many iterations as fit before the next event
// (another job arriving or ending): it sleeps for them instead of simulating them.
// With one job this is exact; with several, the few iterations around an event are simulated.
#pragma once

#include <limits>
#include <vector>

namespace dcsim {

class SteadyStateCoordinator {
public:
  static constexpr double kTolerance = 1e-6;

  explicit SteadyStateCoordinator(bool enabled = true) : enabled_(enabled) {}

  /// Declares a job that will start at `start_time_s`; returns its id.
  int add_job(double start_time_s);
  void job_started(int job);
  void job_finished(int job);

  /// Called by a job at an iteration boundary; returns how many of its `remaining` iterations it
  /// may skip (0: simulate the next one).
  int after_iteration(int job, double now_s, double iteration_time_s, int remaining);

private:
  struct JobState {
    double start_time_s = 0;
    bool running = false;
    bool finished = false;
    bool steady = false;
    double iteration_time_s = 0;
    double last_time_s = 0;
    long epoch_at_last = -1;
    int remaining = 0;
    double boundary_s = 0;
  };
  double next_event_s(int job, double now_s) const;

  bool enabled_;
  std::vector<JobState> jobs_;
  long epoch_ = 0;
};

} // namespace dcsim
