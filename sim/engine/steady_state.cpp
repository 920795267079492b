#include "engine/steady_state.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

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
  bump_epoch(jobs_[job]);
  jobs_[job].epoch_at_start = epoch_;
}

bool SteadyStateCoordinator::pristine(int job) const
{
  const JobState& s = jobs_[job];
  return enabled_ && s.steady && s.epoch_at_start == epoch_ && !others_running(s);
}

bool SteadyStateCoordinator::adopt(int job, double now_s, double span_s, double steady_s)
{
  JobState& s = jobs_[job];
  if (!enabled_ || s.epoch_at_start != epoch_ || others_running(s))
    return false;
  double next = std::min(external_event_s_, s.own_event_s);
  for (const JobState& j : jobs_)
    if (!j.running && !j.finished)
      next = std::min(next, j.start_time_s);
  if (now_s + span_s + steady_s > next) // an iteration to spare: what is due is not passed
    return false;
  s.steady = true;
  s.iteration_time_s = s.last_time_s = steady_s;
  s.epoch_at_last = epoch_;
  return true;
}

void SteadyStateCoordinator::bump_epoch(JobState& by)
{
  // The job that changed stays steady if nothing else changed since its last iteration: it
  // resumes (after a failure, on a spare node) in the same surroundings as it left.
  const bool current = by.epoch_at_last == epoch_;
  ++epoch_;
  for (JobState& j : jobs_)
    j.shifted = false; // a job started or stopped: periods may differ now (the drift rule)
  if (current)
    by.epoch_at_last = epoch_;
}

void SteadyStateCoordinator::job_paused(int job, double resume_s)
{
  jobs_[job].running = false;
  jobs_[job].start_time_s = resume_s;
  bump_epoch(jobs_[job]);
}

void SteadyStateCoordinator::job_shifted(int job)
{
  if (!others_running(jobs_[job]))
    return;
  ++epoch_;
  for (JobState& j : jobs_)
    j.shifted = j.running;
}

void SteadyStateCoordinator::job_finished(int job)
{
  jobs_[job].running = false;
  jobs_[job].finished = true;
  ++epoch_;
}

bool SteadyStateCoordinator::update_steadiness(JobState& s, double iteration_time_s)
{
  const bool unchanged = s.epoch_at_last == epoch_;
  const double gap = std::fabs(iteration_time_s - s.last_time_s);
  const bool close = s.last_time_s > 0 && gap <= kTolerance * iteration_time_s;
  s.epoch_at_last = epoch_;
  s.last_time_s = iteration_time_s;
  s.iteration_time_s = iteration_time_s;
  if (!others_running(s) || !unchanged || s.shifted) {
    s.recent.clear();
    s.steady = unchanged && close;
    s.shifted = s.shifted && !s.steady;
    return s.steady;
  }
  // Drifting beside other jobs: steady when the mean of its last kDriftIterations iterations
  // repeats the mean of the kDriftIterations before, and it skips at that mean.
  s.recent.push_back(iteration_time_s);
  if (s.recent.size() > 2 * kDriftIterations)
    s.recent.erase(s.recent.begin());
  s.steady = false;
  if (s.recent.size() < 2 * kDriftIterations)
    return false;
  const auto mid = s.recent.begin() + kDriftIterations;
  const double before = std::accumulate(s.recent.begin(), mid, 0.0) / kDriftIterations;
  const double last = std::accumulate(mid, s.recent.end(), 0.0) / kDriftIterations;
  s.steady = std::fabs(last - before) <= kTolerance * last;
  if (s.steady)
    s.iteration_time_s = last;
  return s.steady;
}

bool SteadyStateCoordinator::others_running(const JobState& s) const
{
  return std::any_of(jobs_.begin(), jobs_.end(), [&](const JobState& j) { return j.running && &j != &s; });
}

bool SteadyStateCoordinator::all_running_steady() const
{
  return std::all_of(jobs_.begin(), jobs_.end(), [](const JobState& j) { return !j.running || j.steady; });
}

double SteadyStateCoordinator::next_event_s() const
{
  double next = external_event_s_;
  for (const JobState& s : jobs_) {
    if (!s.running && !s.finished)
      next = std::min(next, s.start_time_s);
    else if (s.running)
      next = std::min({next, s.boundary_s + s.remaining * s.iteration_time_s, s.own_event_s});
  }
  return next;
}

int SteadyStateCoordinator::skip_within_window(JobState& s, double now_s)
{
  // Never past the job's own next event: a job that entered a window opened before it knew of
  // that event (a run started since) would otherwise skip its checkpoint.
  const double room = std::min(window_end_s_, s.own_event_s) - now_s;
  // A small epsilon keeps the job that defines the window's end from missing its last iteration.
  const int skip = std::clamp(static_cast<int>(std::floor(room / s.iteration_time_s + 1e-9)), 0, s.remaining);
  s.boundary_s = now_s + skip * s.iteration_time_s;
  s.remaining -= skip;
  return skip;
}

int SteadyStateCoordinator::after_iteration(int job, double now_s, double iteration_time_s, int remaining)
{
  if (listener_)
    listener_->iteration_boundary(job, now_s);
  JobState& s = jobs_[job];
  // A window another job opened while this one was mid-iteration: the rest of that iteration
  // ran with the others' traffic gone, so its time is not the steady one. It skips at the time
  // it was steady at when the window opened.
  const bool entering = enabled_ && window_end_s_ > now_s && s.steady && s.epoch_at_last == epoch_;
  if (!entering)
    update_steadiness(s, iteration_time_s);
  return resume_skip(job, now_s, remaining);
}

int SteadyStateCoordinator::resume_skip(int job, double now_s, int remaining)
{
  JobState& s = jobs_[job];
  s.remaining = remaining;
  s.boundary_s = now_s;
  if (!enabled_ || remaining <= 0)
    return 0;
  // A window that ends within the next iteration is spent (it was cut at an event that has now
  // happened, such as this job's checkpoint); look for the next one.
  if (window_end_s_ > now_s && window_end_s_ - now_s >= s.iteration_time_s)
    return skip_within_window(s, now_s);
  if (!s.steady || s.epoch_at_last != epoch_ || !all_running_steady())
    return 0;
  window_end_s_ = next_event_s();
  if (listener_)
    window_end_s_ = std::min(window_end_s_, listener_->window_limit_s(job, now_s, s.iteration_time_s));
  const int skip = skip_within_window(s, now_s);
  if (skip > 0 && listener_)
    listener_->window_opened(now_s, s.boundary_s);
  return skip;
}

} // namespace dcsim
