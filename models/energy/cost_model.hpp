// What a stretch of GPU time costs: the GPUs' allocation (a price per GPU-hour, given or
// amortized from the purchase price), the network's share when its switches and cables are
// priced (amortized like the GPUs, spread evenly over the cluster's GPUs), plus electricity on
// the facility's energy.
#pragma once

#include "config/scenario_config.hpp"

namespace dcsim {

struct Cost {
  double gpu_hours = 0;
  double allocation_usd = 0;  ///< gpu_hours x the GPU-hour price
  double network_usd = 0;     ///< gpu_hours x the network's amortized price per GPU-hour
  double electricity_usd = 0; ///< facility kWh x the electricity price

  double total_usd() const { return allocation_usd + network_usd + electricity_usd; }
};

/// What the fabric a cluster's GPUs share is made of, for its price.
struct NetworkInventory {
  int switches = 0;
  int cables = 0; ///< Fabric::network_cable_count
  int gpus = 0;   ///< the cluster's, among which its price is spread
};

/// The GPU-hour price: `usd_per_gpu_hour`, or the purchase price spread evenly over the
/// amortization period (straight-line depreciation, every hour of it billed).
double usd_per_gpu_hour(const CostConfig& config);

/// The network's purchase price (switches and cables) spread over the amortization period and
/// the cluster's GPUs: what one GPU-hour owes the fabric. 0 when the network is not priced.
double network_usd_per_gpu_hour(const CostConfig& config, const NetworkInventory& network);

Cost cost_of(const CostConfig& config, double gpu_hours, double facility_energy_j, const NetworkInventory& network = {});

} // namespace dcsim
