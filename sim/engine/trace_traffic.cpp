#include "engine/trace_traffic.hpp"

#include "collectives/helper_actor.hpp"
#include "collectives/tuner.hpp"
#include "engine/job_traffic.hpp"
#include "platform/platform.hpp"

#include <simgrid/s4u/Engine.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace sg4 = simgrid::s4u;

namespace dcsim {

namespace {
constexpr double kInfinity = std::numeric_limits<double>::infinity();
} // namespace

TraceTraffic::TraceTraffic(const SchedulerConfig& scheduler, const Platform& platform,
                           const CommunicationParams& params, SteadyStateCoordinator& coordinator)
    : config_(scheduler.trace_traffic), platform_(platform), params_(params), coordinator_(coordinator)
{
  enabled_ = config_.enabled() || std::any_of(scheduler.trace_jobs.begin(), scheduler.trace_jobs.end(),
                                              [](const TraceJob& j) { return j.gradient_bytes > 0; });
  if (enabled_ && config_.stretch)
    coordinator_.set_listener(this);
}

bool TraceTraffic::start(int id, const Placement& placement, double gradient_bytes, double iteration_s,
                         const LoadWork* work)
{
  const double gradient = gradient_bytes >= 0 ? gradient_bytes : config_.gradient_bytes;
  const double period = iteration_s > 0 ? iteration_s : config_.iteration_s;
  if (!enabled() || !(gradient > 0) || !(period > 0) || placement.nodes().size() < 2)
    return false;
  CommPlan plan;
  append_collective(plan, placement.gpu_list(), {CollectiveKind::AllReduce, gradient, 1}, platform_, params_);
  SteadyLoad load = SteadyLoad::start(plan, period, platform_, params_, work);
  if (!load.running())
    return false;
  loads_[id] = std::move(load);
  if (work)
    works_[id] = *work;
  started_s_[id] = sg4::Engine::get_clock();
  ++loaded_runs_;
  coordinator_.external_change();
  return true;
}

void TraceTraffic::stop(int id)
{
  const auto it = loads_.find(id);
  if (it == loads_.end())
    return;
  record_use(id, sg4::Engine::get_clock());
  it->second.stop();
  loads_.erase(it);
  works_.erase(id);
  frozen_.erase(id);
  started_s_.erase(id);
  coordinator_.external_change();
}

void TraceTraffic::finish(double now_s)
{
  std::vector<int> running;
  for (const auto& [id, load] : loads_)
    running.push_back(id);
  std::sort(running.begin(), running.end()); // the same order every run
  for (int id : running)
    record_use(id, now_s);
  started_s_.clear();
}

void TraceTraffic::record_use(int id, double now_s)
{
  const SteadyLoad& load = loads_.at(id);
  const LoadFlows& flows = load.load_flows();
  std::vector<double> moved;
  const auto work = works_.find(id);
  if (work == works_.end()) {
    moved = load.bytes_moved();
  } else { // its work done: what its flows were given less what they have left
    const auto frozen = frozen_.find(id);
    const std::vector<double> left = frozen == frozen_.end() ? load.bytes_left() : frozen->second.now_left(now_s);
    moved.assign(flows.flows.size(), 0.0);
    for (std::size_t i = 0; i < left.size() && i < moved.size(); ++i)
      moved[i] = std::max(0.0, flows.caps_bytes_per_s[i] * std::max(0.0, work->second.work_s) - left[i]);
  }
  const std::vector<double> rates = route_wire_flows(flows.flows, flows.caps_bytes_per_s, platform_);
  FabricUse use = make_fabric_use(started_s_.at(id), now_s, rates, route_wire_flows(flows.flows, moved, platform_));
  use.source = TrafficSource::TraceJobs;
  uses_.push_back(std::move(use));
}

std::vector<double> TraceTraffic::Frozen::now_left(double now_s) const
{
  std::vector<double> left(bytes_left.size());
  for (std::size_t i = 0; i < left.size(); ++i)
    left[i] = std::max(0.0, bytes_left[i] - bytes_per_s[i] * (now_s - at_s));
  return left;
}

double TraceTraffic::remaining_work_s(int id) const
{
  const auto it = loads_.find(id);
  if (it == loads_.end())
    return 0;
  const auto frozen = frozen_.find(id);
  if (frozen == frozen_.end())
    return it->second.remaining_work_s();
  return it->second.load_flows().work_left_s(frozen->second.now_left(sg4::Engine::get_clock()));
}

void TraceTraffic::iteration_boundary(int job, double now_s)
{
  std::deque<Sample>& history = samples_[job];
  if (history.size() > SteadyStateCoordinator::kDriftIterations)
    history.pop_front();
  Sample& last = history.emplace_back(Sample{now_s, {}});
  for (const auto& [id, load] : loads_)
    if (load.flowing())
      last.bytes_left[id] = load.bytes_left();
}

double TraceTraffic::window_limit_s(int job, double now_s, double iteration_s)
{
  paces_.clear();
  if (loads_.empty())
    return kInfinity;
  // The paces come from the iterations the job's steady time stands for: its last one (a job
  // alone), or the mean of its last kDriftIterations (beside other jobs). Every load must have
  // spent them flowing.
  const std::deque<Sample>& history = samples_[job];
  if (!frozen_.empty() || history.size() < 2 || history.back().at_s != now_s)
    return now_s;
  const Sample& last = history.back();
  const auto spans = [&](const Sample& s, int n) { return std::fabs(now_s - s.at_s - n * iteration_s) <= 1e-6 * n * iteration_s; };
  const int n = SteadyStateCoordinator::kDriftIterations;
  const Sample* first = spans(history[history.size() - 2], 1) ? &history[history.size() - 2]
                        : history.size() > static_cast<std::size_t>(n) && spans(history[history.size() - 1 - n], n)
                            ? &history[history.size() - 1 - n]
                            : nullptr;
  if (!first)
    return now_s;
  const Sample& previous = *first;
  const double dt = now_s - previous.at_s;
  double limit = kInfinity;
  for (const auto& [id, load] : loads_) {
    const auto before = previous.bytes_left.find(id);
    const auto after = last.bytes_left.find(id);
    if (before == previous.bytes_left.end() || after == last.bytes_left.end())
      return now_s;
    // The window ends before any flow would arrive: the others would then go faster.
    std::vector<double>& pace = paces_[id];
    for (std::size_t i = 0; i < after->second.size(); ++i) {
      pace.push_back(std::max(0.0, (before->second[i] - after->second[i]) / dt));
      if (after->second[i] > 0 && pace.back() > 0)
        limit = std::min(limit, now_s + after->second[i] / pace.back());
    }
  }
  return limit;
}

void TraceTraffic::window_opened(double now_s, double wake_s)
{
  if (paces_.empty())
    return;
  for (auto& [id, pace] : paces_) {
    SteadyLoad& load = loads_.at(id);
    frozen_[id] = Frozen{load.bytes_left(), std::move(pace), now_s};
    load.stop();
  }
  paces_.clear();
  // Back on the network when the job that opened the window wakes (its flows with it).
  helper_actor("stretched-loads-thaw", platform_.gpu_host(0), [this, wake_s] {
    sg4::this_actor::sleep_until(wake_s);
    thaw(wake_s);
  })->daemonize();
}

void TraceTraffic::thaw(double now_s)
{
  for (const auto& [id, frozen] : frozen_) {
    SteadyLoad& load = loads_.at(id);
    LoadWork work = works_.at(id);
    work.delay_s = 0;
    load = SteadyLoad::resume(load.load_flows(), platform_, work, frozen.now_left(now_s));
  }
  frozen_.clear();
}

} // namespace dcsim
