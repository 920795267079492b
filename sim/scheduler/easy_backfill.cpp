// EASY backfilling (Lifka 1995; Mu'alem and Feitelson 2001): jobs start oldest first; when the
// oldest waiting job does not fit, it gets a reservation at the earliest time enough GPUs free
// up (the "shadow time", from the running jobs' expected ends), and later jobs may jump ahead
// only if they fit now and either end before the shadow time or leave the reservation alone.
// Estimates: a trace job's traced duration (exact, as in simulator studies of traces); a
// training job's end from its simulated iteration time once it runs, unknown before. With an
// unknown end in the way, no reservation can be promised and nothing backfills (FIFO).
// Reservations respect placement: a job of whole nodes reserves the nodes its placement policy
// names from when each frees up (consecutive placement: the run of nodes that frees first), and a
// job that would not end in time may only start outside them; a job within one node reserves
// GPUs by count (a backfilled job can then still take the GPUs it counted on).
#include "scheduler/scheduling_policy.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace dcsim {

namespace {

struct Reservation {
  double shadow_s = INFINITY;          ///< when the blocked job can start
  std::optional<Placement> reserved;   ///< the GPUs it will take (whole nodes), or none
  int extra_gpus = 0;                  ///< counted reservations: GPUs free then beyond what it needs
};

/// Whole nodes: those the placement policy reserves, from when each node's last running job ends.
Reservation reserve_nodes(const QueuedJob& blocked, const JobStarter& starter)
{
  const int per_node = starter.gpus_per_node();
  const int nodes = starter.total_gpus() / per_node;
  const int needed = (blocked.gpus + per_node - 1) / per_node;
  std::vector<double> free_at(nodes, starter.now_s());
  for (const RunningJob& job : starter.running())
    for (int node : job.placement->nodes())
      free_at[node] = std::max(free_at[node], job.end_s);
  std::vector<int> chosen = starter.reserve_nodes(free_at, needed);
  if (static_cast<int>(chosen.size()) < needed)
    return {};
  double at = starter.now_s();
  for (int node : chosen)
    at = std::max(at, free_at[node]);
  if (std::isinf(at))
    return {};
  return {at, Placement::on_nodes(std::move(chosen), blocked.gpus, per_node), 0};
}

/// Within a node: counted GPUs, in the order the running jobs end.
Reservation reserve_count(const QueuedJob& blocked, const JobStarter& starter)
{
  std::vector<RunningJob> running = starter.running();
  std::sort(running.begin(), running.end(), [](const RunningJob& a, const RunningJob& b) { return a.end_s < b.end_s; });
  int free = starter.free_gpus();
  for (const RunningJob& job : running) {
    if (std::isinf(job.end_s))
      break;
    free += job.placement->gpus();
    if (free >= blocked.gpus)
      return {job.end_s, std::nullopt, free - blocked.gpus};
  }
  return {};
}

class EasyBackfill final : public SchedulingPolicy {
public:
  SchedulingPolicyKind kind() const override { return SchedulingPolicyKind::EasyBackfill; }
  std::string name() const override { return "easy_backfill"; }
  void dispatch(const std::vector<QueuedJob>& queue, JobStarter& starter) const override
  {
    backfill_in_order(submission_order(queue), starter);
  }
};

} // namespace

void backfill_in_order(const std::vector<const QueuedJob*>& order, JobStarter& starter)
{
  size_t head = 0;
  while (head < order.size() && starter.try_start(*order[head]))
    ++head;
  if (head == order.size())
    return;
  const QueuedJob& blocked = *order[head];
  Reservation r = blocked.gpus >= starter.gpus_per_node() ? reserve_nodes(blocked, starter)
                                                          : reserve_count(blocked, starter);
  if (std::isinf(r.shadow_s))
    return;
  for (size_t i = head + 1; i < order.size() && starter.free_gpus() > 0; ++i) {
    const QueuedJob& job = *order[i];
    if (job.gpus > starter.free_gpus())
      continue;
    if (starter.now_s() + job.estimate_s <= r.shadow_s)
      starter.try_start(job);
    else if (r.reserved)
      starter.try_start_avoiding(job, *r.reserved);
    else if (job.gpus <= r.extra_gpus && starter.try_start(job))
      r.extra_gpus -= job.gpus;
  }
}

std::unique_ptr<SchedulingPolicy> make_easy_backfill_policy(const SchedulerConfig&)
{
  return std::make_unique<EasyBackfill>();
}

} // namespace dcsim
