#include "cli/commands.hpp"

#include "config/scenario_loader.hpp"
#include "engine/simulation.hpp"
#include "results/json_report.hpp"
#include "results/text_report.hpp"

#include <iostream>

namespace dcsim::cli {

int run_command(const RunArgs& args)
{
  LoadOptions options;
  options.overrides = args.overrides;
  const ScenarioConfig config = load_scenario(args.scenario, options);
  // The command line's flags win over the scenario's output section.
  const std::string json_path = args.json_path.empty() ? config.output.json_path : args.json_path;
  const std::string trace_path = args.trace_path.empty() ? config.output.trace_path : args.trace_path;
  SimulationOptions sim_options;
  sim_options.record_trace = !trace_path.empty();
  sim_options.fast_forward = !args.every_iteration;
  sim_options.solo_phases = !args.every_flow;
  const SimulationResult result = simulate(config, sim_options);
  if (!json_path.empty())
    write_json_file(json_path, to_json(result));
  if (!trace_path.empty())
    write_json_file(trace_path, trace_to_json(result));
  if (!args.quiet && !config.output.quiet)
    std::cout << text_summary(config, result);
  return 0;
}

int validate_command(const std::string& scenario, const std::vector<std::string>& overrides)
{
  LoadOptions options;
  options.overrides = overrides;
  const ScenarioConfig config = load_scenario(scenario, options);
  std::cout << scenario << ": valid (" << config.jobs.size() << " job" << (config.jobs.size() == 1 ? "" : "s");
  if (!config.scheduler.trace_jobs.empty())
    std::cout << " and " << config.scheduler.trace_jobs.size() << " from the trace";
  std::cout << ", " << config.cluster.total_gpus() << " GPUs)\n";
  return 0;
}

} // namespace dcsim::cli
