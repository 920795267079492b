#include "support/test_support.hpp"

#include "config/scenario_error.hpp"
#include "config/scenario_loader.hpp"
#include "config/text_file.hpp"
#include "engine/isolation.hpp"
#include "engine/simulation.hpp"
#include "results/json_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <regex>
#include <filesystem>
#include <sys/wait.h>
#include <unistd.h>

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
  return run_config(config, options);
}

nlohmann::json run_config(const ScenarioConfig& config, const SimulationOptions& options)
{
  return run_isolated([&] { return to_json(simulate(config, options)); });
}

ScenarioConfig load_text(const std::string& text, const std::vector<std::string>& overrides)
{
  LoadOptions options;
  options.overrides = overrides;
  return load_scenario_text(text, "<test>", options);
}

std::string load_error(const std::string& text, const std::vector<std::string>& overrides)
{
  try {
    load_text(text, overrides);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
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

std::string temp_dir()
{
  static const std::string dir = [] {
    const auto d = std::filesystem::temp_directory_path() / ("dcsim-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d.string();
  }();
  return dir;
}

std::string regex_escape(const std::string& text)
{
  return std::regex_replace(text, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)");
}

std::string slurp(const std::string& path)
{
  return read_text_file(path).value_or("");
}

CliResult run_cli(const std::string& args)
{
  const std::string out = temp_dir() + "/stdout.txt", err = temp_dir() + "/stderr.txt";
  const int raw = std::system((std::string(DCSIM_BINARY) + " " + args + " >" + out + " 2>" + err).c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out), slurp(err)};
}

ClusterConfig h100_test_cluster(int nodes, const std::vector<std::string>& overrides)
{
  const std::string text = "cluster:\n"
                           "  nodes: " + std::to_string(nodes) + "\n"
                           "  node:\n"
                           "    gpu: H100-SXM-80GB\n"
                           "    gpus: 8\n"
                           "    scale_up: {bandwidth: 450GB/s, latency: 1us}\n"
                           "    nics: {count: 8, bandwidth: 400Gb/s, latency: 2us}\n"
                           "  fabric: {topology: fat-tree, tiers: 2, radix: 16, link_latency: 500ns}\n";
  LoadOptions options;
  options.require_jobs = false;
  options.cluster_only = true;
  options.overrides = overrides;
  return load_scenario_text(text, "<h100_test_cluster>", options).cluster;
}

} // namespace dcsim::test
