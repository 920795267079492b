// What failures, checkpoints and maintenance cost the whole cluster: the training jobs'
// reliability figures and the scheduler's trace jobs', in GPU-hours, and the failures by cause
// summed over every job. For capacity planning: one number per kind of loss.
#pragma once

#include "config/scenario_config.hpp"
#include "results/simulation_result.hpp"

namespace dcsim {

/// Fills result.reliability from its jobs and scheduler statistics (enabled when the scenario has
/// failures, maintenance or checkpoints).
void summarize_reliability(SimulationResult& result, const ScenarioConfig& config);

} // namespace dcsim
