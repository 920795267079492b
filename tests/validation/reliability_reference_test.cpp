// Failures and checkpoints at scale against Llama 3 405B's 54-day pre-training snapshot
// (../shared/reference/reliability/published.yaml, llama3_405b_interruptions_54day): the node
// failure rate comes from the snapshot's count; the simulated run must see that many failures
// (Poisson bounds) and keep more than 90% of its time for training, as Meta reported.
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <map>
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

TEST_CASE("validation: Llama 3 405B's 54 days by cause (table 5): rates per GPU, node, switch and job give each "
          "category its count")
{
  // Each row of table 5 becomes a failure rate per instance of what it breaks: GPU faults per
  // GPU, host faults and unplanned host maintenance per node, network switches and cables per
  // leaf switch, software bugs, dependencies and NCCL watchdog timeouts per job. The rates come
  // from the counts, so this checks the mechanism (each cause scaled by the instances the job
  // spans on the simulated fabric, drawn in proportion, counted under its name), not a prediction.
  const YAML::Node llama = entry("llama3_405b_interruptions_54day");
  const double window_s = llama["config"]["window_days"].as<double>() * 86400;
  const double gpus = llama["config"]["num_gpus"].as<double>();
  const std::string scenario = "scenarios/validation/llama3-405b-16k.yaml";
  // Switches the job spans on this fabric: a switch-only cause's MTBF over the job's MTBI.
  const auto probe =
      dcsim::test::run_scenario(scenario, {"failures={causes: [{name: s, per: switch, mtbf: 1000000h}]}"})["jobs"][0];
  const double switches = 1e6 * 3600 / probe["reliability"]["mtbi_s"].get<double>();
  const std::map<std::string, std::pair<std::string, double>> scope_of = {
      {"GPU", {"gpu", gpus}},        {"Host", {"node", gpus / 8}},        {"Unplanned Maintenance", {"node", gpus / 8}},
      {"Network", {"switch", switches}}, {"Dependency", {"job", 1}}, {"Unknown", {"job", 1}}};
  std::map<std::string, double> counts;
  for (const auto& row : llama["measured"]["table5_unexpected_by_cause"])
    counts[row["category"].as<std::string>()] += row["count"].as<double>();
  std::string causes;
  for (const auto& [category, count] : counts) {
    const auto& [per, instances] = scope_of.at(category);
    causes += (causes.empty() ? "" : ", ") + std::string("{name: \"") + category + "\", per: " + per +
              ", mtbf: " + std::to_string(instances * window_s / count) + "s}";
  }
  const std::string failures = "failures={restart: 10min, causes: [" + causes + "]}";
  const int iterations = static_cast<int>(window_s / probe["iteration_time_s"].get<double>());
  const auto job =
      dcsim::test::run_scenario(scenario, {failures, "jobs.0.iterations=" + std::to_string(iterations)})["jobs"][0];
  const double elapsed = job["end_time_s"].get<double>() - job["start_time_s"].get<double>();
  INFO(switches << " switches; " << causes << "\n" << job["failures_by_cause"].dump() << "\ngoodput "
                << job["goodput"] << " over " << elapsed / 86400 << " days");
  CHECK(switches == Approx(512).epsilon(1e-9)); // 2,048 nodes, 4 per 32-port leaf
  int total = 0;
  for (const auto& c : job["failures_by_cause"]) {
    const double expected = counts.at(c["cause"].get<std::string>()) * elapsed / window_s;
    total += c["failures"].get<int>();
    CHECK(std::fabs(c["failures"].get<double>() - expected) < 4 * std::sqrt(expected));
  }
  const double expected_total = 419 * elapsed / window_s;
  CHECK(std::fabs(total - expected_total) < 4 * std::sqrt(expected_total));
  CHECK(job["goodput"].get<double>() > 0.90);
}
