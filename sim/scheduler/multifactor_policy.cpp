// Slurm's multifactor priority (multifactor.hpp): jobs in order of their priority, recomputed at
// every decision (ages grow, usage decays), oldest first within equal priorities. Backfilled
// EASY (the first job that does not fit gets a reservation; the default here) or conservatively
// (every job, in priority order, gets one: how Slurm's sched/backfill plans, up to its
// bf_max_job_test jobs); or strictly, as sched/builtin: nothing starts past a job that does not fit.
#include "scheduler/node_calendar.hpp"
#include "scheduler/scheduling_policy.hpp"

namespace dcsim {

namespace {

class Multifactor final : public SchedulingPolicy {
public:
  Multifactor(BackfillKind backfill, BackfillPlanConfig limits) : backfill_(backfill), limits_(limits) {}
  SchedulingPolicyKind kind() const override { return SchedulingPolicyKind::Multifactor; }
  std::string name() const override { return "multifactor"; }
  void dispatch(const std::vector<QueuedJob>& queue, JobStarter& starter) const override
  {
    const auto by_priority = [](const QueuedJob& a, const QueuedJob& b) { return a.priority > b.priority; };
    if (backfill_ == BackfillKind::Easy) {
      backfill_in_order(sorted_queue(queue, by_priority), starter);
      return;
    }
    if (backfill_ == BackfillKind::Conservative) {
      plan_in_order(sorted_queue(queue, by_priority), starter, limits_, calendar_);
      return;
    }
    dispatch_strictly(queue, starter);
  }

  /// The highest priority (the oldest among equals) starts, until one does not fit. A scan per
  /// start, not a sort: the queue grows long when it blocks.
  void dispatch_strictly(const std::vector<QueuedJob>& queue, JobStarter& starter) const override
  {
    std::vector<bool> started(queue.size(), false);
    for (;;) {
      size_t best = queue.size();
      for (size_t i = 0; i < queue.size(); ++i)
        if (!started[i] && (best == queue.size() || queue[i].priority > queue[best].priority))
          best = i;
      if (best == queue.size() || !starter.try_start(queue[best]))
        return;
      started[best] = true;
    }
  }

private:
  BackfillKind backfill_;
  BackfillPlanConfig limits_;
  mutable NodeCalendar calendar_{0, 1, 0.0}; ///< scratch for conservative plans
};

} // namespace

std::unique_ptr<SchedulingPolicy> make_multifactor_policy(const SchedulerConfig& config)
{
  return std::make_unique<Multifactor>(config.multifactor.backfill, config.backfill);
}

} // namespace dcsim
