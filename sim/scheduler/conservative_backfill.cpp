// Conservative backfilling (Mu'alem and Feitelson, IEEE TPDS 2001): the queued jobs are taken in
// order and each gets the earliest start at which GPUs are free for it for its whole estimate,
// around the running jobs and every reservation made before it; a job whose earliest start is now
// starts now. No job is then delayed by one behind it, where EASY (easy_backfill.cpp) protects
// only the first job that does not fit. Slurm's sched/backfill plans this way, for at most
// bf_max_job_test jobs per cycle (500) and within bf_window (a day): `backfill_depth` and
// `backfill_window`. A job that cannot start within the window gets no reservation, and later
// jobs may take what it would need. The plan is drawn again at every decision, from the running
// jobs' expected ends (NodeCalendar), with the estimates EASY uses: a trace job's estimate or
// duration, a training job's simulated end once it runs, unknown (forever) before.
// Placement: a job of whole nodes reserves the nodes its placement policy names among those free
// for its whole estimate; a job within a node counts GPUs on the node that frees them first.
#include "scheduler/node_calendar.hpp"
#include "scheduler/scheduling_policy.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dcsim {

namespace {

/// Where and when a planned job runs: its nodes (one for a job within a node) from start_s.
struct Slot {
  double start_s = INFINITY;
  std::vector<int> nodes;
};

/// Books `placement`'s GPUs, node by node, over [from_s, to_s). Ranks fill the nodes in order, so
/// each node's GPUs are one run of consecutive ranks.
void book(NodeCalendar& calendar, const Placement& placement, double from_s, double to_s)
{
  const int per_node = calendar.gpus_per_node();
  for (int rank = 0; rank < placement.gpus();) {
    const int node = placement.gpu(rank) / per_node;
    int gpus = 0;
    for (; rank < placement.gpus() && placement.gpu(rank) / per_node == node; ++rank)
      ++gpus;
    calendar.book(node, gpus, from_s, to_s);
  }
}

/// Draws `calendar` afresh: the running jobs, booked until their expected ends (one overdue
/// still holds its GPUs now).
void book_running(NodeCalendar& calendar, const JobStarter& starter)
{
  const int per_node = starter.gpus_per_node();
  const double now = starter.now_s();
  const int nodes = starter.total_gpus() / per_node;
  if (calendar.nodes() != nodes || calendar.gpus_per_node() != per_node)
    calendar = NodeCalendar(nodes, per_node, now);
  calendar.reset(now);
  const double just_after = std::nextafter(now, INFINITY);
  for (const RunningJob& job : starter.running())
    book(calendar, *job.placement, now, std::max(job.end_s, just_after));
}

/// GPUs a job takes on each of its nodes while planning: whole nodes past one node (the
/// allocator gives such a job whole free nodes), else its count.
int gpus_per_planned_node(const QueuedJob& job, int per_node) { return job.gpus > per_node ? per_node : job.gpus; }

/// A job of whole nodes: the nodes its placement policy reserves among those free for its whole
/// estimate, at the earliest time they all are. Each node's earliest fit is a lower bound; a
/// chosen node that is busy again before the job would end moves to its next fit, until the
/// chosen nodes agree (each round moves a node to a later booking end, so this ends).
Slot whole_nodes_slot(const QueuedJob& job, const NodeCalendar& calendar, const JobStarter& starter, double now,
                      double duration_s)
{
  const int per_node = calendar.gpus_per_node();
  const int needed = (job.gpus + per_node - 1) / per_node;
  std::vector<double> free_at(calendar.nodes());
  for (int node = 0; node < calendar.nodes(); ++node)
    free_at[node] = calendar.earliest(node, per_node, now, duration_s);
  for (;;) {
    std::vector<int> chosen = starter.reserve_nodes(free_at, needed);
    if (static_cast<int>(chosen.size()) < needed)
      return {};
    double start = now;
    for (int node : chosen)
      start = std::max(start, free_at[node]);
    if (std::isinf(start))
      return {};
    bool agreed = true;
    for (int node : chosen)
      if (!calendar.fits(node, per_node, start, start + duration_s)) {
        free_at[node] = calendar.earliest(node, per_node, start, duration_s);
        agreed = false;
      }
    if (agreed)
      return {start, std::move(chosen)};
  }
}

/// A job within a node: the node that has its GPUs free for its whole estimate first (the
/// lowest-numbered among equals).
Slot within_node_slot(const QueuedJob& job, const NodeCalendar& calendar, double now, double duration_s)
{
  const double* first_room = calendar.first_rooms(job.gpus); // job.gpus <= gpus per node
  double best_s = INFINITY;
  int best_node = -1;
  for (int node = 0; node < calendar.nodes() && best_s > now; ++node) {
    if (first_room[node] >= best_s)
      continue; // it cannot start there before the best start found
    const double at = calendar.earliest(node, job.gpus, now, duration_s, best_s);
    if (at < best_s)
      best_s = at, best_node = node;
  }
  return best_node < 0 ? Slot{} : Slot{best_s, {best_node}};
}

/// Starts `job` now on nodes whose GPUs stay free for it through its estimate, and books what it
/// took (nothing if the allocator or the quotas refuse it).
void start_now(const QueuedJob& job, NodeCalendar& calendar, JobStarter& starter, double now, double duration_s)
{
  const int need = gpus_per_planned_node(job, calendar.gpus_per_node());
  std::vector<std::uint8_t> allowed(calendar.nodes(), 0);
  for (int node = 0; node < calendar.nodes(); ++node)
    allowed[node] = calendar.fits(node, need, now, now + duration_s) ? 1 : 0;
  const Placement* placed = starter.try_start_on(job, allowed);
  if (placed)
    book(calendar, *placed, now, now + duration_s);
}

/// Whether some node has `gpus` GPUs free throughout [now, now + duration_s): if not, no job
/// needing at least that many for at least that long can start now. Asked with `gpus` and
/// `duration_s` that never shrink while the calendar only fills, so a node that once has no room
/// never has it again in this plan: the search resumes where it last stopped.
class RoomNow {
public:
  bool operator()(const NodeCalendar& calendar, int gpus, double now, double duration_s)
  {
    for (; node_ < calendar.nodes(); ++node_)
      if (calendar.fits(node_, gpus, now, now + duration_s))
        return true;
    return false;
  }

private:
  int node_ = 0;
};

class ConservativeBackfill final : public SchedulingPolicy {
public:
  explicit ConservativeBackfill(BackfillPlanConfig limits) : limits_(limits) {}
  SchedulingPolicyKind kind() const override { return SchedulingPolicyKind::ConservativeBackfill; }
  std::string name() const override { return "conservative_backfill"; }
  void dispatch(const std::vector<QueuedJob>& queue, JobStarter& starter) const override
  {
    plan_in_order(submission_order(queue, static_cast<std::size_t>(std::max(0, limits_.depth))), starter, limits_,
                  calendar_);
  }

private:
  BackfillPlanConfig limits_;
  mutable NodeCalendar calendar_{0, 1, 0.0}; ///< drawn afresh at every decision, its memory kept
};

} // namespace

