// EASY backfilling (Lifka 1995; Mu'alem and Feitelson 2001): jobs start oldest first; when the
// oldest waiting job does not fit, it gets a reservation at the earliest time enough GPUs free
// up (the "shadow time", from the running jobs' expected ends), and later jobs may jump ahead
// only if they fit now and either end before the shadow time or leave the reservation alone.
// Estimates: a trace job's traced duration (exact, as in simulator studies of traces); a
// training job's end from its simulated iteration time once it runs, unknown before. With an
// unknown end in the way, no reservation can be promised and nothing backfills (FIFO).
// Reservations respect placement: a job of whole nodes reserves the consecutive nodes that free
// up first, and a job that would not end in time may only start outside them; a job within one
// node reserves GPUs by count (a backfilled job can then still take the GPUs it counted on).
#include "scheduler/scheduling_policy.hpp"

#include <algorithm>
#include <cmath>

namespace dcsim {

namespace {

struct Reservation {
  double shadow_s = INFINITY; ///< when the blocked job can start
  int first_gpu = 0;          ///< the GPUs it will take (whole nodes), or none (gpus = 0)
  int gpus = 0;
  int extra_gpus = 0;         ///< counted reservations: GPUs free then beyond what it needs
};

/// Whole nodes: the window of consecutive nodes whose last running job ends first.
Reservation reserve_nodes(const QueuedJob& blocked, const JobStarter& starter)
{
  const int per_node = starter.gpus_per_node();
  const int nodes = starter.total_gpus() / per_node;
  const int needed = (blocked.gpus + per_node - 1) / per_node;
  std::vector<double> free_at(nodes, starter.now_s());
  for (const RunningJob& job : starter.running())
    for (int node = job.first_gpu / per_node; node <= (job.first_gpu + job.gpus - 1) / per_node; ++node)
      free_at[node] = std::max(free_at[node], job.end_s);
  Reservation best;
  for (int first = 0; first + needed <= nodes; ++first) {
    const double at = *std::max_element(free_at.begin() + first, free_at.begin() + first + needed);
    if (at < best.shadow_s)
      best = {at, first * per_node, blocked.gpus, 0};
  }
  return best;
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
    free += job.gpus;
    if (free >= blocked.gpus)
      return {job.end_s, 0, 0, free - blocked.gpus};
  }
  return {};
}

class EasyBackfill final : public SchedulingPolicy {
public:
  SchedulingPolicyKind kind() const override { return SchedulingPolicyKind::EasyBackfill; }
  std::string name() const override { return "easy_backfill"; }
  void dispatch(const std::vector<QueuedJob>& queue, JobStarter& starter) const override
  {
    size_t head = 0;
    while (head < queue.size() && starter.try_start(queue[head]))
      ++head;
    if (head == queue.size())
      return;
    const QueuedJob& blocked = queue[head];
    Reservation r = blocked.gpus >= starter.gpus_per_node() ? reserve_nodes(blocked, starter)
                                                            : reserve_count(blocked, starter);
    if (std::isinf(r.shadow_s))
      return;
    for (size_t i = head + 1; i < queue.size() && starter.free_gpus() > 0; ++i) {
      const QueuedJob& job = queue[i];
      if (job.gpus > starter.free_gpus())
        continue;
      if (starter.now_s() + job.estimate_s <= r.shadow_s)
        starter.try_start(job);
      else if (r.gpus > 0)
        starter.try_start_avoiding(job, r.first_gpu, r.gpus);
      else if (job.gpus <= r.extra_gpus && starter.try_start(job))
        r.extra_gpus -= job.gpus;
    }
  }
};

} // namespace

const SchedulingPolicy& easy_backfill_policy()
{
  static const EasyBackfill policy;
  return policy;
}

} // namespace dcsim
