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
    if (backfill_) {
      backfill_in_order(
          sorted_queue(queue, [](const QueuedJob& a, const QueuedJob& b) { return a.priority > b.priority; }), starter);
      return;
    }
    // Strictly: the highest priority (the oldest among equals) starts, until one does not fit.
    // A scan per start, not a sort: the queue grows long when it blocks.
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
  bool backfill_;
};

} // namespace

const SchedulingPolicy& multifactor_policy(bool backfill)
{
  static const Multifactor with_backfill(true), strict(false);
  return backfill ? with_backfill : strict;
}

} // namespace dcsim
