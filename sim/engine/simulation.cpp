#include "engine/simulation.hpp"

#include "collectives/fabric_occupancy.hpp"
#include "engine/engine_options.hpp"
#include "engine/fabric_usage.hpp"
#include "engine/job_runner.hpp"
#include "engine/job_segments.hpp"
#include "platform/platform.hpp"
#include "results/energy_accounting.hpp"
#include "results/reliability_summary.hpp"
#include "scheduler/cluster_scheduler.hpp"

#include <simgrid/s4u/Engine.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
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
  result.fabric = platform.fabric().describe() +
                  (config.cluster.fabric.in_network_reduction ? ", in-network reduction (SHARP)" : "");
  SteadyStateCoordinator coordinator(options.fast_forward);
  SparePool spares(config.failures.spare_nodes);
  std::vector<TraceEvent>* trace = options.record_trace ? &result.trace : nullptr;
  // Each job's runs: one, unless the scheduler preempts it (then each resumption is a run of
  // its own with the iterations left, on the GPUs it gets then).
  std::vector<std::vector<std::unique_ptr<JobRunner>>> runs(config.jobs.size());
  std::deque<JobConfig> resumed; // the resumed runs' configurations (stable addresses)
  RunMemos memos;                 // runs' first iterations, for the later runs of their jobs
  const bool trace_loads = config.scheduler.trace_traffic.enabled() ||
                           std::any_of(config.scheduler.trace_jobs.begin(), config.scheduler.trace_jobs.end(),
                                       [](const TraceJob& j) { return j.gradient_bytes > 0; });
  auto make_runner = [&](int job, const Placement& placement, double submitted_s) {
    const JobConfig* run_config = &config.jobs[job];
    if (runs[job].empty() && submitted_s != run_config->start_time_s) { // submitted after another job (after:)
      resumed.push_back(config.jobs[job]);
      resumed.back().start_time_s = submitted_s;
      run_config = &resumed.back();
    } else if (!runs[job].empty()) {
      int done = 0;
      for (const auto& run : runs[job])
        done += run->iterations_done();
      resumed.push_back(config.jobs[job]);
      resumed.back().iterations = config.jobs[job].iterations - done;
      resumed.back().start_time_s = sg4::Engine::get_clock() + config.scheduler.preemption.restart_s;
      run_config = &resumed.back();
    }
    if (placement.gpus() != run_config->gpus) { // a moldable job (min_gpus) started on fewer GPUs
      resumed.push_back(run_config->on_replicas(placement.gpus() / run_config->gpus_per_replica()));
      run_config = &resumed.back();
    }
    const bool resumed = !runs[job].empty();
    runs[job].push_back(
        std::make_unique<JobRunner>(*run_config, job, placement, platform, config, coordinator, spares, trace));
    if (options.reuse_runs && !trace_loads) // loads are not the coordinator's jobs (run_memo.hpp)
      runs[job].back()->use_memos(memos);
    if (resumed)
      runs[job].back()->mark_resumed();
  };
  TraceTraffic traffic(config.scheduler, platform, config.cluster.profile.communication, coordinator);
  std::unique_ptr<ClusterScheduler> scheduler;
  if (config.scheduler.enabled) {
    // Jobs start when the scheduler gives them GPUs; their runners are made then.
    scheduler = std::make_unique<ClusterScheduler>(config, platform.locality(), coordinator, spares,
                                                   [&](int job, const Placement& placement) {
      // Waiting since its submission, or since it was preempted.
      const double since_s = runs[job].empty() ? scheduler->submitted_s(job) : runs[job].back()->end_s();
      if (trace && sg4::Engine::get_clock() > since_s)
        trace->push_back({runs[job].empty() ? "waiting for GPUs" : "preempted, waiting for GPUs", job, 0, since_s,
                          sg4::Engine::get_clock() - since_s});
      make_runner(job, placement, scheduler->submitted_s(job));
      JobRunner& run = *runs[job].back();
      run.set_on_finish([&scheduler, &run, job] {
        if (run.suspended() && run.gave_up().empty())
          scheduler->training_suspended(job, run.time_limited());
        else // done, or it gave up (reported once the simulation ends)
          scheduler->training_finished(job);
      });
      run.start();
    }, [&](int job) { return runs[job].back()->expected_end_s(sg4::Engine::get_clock()); },
    [&](int job) { runs[job].back()->request_suspend(); });
    scheduler->set_trace_traffic(&traffic);
    scheduler->start(platform.gpu_host(0));
  } else {
    int next_gpu = 0; // each job on GPUs of its own, in order
    for (size_t i = 0; i < config.jobs.size(); ++i) {
      make_runner(static_cast<int>(i), Placement::consecutive(next_gpu, config.jobs[i].gpus, config.cluster.node.gpus),
                  config.jobs[i].start_time_s);
      next_gpu += config.jobs[i].gpus;
    }
    for (auto& job_runs : runs)
      job_runs.front()->start();
  }
  engine->run();
  if (scheduler && !scheduler->gave_up().empty())
    throw std::runtime_error(scheduler->gave_up());
  result.simulated_time_s = sg4::Engine::get_clock();
  for (size_t i = 0; i < runs.size(); ++i) {
    if (runs[i].empty())
      throw std::runtime_error("job " + config.jobs[i].name + " never started");
    std::vector<JobResult> parts;
    for (const auto& run : runs[i])
      parts.push_back(run->result());
    result.jobs.push_back(merge_segments(parts, config.jobs[i].iterations));
    if (scheduler) { // its runs after a growth restart or a time limit are not preemptions
      JobResult& r = result.jobs.back();
      r.grows = scheduler->grows_of(static_cast<int>(i));
      r.preemptions -= r.grows + r.reliability.time_limit_exits + r.reliability.time_limit_kills;
    }
  }
  if (scheduler)
    result.scheduler = scheduler->stats();
  result.spares = spares.stats();
  for (size_t i = 0; i < runs.size(); ++i)
    for (const auto& run : runs[i])
      if (!run->gave_up().empty())
        throw std::runtime_error("job " + config.jobs[i].name + " " + run->gave_up());
  if (result.simulated_time_s > kMaxSimulatedTimeS) {
    const double years = result.simulated_time_s / (365.25 * 86400);
    char shown[32];
    std::snprintf(shown, sizeof shown, years < 1e6 ? "%.0f" : "%.1e", std::floor(years));
    throw std::runtime_error("the run went on to " + std::string(shown) +
                             "+ years of simulated time, past 10, beyond which the clock no longer resolves the "
                             "fabric's latencies; expected a shorter run (fewer iterations, or fewer and shorter stops)");
  }
  const Fabric& fabric = platform.fabric();
  FabricUsage usage;
  for (const auto& job_runs : runs)
    for (const auto& run : job_runs)
      usage.add(run->fabric_uses());
  traffic.finish(result.simulated_time_s);
  usage.add(traffic.fabric_uses());
  result.network =
      usage.report(fabric, result.simulated_time_s, config.output.network_timeline ? &result.network_timeline : nullptr);
  account_energy(result, config, fabric.network_switch_count(), fabric.network_cable_count(), platform.storage_count());
  summarize_reliability(result, config);
  result.wall_clock_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

} // namespace dcsim
