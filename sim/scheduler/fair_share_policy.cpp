// Fair share (fair_share.hpp): jobs start in order of their group's fair-share factor, the
// group that has used least of its share first, oldest first within a group; each that fits
// starts (first fit in that order). Nothing is preempted; jobs in no group are not charged and
// keep factor 1.
#include "scheduler/scheduling_policy.hpp"

#include <algorithm>

namespace dcsim {

namespace {

class FairShare final : public SchedulingPolicy {
public:
  SchedulingPolicyKind kind() const override { return SchedulingPolicyKind::FairShare; }
  std::string name() const override { return "fair_share"; }
  void dispatch(const std::vector<QueuedJob>& queue, JobStarter& starter) const override
  {
    start_in_order(
        sorted_queue(queue, [](const QueuedJob& a, const QueuedJob& b) { return a.priority > b.priority; }), starter);
  }
};

} // namespace

std::unique_ptr<SchedulingPolicy> make_fair_share_policy(const SchedulerConfig&)
{
  return std::make_unique<FairShare>();
}

} // namespace dcsim
