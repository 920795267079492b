#include "engine/steady_state.hpp"

#include <algorithm>
#include <cmath>

namespace dcsim {

int SteadyStateCoordinator::add_job(double start_time_s)
{
  jobs_.push_back({});
  jobs_.back().start_time_s = start_time_s;
  return static_cast<int>(jobs_.size()) - 1;
}

void SteadyStateCoordinator::job_started(int job)
{
  jobs_[job].running = true;
  ++epoch_;
}

void SteadyStateCoordinator::job_finished(int job)
{
  jobs_[job].running = false;
  jobs_[job].finished = true;
  ++epoch_;
}

double SteadyStateCoordinator::next_event_s(int job, double now_s) const
{
  double next = std::numeric_limits<double>::infinity();
  for (int j = 0; j < static_cast<int>(jobs_.size()); ++j) {
    if (j == job)
      continue;
    const JobState& s = jobs_[j];
    if (!s.running && !s.finished)
      next = std::min(next, s.start_time_s);
    else if (s.running) // it ends at the earliest after its remaining iterations
      next = std::min(next, s.boundary_s + s.remaining * s.iteration_time_s);
  }
  return std::max(next, now_s);
}

int SteadyStateCoordinator::after_iteration(int job, double now_s, double iteration_time_s, int remaining)
{
  JobState& s = jobs_[job];
  const bool same_time = s.last_time_s > 0 &&
                         std::fabs(iteration_time_s - s.last_time_s) <= kTolerance * iteration_time_s;
  s.steady = same_time && s.epoch_at_last == epoch_;
  s.last_time_s = iteration_time_s;
  s.epoch_at_last = epoch_;
  s.iteration_time_s = iteration_time_s;
  s.remaining = remaining;
  s.boundary_s = now_s;
  if (!enabled_ || !s.steady || remaining <= 0)
    return 0;
  for (const JobState& other : jobs_)
    if (other.running && !other.steady)
      return 0;
  const double horizon = next_event_s(job, now_s);
  if (std::isinf(horizon)) {
    s.remaining = 0;
    s.boundary_s = now_s + remaining * iteration_time_s;
    return remaining;
  }
  const int skip = std::clamp(static_cast<int>(std::floor((horizon - now_s) / iteration_time_s)), 0, remaining);
  s.boundary_s = now_s + skip * iteration_time_s;
  s.remaining = remaining - skip;
  return skip;
}

} // namespace dcsim
