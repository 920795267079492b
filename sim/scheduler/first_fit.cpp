// Every queued job that fits starts, oldest first: later jobs overtake one that waits for a
// larger range (fewer idle GPUs than FIFO; a large job can wait long behind a stream of small ones).
#include "scheduler/scheduling_policy.hpp"

namespace dcsim {

namespace {

class FirstFit final : public SchedulingPolicy {
public:
  SchedulingPolicyKind kind() const override { return SchedulingPolicyKind::FirstFit; }
  std::string name() const override { return "first_fit"; }
  void dispatch(const std::vector<QueuedJob>& queue, JobStarter& starter) const override
  {
    for (const QueuedJob& job : queue) {
      if (starter.free_gpus() == 0)
        return;
      if (job.gpus <= starter.free_gpus())
        starter.try_start(job);
    }
  }
};

} // namespace

std::unique_ptr<SchedulingPolicy> make_first_fit_policy(const SchedulerConfig&)
{
  return std::make_unique<FirstFit>();
}

} // namespace dcsim
