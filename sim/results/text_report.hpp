// The human-readable summary `dcsim run` prints.
#pragma once

#include "config/scenario_config.hpp"
#include "results/simulation_result.hpp"

#include <string>

namespace dcsim {

std::string text_summary(const ScenarioConfig& config, const SimulationResult& result);

} // namespace dcsim
