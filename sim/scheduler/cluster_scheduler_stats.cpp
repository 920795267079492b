// The scheduler's statistics at the end of a run: waits, completion times, slowdown,
// utilization, preemptions, and each quota group's share.
#include "scheduler/cluster_scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dcsim {

namespace {

/// Feitelson's bounded slowdown: (wait + run) / max(run, 10 s), at least 1. Waits weigh by how
/// long a job runs, so a minute's wait matters for a 30 s job and not for a week-long one; the
/// 10 s floor keeps jobs of a few seconds from dominating the mean.
double bounded_slowdown(double wait_s, double run_s)
{
  constexpr double kShortJobS = 10;
  return std::max(1.0, (wait_s + run_s) / std::max(run_s, kShortJobS));
}

double quantile(std::vector<double> values, double q)
{
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  const double at = q * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(at));
  const size_t hi = std::min(values.size() - 1, lo + 1);
  return values[lo] + (at - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

} // namespace

SchedulerStats ClusterScheduler::stats() const
{
  SchedulerStats s;
  s.enabled = true;
  s.policy = policy_->name();
  s.placement = allocator_.policy().name();
  s.rejected_jobs = rejected_;
  s.trace_skipped_jobs = trace_skipped_;
  for (const Record& r : records_)
    s.grows += r.grows;
  s.trace_traffic = traffic_ && traffic_->enabled();
  s.trace_traffic_runs = traffic_ ? traffic_->loaded_runs() : 0;
  s.trace_traffic_stretch = s.trace_traffic && traffic_->stretches();
  for (const Record& r : records_) {
    s.switches_set = s.switches_set || r.switches.set();
    s.switch_held_jobs += r.switch_held ? 1 : 0;
    s.switch_expired_jobs += r.switch_held && r.switch_expired ? 1 : 0;
  }
  for (const Record& r : records_) {
    if (r.training || r.duration_s <= 0 || r.contention_s <= 0)
      continue;
    constexpr double kSlowed = 0.01; // a run 1% longer than traced counts as slowed
    s.trace_slowed_jobs += r.contention_s >= kSlowed * r.duration_s ? 1 : 0;
    s.trace_contention_gpu_hours += r.gpus * r.contention_s / 3600;
    s.trace_max_stretch = std::max(s.trace_max_stretch, 1 + r.contention_s / r.duration_s);
  }
  std::vector<double> queue, jct;
  double small_wait_s = 0, large_wait_s = 0;
  double first_submit = kNever, last_end = 0, gpu_seconds = 0;
  for (const Record& r : records_) {
    if (r.start_s < 0 || r.end_s < 0)
      continue;
    ++s.jobs;
    (r.training ? s.training_jobs : s.trace_jobs) += 1;
    queue.push_back(queue_s(r));
    (r.gpus > gpus_per_node_ ? large_wait_s : small_wait_s) += queue.back();
    s.multi_node_jobs += r.gpus > gpus_per_node_ ? 1 : 0;
    jct.push_back(r.end_s - r.submit_s);
    s.mean_bounded_slowdown += bounded_slowdown(queue.back(), held_s(r));
    first_submit = std::min(first_submit, r.submit_s);
    last_end = std::max(last_end, r.end_s);
    gpu_seconds += r.gpus * held_s(r);
    if (!r.training)
      s.trace_gpu_seconds += r.gpus * held_s(r);
    if (r.preemptions > 0) {
      s.preemptions += r.preemptions;
      ++s.preempted_jobs;
      s.preemption_lost_gpu_hours += r.gpus * r.preemption_lost_s / 3600;
    }
    s.trace_failures += r.failures;
    s.failure_lost_gpu_hours += r.gpus * r.failure_lost_s / 3600;
    s.trace_maintenances += r.maintenances;
    s.maintenance_lost_gpu_hours += r.gpus * r.maintenance_lost_s / 3600;
    s.trace_failures_on = s.trace_failures_on || (!r.training && failures_.enabled());
  }
  if (s.trace_failures_on)
    for (size_t i = 0; i < failures_.causes.size(); ++i)
      s.trace_failures_by_cause.emplace_back(failures_.causes[i].name,
                                             i < trace_failures_by_cause_.size() ? trace_failures_by_cause_[i] : 0);
  s.preemption = preemption_.enabled;
  if (las_ && las_promote_knob_ > 0) {
    s.las_promotions = 0;
    for (const Record& r : records_)
      s.las_promotions += r.promotions;
  }
  if (s.jobs == 0)
    return s;
  s.mean_bounded_slowdown /= static_cast<double>(s.jobs);
  for (double q : queue)
    s.mean_queue_s += q / static_cast<double>(queue.size());
  for (double j : jct)
    s.mean_jct_s += j / static_cast<double>(jct.size());
  const int small_jobs = s.jobs - s.multi_node_jobs;
  s.mean_queue_within_node_s = small_jobs > 0 ? small_wait_s / small_jobs : 0;
  s.mean_queue_multi_node_s = s.multi_node_jobs > 0 ? large_wait_s / s.multi_node_jobs : 0;
  if (quotas_ || tracks_usage_) // the groups' waits are what these policies are about
    s.groups = group_stats();
  if (job_table_)
    s.job_table = job_table();
  s.median_queue_s = quantile(queue, 0.5);
  s.p95_queue_s = quantile(queue, 0.95);
  s.max_queue_s = *std::max_element(queue.begin(), queue.end());
  s.median_jct_s = quantile(jct, 0.5);
  s.makespan_s = last_end - first_submit;
  if (s.makespan_s > 0)
    s.gpu_utilization = gpu_seconds / (allocator_.total_gpus() * s.makespan_s);
  return s;
}

ScheduledJobTable ClusterScheduler::job_table() const
{
  ScheduledJobTable t;
  for (const Record& r : records_) {
    if (r.start_s < 0 || r.end_s < 0)
      continue;
    t.name.push_back(r.training ? training_names_[r.source] : "trace:" + std::to_string(r.source));
    t.group.push_back(r.group >= 0 ? group_names_[r.group] : "");
    t.gpus.push_back(r.gpus);
    t.submit_s.push_back(r.submit_s);
    t.start_s.push_back(r.start_s);
    t.end_s.push_back(r.end_s);
    t.queue_s.push_back(queue_s(r));
    t.held_s.push_back(held_s(r));
    t.preemptions.push_back(r.preemptions);
    t.failures.push_back(r.failures);
    if (traffic_ && traffic_->enabled() && traffic_->stretches())
      t.contention_s.push_back(r.contention_s);
  }
  return t;
}

std::vector<GroupQueueStats> ClusterScheduler::group_stats() const
{
  std::vector<std::vector<double>> waits(group_names_.size());
  std::vector<GroupQueueStats> out(group_names_.size());
  for (const Record& r : records_) {
    if (r.group < 0 || r.start_s < 0 || r.end_s < 0)
      continue;
    waits[r.group].push_back(queue_s(r));
    out[r.group].borrowed_jobs += r.ever_borrowed ? 1 : 0;
    out[r.group].preempted_jobs += r.preemptions > 0 ? 1 : 0;
    out[r.group].gpu_hours += r.gpus * held_s(r) / 3600;
  }
  for (size_t g = 0; g < out.size(); ++g) {
    out[g].name = group_names_[g];
    out[g].quota_gpus = quota_[g] == kNoQuota ? 0 : quota_[g];
    out[g].jobs = static_cast<int>(waits[g].size());
    for (double w : waits[g])
      out[g].mean_queue_s += w / static_cast<double>(waits[g].size());
    out[g].median_queue_s = quantile(waits[g], 0.5);
  }
  return out;
}

} // namespace dcsim
