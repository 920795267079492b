// Slurm's multifactor priority (multifactor.hpp): jobs in order of their priority, recomputed at
// every decision (ages grow, usage decays), oldest first within equal priorities. With backfill
// (Slurm's default sched/backfill) the first job that does not fit gets a reservation and later
// ones start only if they do not delay it (EASY; Slurm's backfill plans for more than one job);
// without (sched/builtin) nothing starts past it.
#include "scheduler/scheduling_policy.hpp"

namespace dcsim {

namespace {

class Multifactor final : public SchedulingPolicy {
public:
  explicit Multifactor(bool backfill) : backfill_(backfill) {}
  SchedulingPolicyKind kind() const override { return SchedulingPolicyKind::Multifactor; }
  std::string name() const override { return "multifactor"; }
  void dispatch(const std::vector<QueuedJob>& queue, JobStarter& starter) const override
  {
    const auto order =
        sorted_queue(queue, [](const QueuedJob& a, const QueuedJob& b) { return a.priority > b.priority; });
    if (backfill_) {
      backfill_in_order(order, starter);
      return;
    }
    for (const QueuedJob* job : order)
      if (!starter.try_start(*job))
        return;
  }

private:
  bool backfill_;
};

} // namespace

const SchedulingPolicy& multifactor_policy(bool backfill)
{
  static const Multifactor with_backfill(true), strict(false);
  return backfill ? with_backfill : strict;
}

} // namespace dcsim
