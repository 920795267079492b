// The scheduler's preemption and the runs of its trace jobs: which running jobs a waiting job
// may preempt and in what order (quota reclaim, las levels), preempting them, a trace job's
// runs with their failures and restarts, and the fair-share usage that orders the queue.
#include "scheduler/cluster_scheduler.hpp"

#include "engine/failure_clock.hpp"
#include "scheduler/fair_share.hpp"
#include "scheduler/multifactor.hpp"
#include "scheduler/preemption.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dcsim {

int ClusterScheduler::available_gpus() const
{
  return allocator_.free_gpus() + (reclaiming_ ? preemptible_gpus() : 0);
}

double ClusterScheduler::attained_gpu_s(const Record& r, double t) const
{
  // Running: started and not ended since (a training job's end comes when it finishes).
  const bool running = r.run_start_s >= 0 && started_[&r - records_.data()] &&
                       (r.training ? r.end_s < r.run_start_s : r.end_s > t);
  return r.gpus * (r.held_s - r.held_at_promotion_s + (running ? t - r.run_start_s : 0));
}

int ClusterScheduler::level(const Record& r, double t) const
{
  return attained_service_level(las_thresholds_gpu_s_, attained_gpu_s(r, t));
}

void ClusterScheduler::schedule_demotion(int id, double t)
{
  const Record& r = records_[id];
  const double attained = attained_gpu_s(r, t);
  const double next = next_level_gpu_s(las_thresholds_gpu_s_, attained);
  const double at = t + (next - attained) / r.gpus; // infinite past the last threshold
  if (r.training || at < r.end_s)
    trace_ends_.push({at, id, r.run, EventKind::Demote});
}

void ClusterScheduler::set_priorities(double t)
{
  charge_usage(t);
  const std::vector<double> factors =
      !tracks_usage_                  ? std::vector<double>{}
      : multifactor_config_.fair_tree ? fair_tree_factors(usage_gpu_s_, shares_, account_of_, account_parent_)
                                      : fair_share_factors(usage_gpu_s_, shares_);
  const int total_gpus = cluster_nodes_ * gpus_per_node_;
  for (QueuedJob& q : queue_) {
    const double fair_share = tracks_usage_ && q.group >= 0 ? factors[q.group] : 1.0;
    q.priority = multifactor_ ? multifactor_priority(multifactor_config_, t - records_[q.id].submit_s, fair_share,
                                                     q.gpus, gpus_per_node_, total_gpus)
                              : fair_share;
  }
}

void ClusterScheduler::charge_usage(double t)
{
  if (!tracks_usage_ || t <= usage_at_s_)
    return;
  for (size_t g = 0; g < usage_gpu_s_.size(); ++g)
    usage_gpu_s_[g] = decayed_usage(usage_gpu_s_[g], group_used_[g], t - usage_at_s_, fair_share_half_life_s_);
  usage_at_s_ = t;
}

int ClusterScheduler::preemptible_gpus() const { return las_ ? running_gpus_ : lent_gpus_; }

bool ClusterScheduler::training_preemptible() const
{
  if (!preemption_.enabled || running_training_ == 0)
    return false;
  if (las_) // every running job falls a level in time
    return true;
  for (int id : running_)
    if (records_[id].training && records_[id].borrowed)
      return true;
  return false;
}

const std::vector<ClusterScheduler::Running>& ClusterScheduler::preemption_order(double t)
{
  if (preemption_order_valid_)
    return preemption_order_;
  preemption_order_.clear();
  for (int id : running_)
    preemption_order_.push_back({id, las_ ? level(records_[id], t) : 0, records_[id].run_start_s});
  std::sort(preemption_order_.begin(), preemption_order_.end(), [](const Running& a, const Running& b) {
    if (a.level != b.level)
      return a.level > b.level;
    return a.run_start_s != b.run_start_s ? a.run_start_s > b.run_start_s : a.id > b.id;
  });
  preemption_order_valid_ = true;
  return preemption_order_;
}

