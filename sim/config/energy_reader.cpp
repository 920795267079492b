// The scenario's `power` and `cost` sections.
#include "config/internal/readers.hpp"

namespace dcsim::internal {

PowerConfig read_power(MapReader& power)
{
  PowerConfig out;
  out.gpu_busy_watts = power.quantity("gpu_busy", Dimension::Watts, 0.0, true);
  out.gpu_memory_bound_watts = power.quantity("gpu_memory_bound", Dimension::Watts, 0.0, true);
  out.gpu_communicating_watts = power.quantity("gpu_communicating", Dimension::Watts, 0.0, true);
  out.gpu_idle_watts = power.quantity("gpu_idle", Dimension::Watts, 0.0, true);
  out.node_other_watts = power.quantity("node_other", Dimension::Watts, 0.0, true);
  out.switch_watts = power.quantity("switch", Dimension::Watts, -1.0, true);
  out.storage_server_watts = power.quantity("storage_server", Dimension::Watts, -1.0, true);
  // 1.0 is a facility with no overhead at all; the worst data centres surveyed stay under 3.
  out.pue = power.number("pue", 1.0, 1.0, 5.0);
  const bool busy_given = out.gpu_busy_watts > 0;
  if (busy_given && out.gpu_idle_watts > out.gpu_busy_watts)
    power.error("gpu_idle", "is " + plain_number(out.gpu_idle_watts) + " W, more than gpu_busy (" +
                                plain_number(out.gpu_busy_watts) + " W); expected an idle GPU to draw less");
  if (busy_given && out.gpu_memory_bound_watts > out.gpu_busy_watts)
    power.error("gpu_memory_bound", "is " + plain_number(out.gpu_memory_bound_watts) + " W, more than gpu_busy (" +
                                        plain_number(out.gpu_busy_watts) + " W); expected at most the busy power");
  if (busy_given && out.gpu_communicating_watts > out.gpu_busy_watts)
    power.error("gpu_communicating", "is " + plain_number(out.gpu_communicating_watts) +
                                         " W, more than gpu_busy (" + plain_number(out.gpu_busy_watts) +
                                         " W); expected at most the busy power");
  return out;
}

CostConfig read_cost(MapReader& cost)
{
  CostConfig out;
  out.usd_per_gpu_hour = cost.number("gpu_hour", 0.0, 0.0, 1e4);
  out.usd_per_kwh = cost.number("electricity", 0.0, 0.0, 100.0);
  out.gpu_capex_usd = cost.number("gpu_capex", 0.0, 0.0, 1e8);
  out.switch_capex_usd = cost.number("switch_capex", 0.0, 0.0, 1e9);
  out.cable_capex_usd = cost.number("cable_capex", 0.0, 0.0, 1e8);
  out.amortization_s = cost.quantity("amortization", Dimension::Seconds, 0.0, true);
  if (out.gpu_capex_usd > 0 && out.usd_per_gpu_hour > 0)
    cost.error("gpu_capex", "and gpu_hour are both given; expected one GPU-hour price: gpu_hour (e.g. a cloud "
                            "price), or gpu_capex with amortization");
  if (out.gpu_capex_usd > 0 && out.amortization_s <= 0)
    cost.error("gpu_capex", "needs a depreciation period; expected amortization, e.g. 4y");
  const char* network_key = out.switch_capex_usd > 0 ? "switch_capex" : "cable_capex";
  if (out.network_priced() && out.usd_per_gpu_hour > 0)
    cost.error(network_key, "prices the network an owner buys, and gpu_hour (a rental price) already includes it; "
                            "expected gpu_capex with amortization, or no network prices");
  else if (out.network_priced() && out.amortization_s <= 0)
    cost.error(network_key, "needs a depreciation period; expected amortization, e.g. 4y");
  if (out.amortization_s > 0 && out.gpu_capex_usd <= 0 && !out.network_priced())
    cost.error("amortization", "has no purchase price to spread; expected gpu_capex (USD per GPU) beside it");
  return out;
}

} // namespace dcsim::internal
