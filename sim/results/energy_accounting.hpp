// Energy and cost of a finished simulation, from the times the engine measured.
//
// A job's GPUs draw, while it trains, the mean of its pipeline ranks' steady-iteration state mix
// (models/energy/power_model.hpp: compute kernels busy, memory-bound kernels and the optimizer
// step at the memory-bound power, exposed communication and waits for pipeline messages
// communicating, the rest of the bubble idle); the warm-up iterations and
// work later lost to failures count as training too. Checkpoint writes and restarts leave the
// GPUs idle. The rest of each node is charged to its jobs by GPU share. The cluster adds the
// GPUs of a scheduler's trace jobs (busy: the trace does not say what they ran), its GPUs
// outside jobs (idle), whole nodes, switches and storage servers over the simulated time,
// from 0 to the last job's end. Steady-state fast-forwarding does not change any of this: it
// replays the iteration whose breakdown is used.
#pragma once

#include "config/scenario_config.hpp"
#include "energy/cost_model.hpp"
#include "results/simulation_result.hpp"

namespace dcsim {

/// Fills `result.energy` and every job's `energy`. `network_switches`, `network_cables` and
/// `storage_servers` are the fabric's counts.
void account_energy(SimulationResult& result, const ScenarioConfig& config, int network_switches, int network_cables,
                    int storage_servers);

} // namespace dcsim
