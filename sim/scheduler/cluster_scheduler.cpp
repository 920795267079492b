#include "scheduler/cluster_scheduler.hpp"

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

namespace sg4 = simgrid::s4u;

namespace dcsim {

namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();

double now() { return sg4::Engine::get_clock(); }

double quantile(std::vector<double> values, double q)
{
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  const double at = q * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(at));
  const size_t hi = std::min(values.size() - 1, lo + 1);
  return values[lo] + (at - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

} // namespace

ClusterScheduler::ClusterScheduler(const ScenarioConfig& config, const NodeLocality& locality,
                                   SteadyStateCoordinator& coordinator, StartTraining start_training,
                                   ExpectedEnd expected_end)
    : policy_(scheduling_policy(config.scheduler.policy)), coordinator_(coordinator),
      start_training_(std::move(start_training)), expected_end_(std::move(expected_end)),
      allocator_(config.cluster.nodes, config.cluster.node.gpus, placement_policy(config.scheduler.placement), locality,
                 config.seed),
      gpus_per_node_(config.cluster.node.gpus)
{
  const auto add = [&](double submit_s, int gpus, bool training, double duration_s) {
    Record r;
    r.submit_s = submit_s, r.gpus = gpus, r.training = training, r.duration_s = duration_s;
    records_.push_back(r);
  };
  for (const JobConfig& job : config.jobs)
    add(job.start_time_s, job.gpus, true, 0);
  for (const TraceJob& job : config.scheduler.trace_jobs)
    add(job.submit_s, job.gpus, false, job.duration_s);
  started_.assign(records_.size(), 0);
  for (int id = 0; id < static_cast<int>(records_.size()); ++id) {
    if (records_[id].gpus > allocator_.total_gpus()) { // only trace jobs: the config checks training jobs
      ++rejected_;
      continue;
    }
    arrivals_.push_back(id);
  }
  std::stable_sort(arrivals_.begin(), arrivals_.end(),
                   [&](int a, int b) { return records_[a].submit_s < records_[b].submit_s; });
  training_not_started_ = static_cast<int>(config.jobs.size());
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
  allocator_.release(*r.placement);
  running_.erase(job);
  --running_training_;
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
    dispatch(t);
    if (all_done())
      break;
    const double wake = next_wake_s();
    // While a training job waits, the scheduler's next decision is an event for fast-forwarding.
    coordinator_.set_external_event(training_waiting() ? wake : kNever);
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

void ClusterScheduler::admit_arrivals(double t)
{
  for (; next_arrival_ < arrivals_.size() && records_[arrivals_[next_arrival_]].submit_s <= t; ++next_arrival_) {
    const int id = arrivals_[next_arrival_];
    const Record& r = records_[id];
    queue_.push_back({id, r.gpus, r.training ? kNever : r.duration_s});
  }
}

void ClusterScheduler::end_trace_jobs(double t)
{
  while (!trace_ends_.empty() && trace_ends_.top().first <= t) {
    const int id = trace_ends_.top().second;
    allocator_.release(*records_[id].placement);
    running_.erase(id);
    trace_ends_.pop();
  }
}

void ClusterScheduler::dispatch(double t)
{
  // A full cluster starts nothing: skip offering a queue that may hold thousands of jobs.
  if (queue_.empty() || allocator_.free_gpus() == 0)
    return;
  struct Starter final : JobStarter {
    ClusterScheduler& scheduler;
    double t;
    int started = 0;
    Starter(ClusterScheduler& s, double now) : scheduler(s), t(now) {}
    bool try_start(const QueuedJob& job) override { return start(job, nullptr); }
    bool try_start_avoiding(const QueuedJob& job, const Placement& reserved) override { return start(job, &reserved); }
    bool start(const QueuedJob& job, const Placement* reserved)
    {
      const bool ok = scheduler.try_start(job, t, reserved);
      started += ok ? 1 : 0;
      return ok;
    }
    std::vector<int> reserve_nodes(const std::vector<double>& free_at, int count) const override
    {
      return scheduler.allocator_.policy().reserve(free_at, count);
    }
    int gpus_per_node() const override { return scheduler.gpus_per_node_; }
    int total_gpus() const override { return scheduler.allocator_.total_gpus(); }
    int free_gpus() const override { return scheduler.allocator_.free_gpus(); }
    double now_s() const override { return t; }
    std::vector<RunningJob> running() const override { return scheduler.running_jobs(); }
  } starter(*this, t);
  policy_.dispatch(queue_, starter);
  if (starter.started > 0)
    queue_.erase(std::remove_if(queue_.begin(), queue_.end(),
                                [&](const QueuedJob& j) { return started_[j.id] != 0; }),
                 queue_.end());
}

bool ClusterScheduler::try_start(const QueuedJob& job, double t, const Placement* reserved)
{
  Record& r = records_[job.id];
  r.placement = allocator_.allocate(r.gpus, reserved);
  if (!r.placement)
    return false;
  r.start_s = t;
  started_[job.id] = 1;
  running_.insert(job.id);
  if (r.training) {
    ++running_training_;
    --training_not_started_;
    start_training_(job.id, *r.placement);
  } else {
    r.end_s = t + r.duration_s;
    trace_ends_.push({r.end_s, job.id});
  }
  return true;
}

std::vector<RunningJob> ClusterScheduler::running_jobs() const
{
  std::vector<RunningJob> out;
  out.reserve(running_.size());
  for (int id : running_) {
    const Record& r = records_[id];
    out.push_back({r.training ? expected_end_(id) : r.end_s, &*r.placement});
  }
  return out;
}

double ClusterScheduler::next_wake_s() const
{
  double wake = next_arrival_ < arrivals_.size() ? records_[arrivals_[next_arrival_]].submit_s : kNever;
  if (!trace_ends_.empty())
    wake = std::min(wake, trace_ends_.top().first);
  return wake;
}

bool ClusterScheduler::training_waiting() const { return training_not_started_ > 0; }

bool ClusterScheduler::all_done() const
{
  return queue_.empty() && next_arrival_ == arrivals_.size() && trace_ends_.empty() && running_training_ == 0;
}

SchedulerStats ClusterScheduler::stats() const
{
  SchedulerStats s;
  s.enabled = true;
  s.policy = policy_.name();
  s.placement = allocator_.policy().name();
  s.rejected_jobs = rejected_;
  std::vector<double> queue, jct;
  double small_wait_s = 0, large_wait_s = 0;
  double first_submit = kNever, last_end = 0, gpu_seconds = 0;
  for (const Record& r : records_) {
    if (r.start_s < 0 || r.end_s < 0)
      continue;
    ++s.jobs;
    (r.training ? s.training_jobs : s.trace_jobs) += 1;
    queue.push_back(r.start_s - r.submit_s);
    (r.gpus > gpus_per_node_ ? large_wait_s : small_wait_s) += queue.back();
    s.multi_node_jobs += r.gpus > gpus_per_node_ ? 1 : 0;
    jct.push_back(r.end_s - r.submit_s);
    first_submit = std::min(first_submit, r.submit_s);
    last_end = std::max(last_end, r.end_s);
    gpu_seconds += r.gpus * (r.end_s - r.start_s);
    if (!r.training)
      s.trace_gpu_seconds += r.gpus * (r.end_s - r.start_s);
  }
  if (s.jobs == 0)
    return s;
  for (double q : queue)
    s.mean_queue_s += q / static_cast<double>(queue.size());
  for (double j : jct)
    s.mean_jct_s += j / static_cast<double>(jct.size());
  const int small_jobs = s.jobs - s.multi_node_jobs;
  s.mean_queue_within_node_s = small_jobs > 0 ? small_wait_s / small_jobs : 0;
  s.mean_queue_multi_node_s = s.multi_node_jobs > 0 ? large_wait_s / s.multi_node_jobs : 0;
  s.median_queue_s = quantile(queue, 0.5);
  s.p95_queue_s = quantile(queue, 0.95);
  s.max_queue_s = *std::max_element(queue.begin(), queue.end());
  s.median_jct_s = quantile(jct, 0.5);
  s.makespan_s = last_end - first_submit;
  if (s.makespan_s > 0)
    s.gpu_utilization = gpu_seconds / (allocator_.total_gpus() * s.makespan_s);
  return s;
}

} // namespace dcsim