bool ClusterScheduler::may_preempt(const Running& victim, const QueuedJob& job, std::vector<int>& excess) const
{
  const Record& v = records_[victim.id];
  if (!started_[victim.id] || v.suspending || v.hung) // preempted earlier in this dispatch, leaving, or hung
    return false;
  if (las_ && victim.level > job.level)
    return true;
  if (!v.borrowed || v.group < 0 || excess[v.group] <= 0)
    return false;
  excess[v.group] -= v.gpus; // counting this one as gone
  return true;
}

std::optional<Placement> ClusterScheduler::reclaim(const QueuedJob& job, double t, const Placement* reserved)
{
  if (preemptible_gpus() == 0)
    return std::nullopt;
  for (const auto& [level, gpus] : reclaim_failed_)
    if (!reserved && job.level >= level && job.gpus >= gpus)
      return std::nullopt;
  std::vector<int> excess(quota_.size(), 0);
  for (size_t g = 0; g < quota_.size(); ++g)
    excess[g] = quota_[g] == kNoQuota ? 0 : group_used_[g] - quota_[g];
  // Training jobs asked to stop free their GPUs within an iteration: count them free, and if
  // that is room enough, wait for them rather than preempt more.
  std::optional<GpuAllocator> soon;
  for (auto it = running_.begin(); suspending_jobs_ > 0 && it != running_.end(); ++it)
    if (const int id = *it; records_[id].suspending) {
      if (!soon)
        soon.emplace(allocator_);
      soon->release(*records_[id].placement);
    }
  const GpuAllocator& after = soon ? *soon : allocator_;
  if (soon && fits_now(after, job.gpus, reserved))
    return std::nullopt;
  std::vector<PreemptionCandidate> candidates;
  for (const Running& r : preemption_order(t)) {
    // The order runs from the highest level down: past the job's own level only GPUs lent over a
    // quota could still be taken, and with none lent the rest cannot be.
    if (las_ && r.level <= job.level && lent_gpus_ == 0)
      break;
    if (may_preempt(r, job, excess))
      candidates.push_back({r.id, &*records_[r.id].placement});
  }
  const std::vector<int> victims = choose_victims(after, candidates, job.gpus, reserved);
  if (victims.empty()) {
    if (!reserved && !soon) // leaving a reservation alone is harder: a failure then says nothing
      reclaim_failed_.emplace_back(job.level, job.gpus);
    return std::nullopt;
  }
  for (int id : victims) {
    if (!records_[id].training) {
      preempt(id, t);
    } else { // it stops at its next iteration boundary; the job waits for its GPUs
      records_[id].suspending = true;
      ++suspending_jobs_;
      request_suspend_(id);
    }
  }
  return allocator_.allocate(job.gpus, reserved);
}

void ClusterScheduler::preempt(int id, double t)
{
  Record& r = records_[id];
  stop_run(id, t, preemption_.checkpoint_interval_s, Interruption::Preemption);
  r.preempted_s = t;
  ++r.preemptions;
  release(id);
  started_[id] = 0;
  preempted_.push_back(id);
}

void ClusterScheduler::begin_run(int id, double t, double overhead_s, Interruption after)
{
  Record& r = records_[id];
  r.run_start_s = t;
  r.run_overhead_s = overhead_s;
  r.run_after = after;
  r.end_s = t + overhead_s + r.remaining_s;
  r.stretched = start_stretched_load(id, overhead_s);
  trace_ends_.push({r.end_s, id, r.run, EventKind::End}); // a stretched run's earliest
  // A stretched run may end after end_s (its load says when): later events may still strike it.
  const double horizon_s = r.stretched ? kNever : r.end_s;
  if (failures_.maintenance_interval_s > 0) {
    const double at_s = failures_.next_maintenance_s(t);
    if (at_s < horizon_s)
      trace_ends_.push({at_s, id, r.run, EventKind::Maintenance});
  }
  if (las_)
    schedule_demotion(id, t);
  if (failures_.enabled()) {
    const double failure_s = next_failure_s(id, t);
    if (failure_s < horizon_s)
      trace_ends_.push({failure_s, id, r.run, EventKind::Failure});
  }
}

