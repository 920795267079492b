// How a cluster scheduler picks, among the queued jobs, the ones to start now. One file per
// policy (fifo.cpp, first_fit.cpp, smallest_first.cpp, easy_backfill.cpp,
// conservative_backfill.cpp, least_attained_service.cpp, fair_share_policy.cpp,
// multifactor_policy.cpp), each a factory listed once in policies.cpp (a policy may keep settings
// from the scenario: its own object per scheduler).
#pragma once

#include "config/scenario_config.hpp"
#include "engine/placement.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dcsim {

class NodeCalendar;

/// A job waiting for GPUs (queues are in submission order).
struct QueuedJob {
  int id = 0;
  int gpus = 0;
  double estimate_s = 0; ///< how long it will run: a trace job's duration; infinity when unknown
  int group = -1;        ///< quota group; -1: none (kept here so quota checks stay in the queue)
  int level = 0;         ///< las: thresholds of attained GPU-time crossed (0: highest priority)
  double priority = 0;   ///< fair_share: its group's fair-share factor; multifactor: its priority (higher first)
};

/// A job holding GPUs, for policies that plan ahead.
struct RunningJob {
  double end_s = 0; ///< expected end; infinity when unknown
  const Placement* placement = nullptr;
};

/// What a policy may do to the cluster: start a job where a range of GPUs is free for it.
class JobStarter {
public:
  virtual ~JobStarter() = default;
  /// Starts `job` when a range of its size is free; says whether it did.
  virtual bool try_start(const QueuedJob& job) = 0;
  /// The same, leaving `reserved` alone (a reservation).
  virtual bool try_start_avoiding(const QueuedJob& job, const Placement& reserved) = 0;
  /// The same, on the nodes `allowed` marks (1 per node it may use) only; where it started, or null.
  virtual const Placement* try_start_on(const QueuedJob& job, const std::vector<std::uint8_t>& allowed) = 0;
  /// The `count` nodes the placement policy reserves for a blocked job, given when each node
  /// will be free.
  virtual std::vector<int> reserve_nodes(const std::vector<double>& free_at, int count) const = 0;
  /// Free GPUs (a job larger cannot start; one as large may not find them consecutive).
  virtual int free_gpus() const = 0;
  virtual double now_s() const = 0;
  virtual int gpus_per_node() const = 0;
  virtual int total_gpus() const = 0;
  /// The jobs holding GPUs, with their expected ends.
  virtual std::vector<RunningJob> running() const = 0;
};

class SchedulingPolicy {
public:
  virtual ~SchedulingPolicy() = default;
  virtual SchedulingPolicyKind kind() const = 0;
  virtual std::string name() const = 0;
  /// Starts, through `starter`, the jobs of `queue` (in submission order) it chooses to start now.
  virtual void dispatch(const std::vector<QueuedJob>& queue, JobStarter& starter) const = 0;
  /// Between backfill cycles (scheduler.backfill_interval), as Slurm's main scheduler: the queue
  /// in the policy's order, each job starting until one does not fit. Asked of backfilling
  /// policies only; their order is submission order unless they say otherwise.
  virtual void dispatch_strictly(const std::vector<QueuedJob>& queue, JobStarter& starter) const
  {
    for (const QueuedJob& job : queue)
      if (!starter.try_start(job))
        return;
  }
};

// One factory per policy file, listed once in policies.cpp.
std::unique_ptr<SchedulingPolicy> make_fifo_policy(const SchedulerConfig& config);
std::unique_ptr<SchedulingPolicy> make_first_fit_policy(const SchedulerConfig& config);
std::unique_ptr<SchedulingPolicy> make_smallest_first_policy(const SchedulerConfig& config);
std::unique_ptr<SchedulingPolicy> make_easy_backfill_policy(const SchedulerConfig& config);
std::unique_ptr<SchedulingPolicy> make_least_attained_service_policy(const SchedulerConfig& config);
std::unique_ptr<SchedulingPolicy> make_fair_share_policy(const SchedulerConfig& config);
/// Slurm's multifactor priority order, backfilled as its `backfill` says (or strictly: sched/builtin).
std::unique_ptr<SchedulingPolicy> make_multifactor_policy(const SchedulerConfig& config);
/// Conservative backfilling (conservative_backfill.cpp): a reservation for every queued job.
std::unique_ptr<SchedulingPolicy> make_conservative_backfill_policy(const SchedulerConfig& config);

/// Offers `order`'s jobs in that order, each that fits (first fit), until no GPU is left.
void start_in_order(const std::vector<const QueuedJob*>& order, JobStarter& starter);
/// EASY backfilling over `order` (easy_backfill.cpp): its jobs start in that order until one
/// does not fit, which gets a reservation; later ones start only if they do not delay it.
void backfill_in_order(const std::vector<const QueuedJob*>& order, JobStarter& starter);
/// Conservative backfilling over `order` (conservative_backfill.cpp): each job, in that order,
/// starts now or gets the earliest reservation that delays none made before it.
/// `calendar` is the policy's scratch, drawn afresh from the running jobs (kept to reuse its memory).
void plan_in_order(const std::vector<const QueuedJob*>& order, JobStarter& starter, const BackfillPlanConfig& limits,
                   NodeCalendar& calendar);

/// `queue`'s first `limit` jobs as they are (submission order). A plan that looks at 500 jobs
/// need not list the thousands queued behind them at every decision.
inline std::vector<const QueuedJob*> submission_order(const std::vector<QueuedJob>& queue,
                                                     std::size_t limit = static_cast<std::size_t>(-1))
{
  std::vector<const QueuedJob*> order;
  order.reserve(std::min(queue.size(), limit));
  for (std::size_t i = 0; i < queue.size() && i < limit; ++i)
    order.push_back(&queue[i]);
  return order;
}

/// `queue`'s jobs stably sorted by `before` (a strict weak order): submission order within ties.
template <typename Before>
std::vector<const QueuedJob*> sorted_queue(const std::vector<QueuedJob>& queue, Before before)
{
  std::vector<const QueuedJob*> order = submission_order(queue);
  std::stable_sort(order.begin(), order.end(), [&](const QueuedJob* a, const QueuedJob* b) { return before(*a, *b); });
  return order;
}

/// The policy `config` names (policies.cpp).
std::unique_ptr<SchedulingPolicy> make_scheduling_policy(const SchedulerConfig& config);

} // namespace dcsim
