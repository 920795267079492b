#include "scheduler/cluster_scheduler.hpp"

#include "scheduler/fair_share.hpp"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <stdexcept>

namespace sg4 = simgrid::s4u;

namespace dcsim {

ClusterScheduler::ClusterScheduler(const ScenarioConfig& config, const NodeLocality& locality,
                                   SteadyStateCoordinator& coordinator, SparePool& spares, StartTraining start_training,
                                   ExpectedEnd expected_end, RequestSuspend request_suspend)
    : policy_(make_scheduling_policy(config.scheduler)), coordinator_(coordinator), spares_(spares),
      start_training_(std::move(start_training)), expected_end_(std::move(expected_end)),
      request_suspend_(std::move(request_suspend)),
      allocator_(config.cluster.nodes, config.cluster.node.gpus, placement_policy(config.scheduler.placement), locality,
                 config.seed),
      gpus_per_node_(config.cluster.node.gpus), preemption_(config.scheduler.preemption), failures_(config.failures),
      seed_(config.seed), cluster_nodes_(config.cluster.nodes), locality_(locality),
      las_(config.scheduler.policy == SchedulingPolicyKind::LeastAttainedService),
      las_thresholds_gpu_s_(config.scheduler.las_thresholds_gpu_s), las_promote_knob_(config.scheduler.las_promote_knob),
      tracks_usage_(config.scheduler.tracks_usage()),
      multifactor_(config.scheduler.policy == SchedulingPolicyKind::Multifactor),
      multifactor_config_(config.scheduler.multifactor),
      fair_share_half_life_s_(config.scheduler.fair_share_half_life_s),
      trace_skipped_(config.scheduler.trace_skipped_jobs)
{
  const auto add = [&](double submit_s, int gpus, bool training, double duration_s, int group) {
    Record r;
    r.submit_s = submit_s, r.gpus = gpus, r.training = training, r.duration_s = duration_s, r.group = group;
    r.source = static_cast<int>(records_.size()); // training jobs come first, in scenario order
    r.remaining_s = duration_s;
    r.switches = config.scheduler.switches;
    records_.push_back(r);
  };
  const auto& groups = config.scheduler.groups;
  for (const JobConfig& job : config.jobs) {
    const auto it = std::find(groups.begin(), groups.end(), job.group);
    add(job.start_time_s, job.gpus, true, 0, it == groups.end() ? -1 : static_cast<int>(it - groups.begin()));
    records_.back().sizes = job.sizes_gpus.empty() ? std::vector<int>{job.gpus} : job.sizes_gpus;
    records_.back().may_grow = job.grow;
    if (job.switches.set())
      records_.back().switches = job.switches;
  }
  for (const TraceJob& job : config.scheduler.trace_jobs) {
    add(job.submit_s, job.gpus, false, job.duration_s, job.group);
    records_.back().source = job.line;
    records_.back().estimate_s = job.estimate_s >= 0 ? job.estimate_s : job.duration_s;
    records_.back().gradient_bytes = job.gradient_bytes;
    records_.back().traffic_iteration_s = job.iteration_s;
  }
  set_quotas(config.scheduler);
  set_shares();
  started_.assign(records_.size(), 0);
  for (int id = 0; id < static_cast<int>(records_.size()); ++id) {
    const Record& r = records_[id];
    if (r.gpus > allocator_.total_gpus() || (r.group >= 0 && r.gpus > quota_[r.group])) {
      if (r.training) // the config refuses these (scenario_loader.cpp); a rejected training job would vanish
        throw std::logic_error("training job " + config.jobs[id].name + " is larger than its cluster or quota");
      ++rejected_;
      continue;
    }
    arrivals_.push_back(id);
  }
  std::stable_sort(arrivals_.begin(), arrivals_.end(),
                   [&](int a, int b) { return records_[a].submit_s < records_[b].submit_s; });
  for (const JobConfig& job : config.jobs) {
    training_names_.push_back(job.name);
    training_after_.push_back(job.after);
    training_after_delay_s_.push_back(job.after_delay_s);
  }
  hold_back_followers(config.scheduler);
  for (int id : arrivals_)
    if (!records_[id].training && records_[id].gpus > gpus_per_node_)
      multi_node_submits_.push_back(records_[id].submit_s);
  training_not_started_ = static_cast<int>(config.jobs.size());
  job_table_ = config.output.job_table;
  backfill_interval_s_ = config.scheduler.backfill_interval_s;
}

double ClusterScheduler::now() { return sg4::Engine::get_clock(); }

void ClusterScheduler::set_quotas(const SchedulerConfig& config)
{
  group_names_ = config.groups;
  const size_t groups = group_names_.size();
  quota_.assign(groups, kNoQuota);
  group_used_.assign(groups, 0);
  quotas_ = config.quotas.enabled();
  borrowing_ = config.quotas.borrowing;
  for (size_t g = 0; g < groups; ++g) {
    const auto it = config.quotas.gpus.find(group_names_[g]);
    if (it != config.quotas.gpus.end())
      quota_[g] = it->second;
  }
  if (!config.quotas.by_demand)
    return;
  // Each group's share of the trace's GPU-hours, and never less than its largest job (which
  // would otherwise never start). Rounded to whole GPUs; the shares may add up to a little more
  // than the cluster.
  std::vector<double> gpu_s(groups, 0);
  std::vector<int> largest(groups, 0);
  double total_gpu_s = 0;
  for (const Record& r : records_)
    if (r.group >= 0) {
      gpu_s[r.group] += r.gpus * r.duration_s;
      largest[r.group] = std::max(largest[r.group], r.gpus);
      total_gpu_s += r.gpus * r.duration_s;
    }
  const int total = allocator_.total_gpus();
  for (size_t g = 0; g < groups; ++g) {
    const double share = total_gpu_s > 0 ? gpu_s[g] / total_gpu_s : 0;
    quota_[g] = std::min(total, std::max(largest[g], static_cast<int>(std::lround(share * total))));
  }
}

void ClusterScheduler::set_shares()
{
  const size_t groups = quota_.size();
  usage_gpu_s_.assign(groups, 0);
  double given = 0;
  int with_quota = 0;
  for (int q : quota_)
    if (q != kNoQuota)
      given += q, ++with_quota;
  const double fallback = with_quota > 0 ? given / with_quota : 1.0;
  shares_.assign(groups, 0);
  double total = 0;
  for (size_t g = 0; g < groups; ++g)
    total += shares_[g] = quota_[g] != kNoQuota ? quota_[g] : fallback;
  for (double& share : shares_)
    share /= total;
  account_of_.assign(groups, -1);
  account_parent_.clear();
  for (size_t a = 0; a < multifactor_config_.accounts.size(); ++a) {
    for (int g : multifactor_config_.accounts[a].groups)
      account_of_[g] = static_cast<int>(a);
    account_parent_.push_back(multifactor_config_.accounts[a].parent);
  }
}

bool ClusterScheduler::within_quota(const QueuedJob& job) const
{
  return job.group < 0 || group_used_[job.group] + job.gpus <= quota_[job.group];
}

const std::vector<QueuedJob>& ClusterScheduler::waiting_jobs(bool within_quota_only)
{
  eligible_.clear();
  for (const QueuedJob& j : queue_)
    if (!started_[j.id] && (!within_quota_only || within_quota(j)))
      eligible_.push_back(j);
  return eligible_;
}

void ClusterScheduler::offer_within_quotas(JobStarter& starter)
{
  // A start may use up a group's quota, which the next offer sees: offers go on while they
  // start jobs.
  reclaiming_ = preemption_.enabled;
  while (available_gpus() > 0) {
    const long long before = starts_;
    const auto& eligible = waiting_jobs(true);
    if (eligible.empty())
      break;
    policy_->dispatch(eligible, starter);
    if (starts_ == before)
      break;
  }
  reclaiming_ = false;
}

void ClusterScheduler::release(int id)
{
  charge_usage(now());
  Record& r = records_[id];
  allocator_.release(*r.placement);
  running_.erase(id);
  if (r.group >= 0)
    group_used_[r.group] -= r.gpus;
  if (r.borrowed)
    lent_gpus_ -= r.gpus;
  running_gpus_ -= r.gpus;
  r.borrowed = false;
  if (traffic_ && !r.training)
    traffic_->stop(id);
}

void ClusterScheduler::drop_stale_ends()
{
  // A preempted run's events, and a demotion after its job ended.
  const auto stale = [&](const End& e) {
    if (e.run != records_[e.id].run)
      return true;
    if (e.kind == EventKind::Promote) // only a waiting job goes back to the top
      return started_[e.id] != 0;
    return e.kind != EventKind::End && running_.count(e.id) == 0;
  };
  while (!trace_ends_.empty() && stale(trace_ends_.top()))
    trace_ends_.pop();
}

void ClusterScheduler::start(sg4::Host* host)
{
  mutex_ = sg4::Mutex::create();
  wake_ = sg4::ConditionVariable::create();
  sg4::Actor::create("scheduler", host, [this] { run(); });
}

void ClusterScheduler::training_finished(int job)
{
  std::unique_lock<sg4::Mutex> lock(*mutex_);
  Record& r = records_[job];
  r.end_s = now();
  r.held_s += r.end_s - r.run_start_s;
  suspending_jobs_ -= r.suspending ? 1 : 0;
  r.suspending = false; // it ended before its next boundary
  release(job);
  --running_training_;
  submit_followers(job, r.end_s);
  woken_ = true;
  wake_->notify_all();
}

void ClusterScheduler::load_done(int id, unsigned run)
{
  // No lock: the scheduler may hold it while it stops this very load, and SimGrid would hand a
  // killed waiter the mutex. Actors take turns, so the scheduler reads the list when it next runs.
  loads_done_.push_back({now(), id, run});
  woken_ = true;
  wake_->notify_all();
}

void ClusterScheduler::training_suspended(int job, bool time_limit)
{
  std::unique_lock<sg4::Mutex> lock(*mutex_);
  const double t = now();
  Record& r = records_[job];
  r.held_s += t - r.run_start_s;
  r.preempted_s = t;
  // The time limit ended the run even when a growth was asked for (the kill cut its save): the
  // run is counted once, by the job's reliability stats, not also as a growth.
  if (!time_limit && r.growing) { // it stopped to restart on more GPUs, not for another job
    ++r.grows;
  } else if (!time_limit) {
    ++r.preemptions;
  }
  r.growing = false;
  ++r.run; // its demotion events no longer hold
  suspending_jobs_ -= r.suspending ? 1 : 0;
  r.suspending = false;
  release(job);
  r.gpus = r.sizes.front(); // it queues again for all it asked for (and may start smaller)
  started_[job] = 0;
  --running_training_;
  ++training_not_started_;
  preempted_.push_back(job);
  woken_ = true;
  wake_->notify_all();
}

void ClusterScheduler::run()
{
  std::unique_lock<sg4::Mutex> lock(*mutex_);
  for (;;) {
    const double t = now();
    admit_arrivals(t);
    end_trace_jobs(t);
    if (!gave_up_.empty())
      break;
    dispatch(t);
    grow_jobs();
    drop_stale_ends();
    while (!switch_deadlines_.empty() && switch_deadlines_.top() <= t) // looked again at them now
      switch_deadlines_.pop();
    if (all_done())
      break;
    const double wake = next_wake_s();
    // Events for fast-forwarding: the next moment a waiting training job may start (or a running
    // one grow, or be preempted), and the next a trace job's load on the fabric may start or stop.
    const bool may_start = training_waiting() || growth_possible();
    coordinator_.set_external_event(training_preemptible() || (may_start && priorities_move())
                                        ? wake
                                        : std::min(may_start ? next_start_chance_s() : kNever,
                                                   next_load_change_s(t, wake)));
    if (!woken_) {
      if (wake == kNever)
        wake_->wait(lock);
      else
        wake_->wait_until(lock, wake);
    }
    woken_ = false;
  }
  coordinator_.set_external_event(kNever);
}

void ClusterScheduler::end_trace_jobs(double t)
{
  // Stretched runs whose loads have done their work. One that did before its traced end (a
  // frozen load's pace, counted, is off by rounding) ends at that end, which is still queued.
  for (const End& e : loads_done_) {
    Record& r = records_[e.id];
    if (r.run != e.run || running_.count(e.id) == 0 || e.at_s < r.end_s)
      continue;
    r.end_s = e.at_s;
    trace_ends_.push(e);
  }
  loads_done_.clear();
  for (drop_stale_ends(); gave_up_.empty() && !trace_ends_.empty() && trace_ends_.top().at_s <= t; drop_stale_ends()) {
    const End e = trace_ends_.top();
    trace_ends_.pop();
    if (e.kind == EventKind::Demote) { // nothing ends: the job's level falls, which the next dispatch sees
      schedule_demotion(e.id, t);
      continue;
    }
    if (e.kind == EventKind::Failure) {
      fail_in_place(e.id, t);
      continue;
    }
    if (e.kind == EventKind::Detected) {
      restart_in_place(e.id, t);
      continue;
    }
    if (e.kind == EventKind::Maintenance) {
      pause_for_maintenance(e.id, t);
      continue;
    }
    if (e.kind == EventKind::Promote) {
      Record& p = records_[e.id];
      p.held_at_promotion_s = p.held_s;
      ++p.promotions;
      for (QueuedJob& q : queue_)
        if (q.id == e.id)
          q.level = 0;
      continue;
    }
    const int id = e.id;
    Record& r = records_[id];
    // A stretched run ends when its load has done its work (load_done): at its traced end only
    // if the load is there too, give or take its flows' latency. Its traced end, not a few
    // microseconds after it, keeps its order with the trace's events of the same second.
    constexpr double kStretchSlackS = 1e-3;
    if (r.stretched && traffic_->remaining_work_s(id) > kStretchSlackS)
      continue;
    if (r.stretched)
      r.contention_s += std::max(0.0, r.end_s - r.run_start_s - r.run_overhead_s - r.remaining_s);
    r.held_s += r.end_s - r.run_start_s;
    charge_lost(r, r.run_overhead_s, r.run_after); // this last run's restart too
    release(id);
    ++r.run; // its other events no longer hold (a stretched run has two ends)
    submit_followers(id, t);
  }
}

void ClusterScheduler::dispatch(double t)
{
  requeue_preempted(); // training jobs suspended since the last dispatch
  // A backfill cycle is due (Slurm's bf_interval; always, without one): it runs now, or had
  // nothing to start if the cluster is full.
  const bool backfill_cycle = backfill_interval_s_ <= 0 || t >= next_backfill_s_;
  if (backfill_cycle) {
    next_backfill_s_ = t + backfill_interval_s_;
    backfill_pending_ = false;
  }
  // A full cluster starts nothing (unless lent GPUs may be taken back): skip offering a queue
  // that may hold thousands of jobs.
  if (queue_.empty() || (allocator_.free_gpus() == 0 && !(preemption_.enabled && preemptible_gpus() > 0)))
    return;
  reclaim_failed_.clear();
  preemption_order_valid_ = false;
  if (tracks_usage_ || multifactor_) // each waiting job carries its priority now
    set_priorities(t);
  struct Starter final : JobStarter {
    ClusterScheduler& scheduler;
    double t;
    int started = 0;
    Starter(ClusterScheduler& s, double now) : scheduler(s), t(now) {}
    bool try_start(const QueuedJob& job) override { return start(job, nullptr); }
    bool try_start_avoiding(const QueuedJob& job, const Placement& reserved) override { return start(job, &reserved); }
    const Placement* try_start_on(const QueuedJob& job, const std::vector<std::uint8_t>& allowed) override
    {
      return start(job, nullptr, &allowed) ? &*scheduler.records_[job.id].placement : nullptr;
    }
    bool start(const QueuedJob& job, const Placement* reserved, const std::vector<std::uint8_t>* allowed = nullptr)
    {
      const bool ok = scheduler.try_start(job, t, reserved, allowed);
      started += ok ? 1 : 0;
      return ok;
    }
    std::vector<int> reserve_nodes(const std::vector<double>& free_at, int count) const override
    {
      return scheduler.allocator_.policy().reserve(free_at, count);
    }
    int gpus_per_node() const override { return scheduler.gpus_per_node_; }
    int total_gpus() const override { return scheduler.allocator_.total_gpus(); }
    int free_gpus() const override { return scheduler.available_gpus(); }
    double now_s() const override { return t; }
    std::vector<RunningJob> running() const override { return scheduler.running_jobs(); }
  } starter(*this, t);
  if (!quotas_ && !backfill_cycle) {
    // Between backfill cycles: strictly in order, and a cycle when it is due.
    policy_->dispatch_strictly(queue_, starter);
    backfill_pending_ = true;
  } else if (!quotas_) {
    reclaiming_ = las_ && preemption_.enabled;
    policy_->dispatch(queue_, starter);
    reclaiming_ = false;
  } else {
    offer_within_quotas(starter);
    requeue_preempted();
    if (borrowing_ && allocator_.free_gpus() > 0) {
      // What the jobs within quota could not use goes to the rest, in the policy's order.
      lending_now_ = true;
      policy_->dispatch(waiting_jobs(false), starter);
      lending_now_ = false;
    }
  }
  if (starter.started > 0)
    queue_.erase(std::remove_if(queue_.begin(), queue_.end(),
                                [&](const QueuedJob& j) { return started_[j.id] != 0; }),
                 queue_.end());
  requeue_preempted();
}

bool ClusterScheduler::try_start(const QueuedJob& job, double t, const Placement* reserved,
                                 const std::vector<std::uint8_t>* allowed)
{
  Record& r = records_[job.id];
  const bool over_quota = !within_quota(job);
  if (over_quota && !lending_now_)
    return false;
  r.placement = allocator_.allocate(r.gpus, reserved, allowed);
  // A moldable training job (min_gpus) takes the largest of its sizes that is free now.
  for (size_t k = 1; !r.placement && r.training && k < r.sizes.size(); ++k)
    if ((r.placement = allocator_.allocate(r.sizes[k], reserved, allowed)))
      r.gpus = r.sizes[k];
  if (r.placement && !within_switches(job.id, *r.placement, t)) {
    allocator_.release(*r.placement);
    r.placement.reset();
  }
  if (!r.placement && reclaiming_ && !over_quota && !allowed)
    r.placement = reclaim(job, t, reserved);
  if (!r.placement)
    return false;
  ++starts_;
  charge_usage(t);
  if (r.start_s < 0) // its first start; later ones are resumptions
    r.start_s = t;
  else
    r.requeued_wait_s += t - r.preempted_s;
  r.borrowed = over_quota;
  r.ever_borrowed = r.ever_borrowed || over_quota;
  if (r.group >= 0)
    group_used_[r.group] += r.gpus;
  started_[job.id] = 1;
  running_.insert(job.id);
  running_gpus_ += r.gpus;
  if (over_quota)
    lent_gpus_ += r.gpus;
  if (r.training) {
    ++running_training_;
    --training_not_started_;
    r.run_start_s = t;
    start_training_(job.id, *r.placement);
    if (las_)
      schedule_demotion(job.id, t);
  } else {
    begin_run(job.id, t, r.preemptions > 0 ? preemption_.restart_s : 0, Interruption::Preemption);
    if (traffic_ && !traffic_->stretches()) // a stretched load starts with the run
      traffic_->start(job.id, *r.placement, r.gradient_bytes, r.traffic_iteration_s);
  }
  return true;
}

bool ClusterScheduler::within_switches(int id, const Placement& placement, double t)
{
  Record& r = records_[id];
  if (!r.switches.set())
    return true;
  const std::vector<int> nodes = placement.nodes();
  if (nodes.size() < 2 || locality_.blocks_spanned(nodes) <= r.switches.count)
    return true;
  // The wait counts from the first time it could have started on more leaves (Slurm's
  // wait4switch_start), not from its submission: a job long queued still waits.
  if (!r.switch_held) {
    r.switch_held = true;
    r.switch_deadline_s = t + r.switches.wait_s;
    switch_deadlines_.push(r.switch_deadline_s);
  }
  if (t >= r.switch_deadline_s) { // it has waited enough: any nodes will do
    r.switch_expired = true;
    return true;
  }
  return false;
}

std::vector<RunningJob> ClusterScheduler::running_jobs() const
{
  std::vector<RunningJob> out;
  out.reserve(running_.size());
  for (int id : running_) {
    const Record& r = records_[id];
    // A trace job is expected to run its estimate (less the work an earlier run saved).
    double expected_s = r.run_start_s + r.run_overhead_s + std::max(0.0, r.estimate_s - (r.duration_s - r.remaining_s));
    if (r.stretched) // behind its load, it cannot end sooner than this
      expected_s = std::max(expected_s, std::max(now(), r.run_start_s + r.run_overhead_s) + traffic_->remaining_work_s(id));
    out.push_back({r.training ? expected_end_(id) : expected_s, &*r.placement});
  }
  return out;
}

double ClusterScheduler::next_wake_s() const
{
  double wake = next_arrival_ < arrivals_.size() ? records_[arrivals_[next_arrival_]].submit_s : kNever;
  if (!late_arrivals_.empty())
    wake = std::min(wake, late_arrivals_.begin()->first);
  return std::min(wake, next_start_chance_s());
}

bool ClusterScheduler::training_waiting() const { return training_not_started_ > 0; }

bool ClusterScheduler::all_done() const
{
  return queue_.empty() && next_arrival_ == arrivals_.size() && late_arrivals_.empty() && held_back_ == 0 &&
         trace_ends_.empty() && running_training_ == 0 && running_.empty(); // a stretched run has no End yet
}

} // namespace dcsim
