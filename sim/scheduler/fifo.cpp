// First come, first served, strictly: the oldest job waits for its GPUs and every later job
// waits behind it (no overtaking: a large job is never starved, GPUs may sit idle meanwhile).
#include "scheduler/scheduling_policy.hpp"

namespace dcsim {

namespace {

class Fifo final : public SchedulingPolicy {
public:
  SchedulingPolicyKind kind() const override { return SchedulingPolicyKind::Fifo; }
  std::string name() const override { return "fifo"; }
  void dispatch(const std::vector<QueuedJob>& queue, JobStarter& starter) const override
  {
    for (const QueuedJob& job : queue)
      if (!starter.try_start(job))
        return;
  }
};

} // namespace

std::unique_ptr<SchedulingPolicy> make_fifo_policy(const SchedulerConfig&)
{
  return std::make_unique<Fifo>();
}

} // namespace dcsim
