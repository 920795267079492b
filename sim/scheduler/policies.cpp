// The list of scheduling policies: add a new one here, in SchedulingPolicyKind and in the
// scheduler reader's names, and in its own file.
#include "scheduler/scheduling_policy.hpp"

#include <stdexcept>
#include <utility>

namespace dcsim {

std::unique_ptr<SchedulingPolicy> make_scheduling_policy(const SchedulerConfig& config)
{
  using Factory = std::unique_ptr<SchedulingPolicy> (*)(const SchedulerConfig&);
  static const std::pair<SchedulingPolicyKind, Factory> kFactories[] = {
      {SchedulingPolicyKind::Fifo, make_fifo_policy},
      {SchedulingPolicyKind::FirstFit, make_first_fit_policy},
      {SchedulingPolicyKind::SmallestFirst, make_smallest_first_policy},
      {SchedulingPolicyKind::EasyBackfill, make_easy_backfill_policy},
      {SchedulingPolicyKind::LeastAttainedService, make_least_attained_service_policy},
      {SchedulingPolicyKind::FairShare, make_fair_share_policy},
      {SchedulingPolicyKind::Multifactor, make_multifactor_policy},
      {SchedulingPolicyKind::ConservativeBackfill, make_conservative_backfill_policy},
  };
  for (const auto& [kind, make] : kFactories)
    if (kind == config.policy)
      return make(config);
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
