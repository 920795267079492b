// The list of scheduling policies: add a new one here, in SchedulingPolicyKind and in the
// scheduler reader's names, and in its own file.
#include "scheduler/scheduling_policy.hpp"

#include <stdexcept>

namespace dcsim {

const SchedulingPolicy& scheduling_policy(const SchedulerConfig& config)
{
  for (const SchedulingPolicy* p :
       {&fifo_policy(), &first_fit_policy(), &smallest_first_policy(), &easy_backfill_policy(),
        &least_attained_service_policy(), &fair_share_policy(), &multifactor_policy(config.multifactor.backfill)})
    if (p->kind() == config.policy)
      return *p;
  throw std::logic_error("scheduling policy not listed in policies.cpp");
}

void start_in_order(const std::vector<const QueuedJob*>& order, JobStarter& starter)
{
  for (const QueuedJob* job : order) {
    if (starter.free_gpus() == 0)
      return;
    if (job->gpus <= starter.free_gpus())
      starter.try_start(*job);
  }
}

} // namespace dcsim
