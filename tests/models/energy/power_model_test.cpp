// The power state model's defaults and arithmetic, and the cost model's.
#include "energy/cost_model.hpp"
#include "energy/power_model.hpp"

#include <catch2/catch.hpp>

using namespace dcsim;

namespace {
GpuSpec h100()
{
  GpuSpec gpu;
  gpu.name = "H100-SXM-80GB";
  gpu.tdp_watts = 700;
  return gpu;
}
} // namespace

TEST_CASE("energy: defaults come from the GPU's TDP (busy at the cap, idle 11%, rest of an 8-GPU node 2.8 kW)")
{
  const NodePower p = resolve_node_power(PowerConfig{}, h100(), 8);
  CHECK(p.gpu_busy_w == 700);
  CHECK(p.gpu_idle_w == Approx(77));
  CHECK(p.gpu_communicating_w == Approx(77 + 0.25 * (700 - 77)));
  // Memory-bound kernels: the measured H200's HBM copy over its GEMMs, above idle (409 W, 689 W,
  // 78.7 W): 54.1% of the way from idle to busy, 414 W on a 700 W GPU.
  CHECK(p.gpu_memory_bound_w == Approx(77 + (409 - 78.7) / (689 - 78.7) * (700 - 77)).epsilon(1e-12));
  CHECK(p.gpu_memory_bound_w == Approx(414.2).epsilon(1e-3));
  CHECK(p.node_other_w == Approx(2800));
  // Every GPU busy: 8.4 kW, Latif et al.'s measured maximum for a training HGX H100 node (8.48 kW).
  CHECK(8 * p.gpu_busy_w + p.node_other_w == Approx(8480).epsilon(0.01));
  CHECK(switch_watts(PowerConfig{}) == kDefaultSwitchWatts);
}

TEST_CASE("energy: given values replace the defaults; a derived communicating power follows them")
{
  PowerConfig config;
  config.gpu_busy_watts = 600;
  config.gpu_idle_watts = 100;
  config.node_other_watts = 1500;
  config.switch_watts = 0; // not counted
  const NodePower p = resolve_node_power(config, h100(), 4);
  CHECK(p.gpu_busy_w == 600);
  CHECK(p.gpu_idle_w == 100);
  CHECK(p.gpu_communicating_w == Approx(225));
  CHECK(p.gpu_memory_bound_w == Approx(100 + kMemoryBoundShareOfActive * 500));
  CHECK(p.node_other_w == 1500);
  CHECK(p.other_per_gpu_w() == Approx(375));
  CHECK(switch_watts(config) == 0);
}

TEST_CASE("energy: a GPU's energy is the sum of its states' time x power")
{
  PowerConfig config;
  config.gpu_memory_bound_watts = 400;
  const NodePower p = resolve_node_power(config, h100(), 8);
  CHECK(p.gpu_memory_bound_w == 400);
  GpuStateTimes t;
  t.busy_s = 2.0;
  t.memory_bound_s = 0.25;
  t.communicating_s = 0.5;
  t.idle_s = 1.5;
  const double expected = 2.0 * 700 + 0.25 * 400 + 0.5 * p.gpu_communicating_w + 1.5 * 77;
  CHECK(gpu_energy_j(t, p) == Approx(expected).epsilon(1e-12));
  CHECK(mean_gpu_watts(t, p) == Approx(expected / 4.25).epsilon(1e-12));
  CHECK(mean_gpu_watts(GpuStateTimes{}, p) == Approx(77)); // nothing to do: idle
}

TEST_CASE("cost: a given GPU-hour price, or the purchase price spread over its amortization")
{
  CostConfig rent;
  rent.usd_per_gpu_hour = 2.5;
  rent.usd_per_kwh = 0.1;
  const Cost c = cost_of(rent, 1000, 3.6e9); // 1000 GPU-hours, 1 MWh
  CHECK(c.allocation_usd == Approx(2500));
  CHECK(c.electricity_usd == Approx(100));
  CHECK(c.total_usd() == Approx(2600));

  CostConfig own;
  own.gpu_capex_usd = 35040;
  own.amortization_s = 4 * 365 * 86400.0; // 35,040 hours
  CHECK(usd_per_gpu_hour(own) == Approx(1.0));
  CHECK(cost_of(own, 10, 0).allocation_usd == Approx(10));
  CHECK(usd_per_gpu_hour(CostConfig{}) == 0);
}

TEST_CASE("cost: the network's switches and cables, amortized, spread over the cluster's GPUs")
{
  CostConfig own;
  own.gpu_capex_usd = 35040;
  own.switch_capex_usd = 40000;
  own.cable_capex_usd = 1000;
  own.amortization_s = 4 * 365 * 86400.0; // 35,040 hours
  // 64 switches and 2,048 cables for 1,024 GPUs: $4.608M, $131.5 an hour, 12.84 cents per GPU-hour.
  const NetworkInventory fabric{64, 2048, 1024};
  const double per_gpu_hour = (64 * 40000.0 + 2048 * 1000.0) / 35040.0 / 1024;
  CHECK(network_usd_per_gpu_hour(own, fabric) == Approx(per_gpu_hour).epsilon(1e-12));
  const Cost c = cost_of(own, 10, 0, fabric);
  CHECK(c.allocation_usd == Approx(10));
  CHECK(c.network_usd == Approx(10 * per_gpu_hour).epsilon(1e-12));
  CHECK(c.total_usd() == Approx(10 + 10 * per_gpu_hour).epsilon(1e-12));
  // Unpriced, or without a cluster: nothing.
  CHECK(network_usd_per_gpu_hour(CostConfig{}, fabric) == 0);
  CHECK(cost_of(own, 10, 0).network_usd == 0);
}