bool ClusterScheduler::start_stretched_load(int id, double overhead_s)
{
  if (!traffic_ || !traffic_->stretches())
    return false;
  Record& r = records_[id];
  const unsigned run = r.run;
  const LoadWork work{r.remaining_s, overhead_s, [this, id, run] { load_done(id, run); }};
  return traffic_->start(id, *r.placement, r.gradient_bytes, r.traffic_iteration_s, &work);
}

void ClusterScheduler::charge_lost(Record& r, double seconds, Interruption to) const
{
  switch (to) {
  case Interruption::Preemption: r.preemption_lost_s += seconds; break;
  case Interruption::Failure: r.failure_lost_s += seconds; break;
  case Interruption::Maintenance: r.maintenance_lost_s += seconds; break;
  }
}

void ClusterScheduler::stop_run(int id, double t, double checkpoint_interval_s, Interruption by)
{
  Record& r = records_[id];
  const double held = t - r.run_start_s;
  // The time up to its last checkpoint, and the work it had done by then: the same, unless its
  // load stretched the run (then at the run's average pace).
  double kept_s = by == Interruption::Failure && checkpoint_interval_s <= 0
                      ? 0
                      : work_kept_s(held, r.run_overhead_s, checkpoint_interval_s);
  double kept_work_s = std::min(r.remaining_s, kept_s);
  if (r.stretched) {
    const double worked = std::max(0.0, held - r.run_overhead_s);
    const double done = r.remaining_s - traffic_->remaining_work_s(id);
    kept_work_s = worked > 0 ? std::min(done, kept_s * done / worked) : 0;
    r.contention_s += std::max(0.0, worked - done);
    traffic_->stop(id); // it sends nothing until its next run
    r.stretched = false;
  } else {
    kept_s = kept_work_s;
  }
  const double restarting = std::min(held, r.run_overhead_s);
  charge_lost(r, restarting, r.run_after);
  charge_lost(r, held - restarting - kept_s, by);
  r.remaining_s -= kept_work_s;
  r.held_s += held;
  ++r.run; // the run's scheduled events no longer hold
}

void ClusterScheduler::fail_in_place(int id, double t)
{
  Record& r = records_[id];
  stop_run(id, t, failures_.trace_job_checkpoint_s, Interruption::Failure);
  ++r.failures;
  if (trace_failures_by_cause_.empty())
    trace_failures_by_cause_.assign(failures_.causes.size(), 0);
  ++trace_failures_by_cause_[r.failure_cause];
  // A guard against a hang: a rate so high that jobs barely ever finish would take for ever.
  // (An exception cannot leave an actor: the run stops, and simulate() reports why.)
  constexpr long long kMaxTraceFailures = 1'000'000;
  if (++trace_failures_ > kMaxTraceFailures) {
    gave_up_ = "the trace's jobs were struck by node failures " + std::to_string(kMaxTraceFailures) +
               " times and still run; expected a longer failures.node_mtbf, a shorter failures.restart or a "
               "failures.trace_job_checkpoint";
    return;
  }
  // Noticed `detect` later: until then it holds its GPUs, hung (its run then stands for the
  // hang and the expected restart, which is what backfilling plans around).
  const FailureCause& cause = failures_.causes[r.failure_cause];
  if (cause.detect_s > 0) {
    r.hung = true;
    r.run_start_s = t;
    r.run_overhead_s = cause.detect_s + cause.restart_s;
    trace_ends_.push({t + cause.detect_s, id, r.run, EventKind::Detected});
    return;
  }
  restart_in_place(id, t);
}

