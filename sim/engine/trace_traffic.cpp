#include "engine/trace_traffic.hpp"

#include "collectives/tuner.hpp"

#include <algorithm>

namespace dcsim {

TraceTraffic::TraceTraffic(const TraceTrafficConfig& config, const Platform& platform,
                           const CommunicationParams& params, SteadyStateCoordinator& coordinator)
    : config_(config), platform_(platform), params_(params), coordinator_(coordinator)
{
}

void TraceTraffic::start(int id, const Placement& placement)
{
  if (!enabled() || placement.nodes().size() < 2)
    return;
  CommPlan plan;
  append_collective(plan, placement.gpu_list(), {CollectiveKind::AllReduce, config_.gradient_bytes, 1}, platform_,
                    params_);
  SteadyLoad load = SteadyLoad::start(plan, config_.iteration_s, platform_, params_);
  if (!load.running())
    return;
  loads_[id] = std::move(load);
  loaded_ids_.push_back(id);
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
  loaded_ids_.erase(std::find(loaded_ids_.begin(), loaded_ids_.end(), id));
  coordinator_.external_change();
}

} // namespace dcsim
