#include "engine/trace_traffic.hpp"

#include "collectives/tuner.hpp"

#include <algorithm>

namespace dcsim {

TraceTraffic::TraceTraffic(const SchedulerConfig& scheduler, const Platform& platform,
                           const CommunicationParams& params, SteadyStateCoordinator& coordinator)
    : config_(scheduler.trace_traffic), platform_(platform), params_(params), coordinator_(coordinator)
{
  enabled_ = config_.enabled() || std::any_of(scheduler.trace_jobs.begin(), scheduler.trace_jobs.end(),
                                              [](const TraceJob& j) { return j.gradient_bytes > 0; });
}

void TraceTraffic::start(int id, const Placement& placement, double gradient_bytes, double iteration_s)
{
  const double gradient = gradient_bytes >= 0 ? gradient_bytes : config_.gradient_bytes;
  const double period = iteration_s > 0 ? iteration_s : config_.iteration_s;
  if (!enabled() || !(gradient > 0) || !(period > 0) || placement.nodes().size() < 2)
    return;
  CommPlan plan;
  append_collective(plan, placement.gpu_list(), {CollectiveKind::AllReduce, gradient, 1}, platform_, params_);
  SteadyLoad load = SteadyLoad::start(plan, period, platform_, params_);
  if (!load.running())
    return;
  loads_[id] = std::move(load);
  ++loaded_runs_;
  coordinator_.external_change();
}

void TraceTraffic::stop(int id)
{
  const auto it = loads_.find(id);
  if (it == loads_.end())
    return;
  it->second.stop();
  loads_.erase(it);
  coordinator_.external_change();
}

} // namespace dcsim