void ClusterScheduler::restart_in_place(int id, double t)
{
  Record& r = records_[id];
  if (r.hung) { // held, hung, since the failure
    r.held_s += t - r.run_start_s;
    charge_lost(r, t - r.run_start_s, Interruption::Failure);
    r.hung = false;
  }
  // On a spare node, keeping its GPUs (after waiting for one when none is free).
  // A failure during a restart still waits for the nodes replaced before it.
  const double replaced = r.failure_needs_spare ? spares_.replace(t, r.failure_repair_s) : t;
  r.replaced_s = std::max({r.replaced_s, replaced, t});
  begin_run(id, t, r.replaced_s - t + failures_.causes[r.failure_cause].restart_s, Interruption::Failure);
}

void ClusterScheduler::pause_for_maintenance(int id, double t)
{
  Record& r = records_[id];
  stop_run(id, t, 0.0, Interruption::Maintenance); // saved when stopped: nothing is lost
  ++r.maintenances;
  begin_run(id, t, failures_.maintenance_downtime_s, Interruption::Maintenance);
}

double ClusterScheduler::next_failure_s(int id, double t)
{
  Record& r = records_[id];
  const std::vector<int> nodes = r.placement->nodes();
  const FailureExtent extent{r.gpus, static_cast<int>(nodes.size()), locality_.switches_spanned(nodes)};
  const double mtbi_s = failures_.job_mtbi_s(extent);
  FailureClock clock = failures_.replayed()
                           ? FailureClock(mtbi_s, job_fault_times(failures_, nodes, cluster_nodes_, seed_),
                                          failures_.trace_span_s)
                           : FailureClock(mtbi_s, failures_,
                                          failure_instances(failures_, r.placement->gpu_list(), nodes,
                                                            locality_.switches_of(nodes), id),
                                          seed_);
  double next_s = clock.next_after(t);
  while (next_s <= t && std::isfinite(next_s)) { // strictly after: the fault at `now` has struck
    clock.consume();
    next_s = clock.pending();
  }
  r.failure_cause = clock.pending_cause();
  r.failure_needs_spare = clock.pending_needs_spare();
  r.failure_repair_s = clock.pending_repair_s();
  return next_s;
}

void ClusterScheduler::requeue_preempted()
{
  for (int id : preempted_) {
    const Record& r = records_[id];
    const auto at = std::upper_bound(queue_.begin(), queue_.end(), r.submit_s,
                                     [&](double submit, const QueuedJob& q) { return submit < records_[q.id].submit_s; });
    const double estimate_s = r.training ? kNever : r.remaining_s + preemption_.restart_s;
    const int job_level = las_ ? level(r, now()) : 0;
    queue_.insert(at, {id, r.gpus, estimate_s, r.group, job_level});
    // Tiresias' starvation knob: back to the top once it has waited K times what it ran.
    const double ran_s = r.held_s - r.held_at_promotion_s;
    if (las_promote_knob_ > 0 && job_level > 0 && ran_s > 0)
      trace_ends_.push({r.preempted_s + las_promote_knob_ * ran_s, id, r.run, EventKind::Promote});
  }
  preempted_.clear();
}

bool ClusterScheduler::growth_possible() const
{
  for (int id : running_) {
    const Record& r = records_[id];
    if (r.training && r.may_grow && r.gpus < r.sizes.front())
      return true;
  }
  return false;
}

void ClusterScheduler::grow_jobs()
{
  if (!queue_.empty() || allocator_.free_gpus() == 0)
    return;
  for (int id : running_) {
    Record& r = records_[id];
    if (!r.training || !r.may_grow || r.suspending || r.gpus >= r.sizes.front())
      continue;
    GpuAllocator after(allocator_); // with this job's GPUs free too
    after.release(*r.placement);
    for (int size : r.sizes) { // largest first
      if (size <= r.gpus)
        break;
      if (r.group >= 0 && group_used_[r.group] - r.gpus + size > quota_[r.group])
        continue;
      if (after.allocate(size)) {
        r.suspending = r.growing = true;
        ++suspending_jobs_;
        request_suspend_(id);
        break;
      }
    }
  }
}

} // namespace dcsim
