// Helpers shared by the tests: paths to the repository and the reference data, and running a
// scenario in a child process (SimGrid allows one simulation per process).
#pragma once

#include "config/scenario_config.hpp"
#include "engine/simulation.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace dcsim::test {

/// Absolute path of a file in the repository, e.g. repo_path("scenarios/1024gpu.yaml").
std::string repo_path(const std::string& relative);
/// Absolute path in ../shared/reference (the read-only measured data).
std::string reference_path(const std::string& relative);

/// Loads `scenario` with `overrides` and simulates it in a child process; returns the JSON result.
nlohmann::json run_scenario(const std::string& scenario, const std::vector<std::string>& overrides = {});
/// Same, for scenario text.
nlohmann::json run_scenario_text(const std::string& text, const std::vector<std::string>& overrides = {});
/// Runs `config` in a child process.
nlohmann::json run_config(const ScenarioConfig& config, bool fast_forward = true);
/// Runs `config` in a child process with these options.
nlohmann::json run_config(const ScenarioConfig& config, const SimulationOptions& options);
/// Loads scenario text (file name "<test>") with overrides.
ScenarioConfig load_text(const std::string& text, const std::vector<std::string>& overrides = {});
/// The errors loading that gives ("" when it loads).
std::string load_error(const std::string& text, const std::vector<std::string>& overrides = {});

/// A cluster of `nodes` DGX-H100-like nodes (8 H100s on a 450 GB/s NVLink switch, 8 x 400 Gb/s
/// NICs, 2 us) on a 2-tier radix-16 fat-tree with 500 ns cables; `overrides` as --set texts, e.g.
/// "cluster.fabric.oversubscription=4". Jobs are not read.
ClusterConfig h100_test_cluster(int nodes, const std::vector<std::string>& overrides = {});

/// What a `dcsim` command line printed and returned.
struct CliResult {
  int status = -1;
  std::string out, err;
};
/// Runs build/dcsim with `args` (a shell-quoted string); stdout and stderr captured.
CliResult run_cli(const std::string& args);
/// A directory for this test process's files (created once).
std::string temp_dir();
/// The whole content of a file ("" if unreadable).
std::string slurp(const std::string& path);
/// `text` with regex metacharacters escaped, to match it literally inside a pattern (a path).
std::string regex_escape(const std::string& text);

/// Median of absolute values.
double median_abs(std::vector<double> values);

} // namespace dcsim::test
