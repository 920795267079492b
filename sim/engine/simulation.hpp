// One simulation of a scenario: the SimGrid engine, the platform, every job, and their results.
//
// SimGrid keeps global state: run at most one Simulation per process (see isolation.hpp to run
// several from one process, as tests and sweeps do).
#pragma once

#include "config/scenario_config.hpp"
#include "results/simulation_result.hpp"

namespace dcsim {

struct SimulationOptions {
  bool record_trace = false; ///< collect per-pass events for --trace
  bool fast_forward = true;  ///< skip steady-state iterations (off: simulate every iteration)
  bool solo_phases = true;   ///< undisturbed large phases as timers (off: every flow simulated, for checking)
  bool reuse_runs = true;    ///< later runs of a job take its first run's iterations (engine/run_memo.hpp)
};

SimulationResult simulate(const ScenarioConfig& config, const SimulationOptions& options = {});

} // namespace dcsim
