// Discretized least attained service over GPU-time (Tiresias' 2D-LAS: Gu et al., NSDI 2019):
// a job's priority falls as the GPU-time it has received crosses `scheduler.las_thresholds`,
// so new and short jobs go first without anyone knowing how long a job will run. Jobs start
// in order of their level (fewest thresholds crossed first), oldest first within a level, each
// as soon as it fits; the scheduler (cluster_scheduler.cpp) lets a waiting job preempt running
// trace jobs of a lower level to make room, and wakes when a running job crosses a threshold.
#include "scheduler/scheduling_policy.hpp"

#include <algorithm>

namespace dcsim {

namespace {

class LeastAttainedService final : public SchedulingPolicy {
public:
  SchedulingPolicyKind kind() const override { return SchedulingPolicyKind::LeastAttainedService; }
  std::string name() const override { return "las"; }
  void dispatch(const std::vector<QueuedJob>& queue, JobStarter& starter) const override
  {
    start_in_order(sorted_queue(queue, [](const QueuedJob& a, const QueuedJob& b) { return a.level < b.level; }),
                   starter);
  }
};

} // namespace

std::unique_ptr<SchedulingPolicy> make_least_attained_service_policy(const SchedulerConfig&)
{
  return std::make_unique<LeastAttainedService>();
}

} // namespace dcsim
