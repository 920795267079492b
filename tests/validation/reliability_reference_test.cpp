// Failures and checkpoints at scale against Llama 3 405B's 54-day pre-training snapshot
// (../shared/reference/reliability/published.yaml, llama3_405b_interruptions_54day): the node
// failure rate comes from the snapshot's count; the simulated run must see that many failures
// (Poisson bounds) and keep more than 90% of its time for training, as Meta reported.
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <string>

namespace {

YAML::Node entry(const std::string& id)
{
  const YAML::Node entries = YAML::LoadFile(dcsim::test::reference_path("reliability/published.yaml"))["entries"];
  for (const auto& e : entries)
    if (e["id"].as<std::string>() == id)
      return e;
  FAIL("no entry " << id);
  return {};
}

} // namespace

TEST_CASE("validation: Llama 3 405B on 16,384 H100s, 54 days: failures at the published rate, goodput above 90%")
{
  const YAML::Node llama = entry("llama3_405b_interruptions_54day");
  const double interruptions = llama["measured"]["unexpected"].as<double>();
  const double window_s = llama["config"]["window_days"].as<double>() * 86400;
  const double servers = llama["config"]["num_gpus"].as<double>() / 8;
  const double node_mtbf_s = servers * window_s / interruptions;

  const std::string scenario = "scenarios/validation/llama3-405b-16k.yaml";
  const double iteration =
      dcsim::test::run_scenario(scenario, {"failures.node_mtbf=" + std::to_string(node_mtbf_s)})["jobs"][0]
          ["iteration_time_s"]
              .get<double>();
  const int iterations = static_cast<int>(window_s / iteration);
  const auto job = dcsim::test::run_scenario(
      scenario, {"failures.node_mtbf=" + std::to_string(node_mtbf_s), "jobs.0.iterations=" + std::to_string(iterations)})
      ["jobs"][0];
  const auto& r = job["reliability"];
  const double elapsed = job["end_time_s"].get<double>() - job["start_time_s"].get<double>();
  const double expected_failures = elapsed / r["mtbi_s"].get<double>();
  const double goodput = job["goodput"].get<double>();
  INFO("node MTBF " << node_mtbf_s / 3600 << " h; " << r["failures"] << " failures in " << elapsed / 86400
                    << " days (Poisson mean " << expected_failures << "); " << r["checkpoints"]
                    << " checkpoints of " << r["checkpoint_write_s"] << " s every " << r["checkpoint_interval_s"]
                    << " s; goodput " << goodput);
  CHECK(std::fabs(r["failures"].get<double>() - expected_failures) < 4 * std::sqrt(expected_failures));
  CHECK(goodput > 0.90);
  CHECK(goodput < 1.0);
}
