#include "collectives/comm_plan.hpp"

#include "platform/platform.hpp"

#include <simgrid/s4u/Actor.hpp>

#include <algorithm>
#include <cmath>

namespace sg4 = simgrid::s4u;

namespace dcsim {

void CommPlan::add_flow(int src, int dst, double bytes)
{
  const std::uint64_t key = (static_cast<std::uint64_t>(src) << 32) | static_cast<std::uint32_t>(dst);
  const auto [it, inserted] = index_.emplace(key, flows.size());
  if (inserted)
    flows.push_back({src, dst, bytes});
  else
    flows[it->second].bytes += bytes;
}

void CommPlan::merge_concurrent(const CommPlan& other)
{
  for (const auto& f : other.flows)
    add_flow(f.src, f.dst, f.bytes);
  latency_s = std::max(latency_s, other.latency_s);
}

void PendingComm::wait()
{
  if (!comms_.empty())
    sg4::Comm::wait_all(comms_);
  comms_.clear();
  if (latency_s_ > 0)
    sg4::this_actor::sleep_for(latency_s_);
  latency_s_ = 0;
}

PendingComm start_flows(const CommPlan& plan, const Platform& platform, const CommunicationParams& params)
{
  std::vector<sg4::CommPtr> comms;
  comms.reserve(plan.flows.size());
  for (const auto& f : plan.flows) {
    if (f.src == f.dst || f.bytes <= 0)
      continue;
    const double efficiency = platform.same_node(f.src, f.dst) ? params.scale_up_efficiency
                                                               : params.scale_out_efficiency;
    const auto wire_bytes = static_cast<std::uint64_t>(std::ceil(f.bytes / efficiency));
    comms.push_back(sg4::Comm::sendto_async(platform.gpu_host(f.src), platform.gpu_host(f.dst), wire_bytes));
  }
  return PendingComm(std::move(comms), plan.latency_s);
}

} // namespace dcsim
