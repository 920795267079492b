#include "energy/power_model.hpp"

namespace dcsim {

NodePower resolve_node_power(const PowerConfig& config, const GpuSpec& gpu, int gpus_per_node)
{
  NodePower p;
  p.gpus = gpus_per_node;
  p.gpu_busy_w = config.gpu_busy_watts > 0 ? config.gpu_busy_watts : gpu.tdp_watts;
  p.gpu_idle_w = config.gpu_idle_watts > 0 ? config.gpu_idle_watts : kGpuIdleFractionOfTdp * gpu.tdp_watts;
  p.gpu_memory_bound_w = config.gpu_memory_bound_watts > 0
                             ? config.gpu_memory_bound_watts
                             : p.gpu_idle_w + kMemoryBoundShareOfActive * (p.gpu_busy_w - p.gpu_idle_w);
  p.gpu_communicating_w = config.gpu_communicating_watts > 0
                              ? config.gpu_communicating_watts
                              : p.gpu_idle_w + kCommunicatingShareOfActive * (p.gpu_busy_w - p.gpu_idle_w);
  p.node_other_w =
      config.node_other_watts > 0 ? config.node_other_watts : kNodeOtherPerGpuTdp * gpus_per_node * gpu.tdp_watts;
  return p;
}

double switch_watts(const PowerConfig& config)
{
  return config.switch_watts >= 0 ? config.switch_watts : kDefaultSwitchWatts;
}

double storage_server_watts(const PowerConfig& config)
{
  return config.storage_server_watts >= 0 ? config.storage_server_watts : kDefaultStorageServerWatts;
}

double gpu_energy_j(const GpuStateTimes& t, const NodePower& p)
{
  return t.busy_s * p.gpu_busy_w + t.memory_bound_s * p.gpu_memory_bound_w +
         t.communicating_s * p.gpu_communicating_w + t.idle_s * p.gpu_idle_w;
}

double mean_gpu_watts(const GpuStateTimes& t, const NodePower& p)
{
  const double total = t.total_s();
  return total > 0 ? gpu_energy_j(t, p) / total : p.gpu_idle_w;
}

} // namespace dcsim
