#include "engine/job_segments.hpp"

namespace dcsim {

namespace {

void add(ReliabilityStats& to, const ReliabilityStats& from)
{
  // The last completed write and read, whichever run did them.
  if (from.checkpoint_write_s > 0)
    to.checkpoint_write_s = from.checkpoint_write_s;
  if (from.checkpoint_read_s > 0)
    to.checkpoint_read_s = from.checkpoint_read_s;
  to.checkpoints += from.checkpoints;
  to.failures += from.failures;
  to.checkpoint_time_s += from.checkpoint_time_s;
  to.restart_time_s += from.restart_time_s;
  to.lost_work_s += from.lost_work_s;
  to.maintenances += from.maintenances;
  to.spare_wait_s += from.spare_wait_s;
  to.detection_time_s += from.detection_time_s;
  to.maintenance_time_s += from.maintenance_time_s;
  to.elastic_runs += from.elastic_runs;
  to.elastic_s += from.elastic_s;
  to.elastic_lost_s += from.elastic_lost_s;
  to.time_limit_exits += from.time_limit_exits;
  to.time_limit_kills += from.time_limit_kills;
  to.time_limit_lost_s += from.time_limit_lost_s;
  for (size_t i = 0; i < to.by_cause.size() && i < from.by_cause.size(); ++i) {
    to.by_cause[i].failures += from.by_cause[i].failures;
    to.by_cause[i].restart_time_s += from.by_cause[i].restart_time_s;
    to.by_cause[i].lost_work_s += from.by_cause[i].lost_work_s;
  }
}

} // namespace

JobResult merge_segments(const std::vector<JobResult>& segments, int iterations)
{
  JobResult r = segments.back();
  if (segments.size() == 1)
    return r;
  const JobResult& first = segments.front();
  r.submit_time_s = first.submit_time_s;
  r.start_time_s = first.start_time_s;
  r.iterations = iterations;
  r.preemptions = static_cast<int>(segments.size()) - 1;
  r.simulated_iterations = 0;
  r.iteration_times_s.clear();
  r.suspended_s = 0;
  r.reliability = segments.back().reliability; // its rates and sizes; the counts are added below
  r.reliability.checkpoints = r.reliability.failures = 0;
  r.reliability.checkpoint_time_s = r.reliability.restart_time_s = r.reliability.lost_work_s = 0;
  r.reliability.maintenances = 0;
  r.reliability.spare_wait_s = 0;
  r.reliability.detection_time_s = 0;
  r.reliability.maintenance_time_s = 0;
  r.reliability.elastic_runs = 0;
  r.reliability.elastic_s = r.reliability.elastic_lost_s = 0;
  r.reliability.time_limit_exits = r.reliability.time_limit_kills = 0;
  r.reliability.time_limit_lost_s = 0;
  for (CauseStats& c : r.reliability.by_cause)
    c = {c.name, c.per};
  for (size_t k = 0; k < segments.size(); ++k) {
    const JobResult& s = segments[k];
    r.simulated_iterations += s.simulated_iterations;
    r.iteration_times_s.insert(r.iteration_times_s.end(), s.iteration_times_s.begin(), s.iteration_times_s.end());
    add(r.reliability, s.reliability);
    if (k > 0)
      r.suspended_s += s.start_time_s - segments[k - 1].end_time_s;
  }
  r.queue_s = first.queue_s + r.suspended_s;
  const double held_s = r.end_time_s - r.start_time_s - r.suspended_s;
  const ReliabilityStats& rs = r.reliability;
  r.goodput = held_s > 0 ? 1.0 - rs.unproductive_s() / held_s : 1.0;
  return r;
}

} // namespace dcsim
