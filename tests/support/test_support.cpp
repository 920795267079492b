#include "support/test_support.hpp"

#include "config/scenario_loader.hpp"
#include "engine/isolation.hpp"
#include "engine/simulation.hpp"
#include "results/json_report.hpp"

#include <algorithm>
#include <cmath>

namespace dcsim::test {

std::string repo_path(const std::string& relative)
{
  return std::string(DCSIM_SOURCE_DIR) + "/" + relative;
}

std::string reference_path(const std::string& relative)
{
  return std::string(DCSIM_SOURCE_DIR) + "/../shared/reference/" + relative;
}

nlohmann::json run_config(const ScenarioConfig& config, bool fast_forward)
{
  SimulationOptions options;
  options.fast_forward = fast_forward;
  return run_isolated([&] { return to_json(simulate(config, options)); });
}

ScenarioConfig load_text(const std::string& text, const std::vector<std::string>& overrides)
{
  LoadOptions options;
  options.overrides = overrides;
  return load_scenario_text(text, "<test>", options);
}

nlohmann::json run_scenario(const std::string& scenario, const std::vector<std::string>& overrides)
{
  LoadOptions options;
  options.overrides = overrides;
  return run_config(load_scenario(repo_path(scenario), options));
}

nlohmann::json run_scenario_text(const std::string& text, const std::vector<std::string>& overrides)
{
  return run_config(load_text(text, overrides));
}

double median_abs(std::vector<double> values)
{
  for (auto& v : values)
    v = std::fabs(v);
  std::sort(values.begin(), values.end());
  if (values.empty())
    return 0;
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

} // namespace dcsim::test