void plan_in_order(const std::vector<const QueuedJob*>& order, JobStarter& starter, const BackfillPlanConfig& limits,
                   NodeCalendar& calendar)
{
  const double now = starter.now_s();
  book_running(calendar, starter);
  const int per_node = calendar.gpus_per_node();
  const size_t depth = std::min(order.size(), static_cast<size_t>(limits.depth));
  // The fewest GPUs and the shortest estimate among the jobs from i on: once no node has that
  // room now, none of them can start, and their reservations would only matter to each other
  // (the plan is drawn again at the next decision). Saves planning the tail of a long queue.
  std::vector<int> fewest_gpus(depth + 1, std::numeric_limits<int>::max());
  std::vector<double> shortest_s(depth + 1, INFINITY);
  for (size_t i = depth; i-- > 0;) {
    fewest_gpus[i] = std::min(fewest_gpus[i + 1], std::min(order[i]->gpus, per_node));
    shortest_s[i] = std::min(shortest_s[i + 1], order[i]->estimate_s);
  }
  RoomNow room_now;
  for (size_t i = 0; i < depth && starter.free_gpus() > 0; ++i) {
    if (!room_now(calendar, fewest_gpus[i], now, shortest_s[i]))
      break;
    const QueuedJob& job = *order[i];
    const double duration_s = job.estimate_s; // infinite when unknown: it holds its GPUs for good
    Slot slot = job.gpus > per_node ? whole_nodes_slot(job, calendar, starter, now, duration_s)
                                    : within_node_slot(job, calendar, now, duration_s);
    if (std::isinf(slot.start_s) || slot.start_s > now + limits.window_s)
      continue; // no reservation: later jobs may use what it would need
    if (slot.start_s <= now) {
      start_now(job, calendar, starter, now, duration_s);
      continue;
    }
    const int need = gpus_per_planned_node(job, per_node);
    for (int node : slot.nodes)
      calendar.book(node, need, slot.start_s, slot.start_s + duration_s);
  }
}

std::unique_ptr<SchedulingPolicy> make_conservative_backfill_policy(const SchedulerConfig& config)
{
  return std::make_unique<ConservativeBackfill>(config.backfill);
}

} // namespace dcsim
