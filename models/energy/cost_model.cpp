#include "energy/cost_model.hpp"

namespace dcsim {

double usd_per_gpu_hour(const CostConfig& config)
{
  if (config.usd_per_gpu_hour > 0)
    return config.usd_per_gpu_hour;
  if (config.gpu_capex_usd > 0 && config.amortization_s > 0)
    return config.gpu_capex_usd / (config.amortization_s / 3600.0);
  return 0;
}

double network_usd_per_gpu_hour(const CostConfig& config, const NetworkInventory& network)
{
  if (!config.network_priced() || config.amortization_s <= 0 || network.gpus <= 0)
    return 0;
  const double capex = network.switches * config.switch_capex_usd + network.cables * config.cable_capex_usd;
  return capex / (config.amortization_s / 3600.0) / network.gpus;
}

Cost cost_of(const CostConfig& config, double gpu_hours, double facility_energy_j, const NetworkInventory& network)
{
  constexpr double kJoulesPerKwh = 3.6e6;
  Cost c;
  c.gpu_hours = gpu_hours;
  c.allocation_usd = gpu_hours * usd_per_gpu_hour(config);
  c.network_usd = gpu_hours * network_usd_per_gpu_hour(config, network);
  c.electricity_usd = facility_energy_j / kJoulesPerKwh * config.usd_per_kwh;
  return c;
}

} // namespace dcsim
