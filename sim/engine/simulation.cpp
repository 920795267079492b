#include "engine/simulation.hpp"

#include "engine/engine_options.hpp"
#include "engine/job_runner.hpp"
#include "platform/platform.hpp"
#include "results/energy_accounting.hpp"

#include <simgrid/s4u/Engine.hpp>

#include <chrono>
#include <stdexcept>

namespace sg4 = simgrid::s4u;

namespace dcsim {

SimulationResult simulate(const ScenarioConfig& config, const SimulationOptions& options)
{
  const auto wall_start = std::chrono::steady_clock::now();
  SimulationResult result;
  result.scenario = config.name;
  result.seed = config.seed;

  auto engine = make_engine();
  Platform platform(config.cluster, config.seed);
  result.fabric = platform.fabric().describe();
  SteadyStateCoordinator coordinator(options.fast_forward);
  std::vector<std::unique_ptr<JobRunner>> runners;
  int next_gpu = 0;
  for (size_t i = 0; i < config.jobs.size(); ++i) {
    runners.push_back(std::make_unique<JobRunner>(config.jobs[i], static_cast<int>(i), next_gpu, platform,
                                                  config, coordinator,
                                                  options.record_trace ? &result.trace : nullptr));
    next_gpu += config.jobs[i].gpus;
  }
  for (auto& runner : runners)
    runner->start();
  engine->run();
  result.simulated_time_s = sg4::Engine::get_clock();
  for (auto& runner : runners)
    result.jobs.push_back(runner->result());
  for (size_t i = 0; i < runners.size(); ++i)
    if (!runners[i]->gave_up().empty())
      throw std::runtime_error("job " + config.jobs[i].name + " " + runners[i]->gave_up());
  account_energy(result, config, platform.fabric().network_switch_count(), platform.storage_count());
  result.wall_clock_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

} // namespace dcsim
