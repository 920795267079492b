// What a stretch of GPU time costs: the GPUs' allocation (a price per GPU-hour, given or
// amortized from the purchase price) plus electricity on the facility's energy.
#pragma once

#include "config/scenario_config.hpp"

namespace dcsim {

struct Cost {
  double gpu_hours = 0;
  double allocation_usd = 0;  ///< gpu_hours x the GPU-hour price
  double electricity_usd = 0; ///< facility kWh x the electricity price

  double total_usd() const { return allocation_usd + electricity_usd; }
};

/// The GPU-hour price: `usd_per_gpu_hour`, or the purchase price spread evenly over the
/// amortization period (straight-line depreciation, every hour of it billed).
double usd_per_gpu_hour(const CostConfig& config);

Cost cost_of(const CostConfig& config, double gpu_hours, double facility_energy_j);

} // namespace dcsim
