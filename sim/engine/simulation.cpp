#include "engine/simulation.hpp"

#include "collectives/fabric_occupancy.hpp"
#include "engine/engine_options.hpp"
#include "engine/job_runner.hpp"
#include "platform/platform.hpp"
#include "results/energy_accounting.hpp"
#include "scheduler/cluster_scheduler.hpp"

#include <simgrid/s4u/Engine.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
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
  FabricOccupancy::current().allow_solo(options.solo_phases);
  Platform platform(config.cluster, config.seed);
  result.fabric = platform.fabric().describe();
  SteadyStateCoordinator coordinator(options.fast_forward);
  std::vector<TraceEvent>* trace = options.record_trace ? &result.trace : nullptr;
  std::vector<std::unique_ptr<JobRunner>> runners(config.jobs.size());
  auto make_runner = [&](int job, const Placement& placement) {
    runners[job] = std::make_unique<JobRunner>(config.jobs[job], job, placement, platform, config, coordinator, trace);
  };
  std::unique_ptr<ClusterScheduler> scheduler;
  if (config.scheduler.enabled) {
    // Jobs start when the scheduler gives them GPUs; their runners are made then.
    scheduler = std::make_unique<ClusterScheduler>(config, platform.locality(), coordinator,
                                                   [&](int job, const Placement& placement) {
      const double submit_s = config.jobs[job].start_time_s;
      if (trace && sg4::Engine::get_clock() > submit_s)
        trace->push_back({"waiting for GPUs", job, 0, submit_s, sg4::Engine::get_clock() - submit_s});
      make_runner(job, placement);
      runners[job]->set_on_finish([&scheduler, job] { scheduler->training_finished(job); });
      runners[job]->start();
    }, [&](int job) { return runners[job]->expected_end_s(sg4::Engine::get_clock()); });
    scheduler->start(platform.gpu_host(0));
  } else {
    int next_gpu = 0; // each job on GPUs of its own, in order
    for (size_t i = 0; i < config.jobs.size(); ++i) {
      make_runner(static_cast<int>(i), Placement::consecutive(next_gpu, config.jobs[i].gpus, config.cluster.node.gpus));
      next_gpu += config.jobs[i].gpus;
    }
    for (auto& runner : runners)
      runner->start();
  }
  engine->run();
  if (scheduler && !scheduler->gave_up().empty())
    throw std::runtime_error(scheduler->gave_up());
  result.simulated_time_s = sg4::Engine::get_clock();
  for (size_t i = 0; i < runners.size(); ++i) {
    if (!runners[i])
      throw std::runtime_error("job " + config.jobs[i].name + " never started");
    result.jobs.push_back(runners[i]->result());
  }
  if (scheduler)
    result.scheduler = scheduler->stats();
  for (size_t i = 0; i < runners.size(); ++i)
    if (!runners[i]->gave_up().empty())
      throw std::runtime_error("job " + config.jobs[i].name + " " + runners[i]->gave_up());
  if (result.simulated_time_s > kMaxSimulatedTimeS) {
    const double years = result.simulated_time_s / (365.25 * 86400);
    char shown[32];
    std::snprintf(shown, sizeof shown, years < 1e6 ? "%.0f" : "%.1e", std::floor(years));
    throw std::runtime_error("the run went on to " + std::string(shown) +
                             "+ years of simulated time, past 10, beyond which the clock no longer resolves the "
                             "fabric's latencies; expected a shorter run (fewer iterations, or fewer and shorter stops)");
  }
  account_energy(result, config, platform.fabric().network_switch_count(), platform.storage_count());
  result.wall_clock_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

} // namespace dcsim
