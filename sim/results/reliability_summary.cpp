#include "results/reliability_summary.hpp"

namespace dcsim {

void summarize_reliability(SimulationResult& result, const ScenarioConfig& config)
{
  ClusterReliability& all = result.reliability;
  bool checkpoints = false;
  for (const JobConfig& job : config.jobs)
    checkpoints = checkpoints || job.checkpoint.enabled;
  all.enabled = config.failures.enabled() || config.failures.maintenance_interval_s > 0 || checkpoints;
  if (!all.enabled)
    return;
  for (const FailureCause& c : config.failures.causes)
    all.failures_by_cause.emplace_back(c.name, 0);
  constexpr double kHour = 3600.0;
  for (const JobResult& job : result.jobs) {
    const ReliabilityStats& r = job.reliability;
    const double gpus = job.gpus;
    all.failures += r.failures;
    all.checkpointing_gpu_hours += gpus * r.checkpoint_time_s / kHour;
    // An elastic run's missing replicas wait for the spare, as the whole job would without it.
    all.restarting_gpu_hours += gpus * (r.restart_time_s + r.elastic_lost_s) / kHour;
    all.lost_work_gpu_hours += gpus * r.lost_work_s / kHour;
    all.maintenance_gpu_hours += gpus * r.maintenance_time_s / kHour;
    for (size_t i = 0; i < r.by_cause.size() && i < all.failures_by_cause.size(); ++i)
      all.failures_by_cause[i].second += r.by_cause[i].failures;
  }
  const SchedulerStats& s = result.scheduler;
  all.failures += s.trace_failures;
  all.trace_failure_gpu_hours = s.failure_lost_gpu_hours;
  all.maintenance_gpu_hours += s.maintenance_lost_gpu_hours;
  for (size_t i = 0; i < s.trace_failures_by_cause.size() && i < all.failures_by_cause.size(); ++i)
    all.failures_by_cause[i].second += s.trace_failures_by_cause[i].second;
}

} // namespace dcsim
