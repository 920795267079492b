// The one entry point from a scenario file to a validated ScenarioConfig.
//
//   ScenarioConfig config = load_scenario("scenarios/1024gpu.yaml", {"jobs.0.parallelism.tensor=4"});
//
// Every problem in the file and the overrides is collected and thrown at once as ScenarioError
// (one `file:line:col: key.path: what; expected what` line each).
#pragma once

#include "config/scenario_config.hpp"

#include <string>
#include <vector>

namespace dcsim {

struct LoadOptions {
  std::vector<std::string> overrides; ///< "dotted.key=value", applied before validation
  bool require_jobs = true;           ///< false: a scenario without jobs is fine
  bool cluster_only = false;          ///< `topology` and `collective`: jobs are not read or checked
};

/// @throw ScenarioError listing every problem found.
ScenarioConfig load_scenario(const std::string& path, const LoadOptions& options = {});
/// Same, from text (for the Python module and tests); `name` stands for the file in errors.
ScenarioConfig load_scenario_text(const std::string& text, const std::string& name, const LoadOptions& options = {});

/// Directory holding the project's data (models/, calibration/profiles/), for relative paths.
std::string data_directory();

} // namespace dcsim
