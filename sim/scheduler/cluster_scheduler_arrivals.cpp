// When jobs arrive: at their submission; a job that follows another (jobs[].after, SWF
// feedback) once that one has ended; and when a trace job's load on the fabric may next change,
// which ends the training jobs' fast-forward windows.
#include "scheduler/cluster_scheduler.hpp"

#include <algorithm>
#include <unordered_map>

namespace dcsim {

void ClusterScheduler::hold_back_followers(const SchedulerConfig& config)
{
  followers_.assign(records_.size(), {});
  think_s_.assign(records_.size(), 0.0);
  // Records are the training jobs, then the trace's in its order.
  const int first_trace = static_cast<int>(records_.size() - config.trace_jobs.size());
  std::vector<int> kept;
  for (int id : arrivals_) { // training jobs that come after another (jobs[].after)
    const std::string after = id < first_trace ? training_after_[id] : "";
    const auto leader = std::find(training_names_.begin(), training_names_.end(), after);
    if (after.empty() || leader == training_names_.end()) {
      kept.push_back(id);
      continue;
    }
    followers_[leader - training_names_.begin()].push_back(id);
    think_s_[id] = training_after_delay_s_[id];
    ++held_back_;
  }
  arrivals_ = std::move(kept);
  if (!config.trace_options.feedback)
    return;
  std::unordered_map<long long, int> by_number; // replayed trace jobs by their SWF job number
  for (int id : arrivals_)
    if (!records_[id].training)
      by_number[config.trace_jobs[id - first_trace].number] = id;
  kept.clear();
  for (int id : arrivals_) {
    const TraceJob* job = records_[id].training ? nullptr : &config.trace_jobs[id - first_trace];
    const auto leader = job && job->preceding >= 0 ? by_number.find(job->preceding) : by_number.end();
    if (leader == by_number.end()) { // no preceding job, or it is not replayed: the logged time
      kept.push_back(id);
      continue;
    }
    followers_[leader->second].push_back(id);
    think_s_[id] = std::max(0.0, job->think_s); // -1: unknown, taken as none
    ++held_back_;
    multi_node_followers_ += records_[id].gpus > gpus_per_node_ ? 1 : 0;
  }
  arrivals_ = std::move(kept);
}

void ClusterScheduler::submit_followers(int id, double t)
{
  for (int follower : followers_[id]) {
    records_[follower].submit_s = t + think_s_[follower];
    late_arrivals_.insert({records_[follower].submit_s, follower});
    --held_back_;
  }
  followers_[id].clear();
}

void ClusterScheduler::admit_arrivals(double t)
{
  const auto admit = [&](int id) {
    const Record& r = records_[id];
    queue_.push_back({id, r.gpus, r.training ? kNever : r.estimate_s, r.group});
  };
  for (; next_arrival_ < arrivals_.size() && records_[arrivals_[next_arrival_]].submit_s <= t; ++next_arrival_)
    admit(arrivals_[next_arrival_]);
  while (!late_arrivals_.empty() && late_arrivals_.begin()->first <= t) {
    const int id = late_arrivals_.begin()->second;
    late_arrivals_.erase(late_arrivals_.begin());
    multi_node_followers_ -= records_[id].gpus > gpus_per_node_ ? 1 : 0;
    admit(id);
  }
}

double ClusterScheduler::next_start_chance_s() const
{
  double next = kNever;
  if (!trace_ends_.empty())
    next = std::min(next, trace_ends_.top().at_s);
  if (!switch_deadlines_.empty())
    next = std::min(next, switch_deadlines_.top());
  if (backfill_pending_ && !queue_.empty())
    next = std::min(next, next_backfill_s_);
  return next;
}

double ClusterScheduler::next_load_change_s(double t, double wake)
{
  if (!traffic_ || !traffic_->enabled())
    return kNever;
  // A loaded job may be preempted at any decision; one that follows another (SWF feedback) may
  // be submitted at any job's end.
  if (multi_node_followers_ > 0 || (preemption_.enabled && !traffic_->loads().empty()))
    return wake;
  // A queued multi-node trace job starts when GPUs free up (a trace job's event: a training job's
  // end ends windows anyway), when its switches wait runs out or a backfill cycle comes -- or,
  // where priorities move with time, at any decision.
  const bool multi_node_waits = std::any_of(queue_.begin(), queue_.end(), [&](const QueuedJob& q) {
    return !records_[q.id].training && q.gpus > gpus_per_node_;
  });
  if (multi_node_waits && priorities_move())
    return wake;
  while (next_multi_node_ < multi_node_submits_.size() && multi_node_submits_[next_multi_node_] <= t)
    ++next_multi_node_;
  double next = next_multi_node_ < multi_node_submits_.size() ? multi_node_submits_[next_multi_node_] : kNever;
  // A stretched load also stops and starts again at its job's every event (a failure, its
  // detection, maintenance), even while it is down.
  if (multi_node_waits || traffic_->stretches())
    next = std::min(next, next_start_chance_s());
  for (const auto& [id, load] : traffic_->loads()) {
    // Its run's scheduled end (failures only postpone it). A stretched run past it ends when its
    // load is done, which fast-forwarding's windows foresee (TraceTraffic::window_limit_s).
    const Record& r = records_[id];
    if (!r.stretched || r.end_s > t)
      next = std::min(next, r.end_s);
  }
  return next;
}

} // namespace dcsim
