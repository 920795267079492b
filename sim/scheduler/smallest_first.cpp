// Jobs needing the fewest GPUs first (oldest first among equals), each that fits starts: short
// queues for the many small jobs of a shared cluster, long ones for the few large jobs.
#include "scheduler/scheduling_policy.hpp"

#include <algorithm>

namespace dcsim {

namespace {

class SmallestFirst final : public SchedulingPolicy {
public:
  SchedulingPolicyKind kind() const override { return SchedulingPolicyKind::SmallestFirst; }
  std::string name() const override { return "smallest_first"; }
  void dispatch(const std::vector<QueuedJob>& queue, JobStarter& starter) const override
  {
    // Only jobs that could fit matter: no sort of the whole queue.
    std::vector<const QueuedJob*> order;
    for (const QueuedJob& job : queue)
      if (job.gpus <= starter.free_gpus())
        order.push_back(&job);
    std::stable_sort(order.begin(), order.end(),
                     [](const QueuedJob* a, const QueuedJob* b) { return a->gpus < b->gpus; });
    for (const QueuedJob* job : order) {
      if (job->gpus > starter.free_gpus()) // sorted by size: no later one fits either
        return;
      starter.try_start(*job);
    }
  }
};

} // namespace

std::unique_ptr<SchedulingPolicy> make_smallest_first_policy(const SchedulerConfig&)
{
  return std::make_unique<SmallestFirst>();
}

} // namespace dcsim
