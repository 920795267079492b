// Straggler nodes: a pipeline rank with a GPU on a slow node computes `slowdown` times as long
// (its tensor-parallel groups meet every layer, its replicas at the gradient reduction); the
// other ranks wait for it through the pipeline. Checked against the unperturbed run.
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

// 5 nodes; a job of TP8 PP2 DP2: pipeline rank 0 on nodes 0-1, rank 1 on nodes 2-3, node 4 unused.
const char* kScenario = R"(
name: stragglers-test
cluster:
  nodes: 5
  node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s}, nics: {count: 8, bandwidth: 400Gb/s}}
jobs:
  - name: small
    gpus: 32
    model: {hidden: 2048, layers: 8, heads: 16, seq_len: 2048, vocab: 51200}
    parallelism: {tensor: 8, pipeline: 2, data: 2}
    batch: {global: 64, micro: 1}
    iterations: 6
)";

double stage_compute(const nlohmann::json& job, int stage)
{
  return job["stages_breakdown_s"][stage]["compute"].get<double>();
}

} // namespace

TEST_CASE("stragglers: the rank with a slow node computes slowdown x as long, the others wait for it")
{
  const auto base = dcsim::test::run_scenario_text(kScenario)["jobs"][0];
  const auto slow = dcsim::test::run_scenario_text(kScenario, {"stragglers.nodes=[3]", "stragglers.slowdown=1.5"})["jobs"][0];
  INFO("base " << base["iteration_time_s"] << " s, with a straggler " << slow["iteration_time_s"] << " s");
  CHECK(slow["straggler_nodes"].get<int>() == 1);
  CHECK(stage_compute(slow, 1) == Approx(1.5 * stage_compute(base, 1)).epsilon(1e-9));
  CHECK(stage_compute(slow, 0) == Approx(stage_compute(base, 0)).epsilon(1e-9));
  CHECK(slow["stages_breakdown_s"][1]["optimizer"].get<double>() ==
        Approx(1.5 * base["stages_breakdown_s"][1]["optimizer"].get<double>()).epsilon(1e-9));
  // Rank 0 waits for rank 1: the iteration grows by at least rank 1's extra compute.
  const double extra = stage_compute(slow, 1) - stage_compute(base, 1);
  CHECK(slow["iteration_time_s"].get<double>() >= base["iteration_time_s"].get<double>() + extra * 0.999);
  // A slow node the job does not use changes nothing.
  const auto outside = dcsim::test::run_scenario_text(kScenario, {"stragglers.nodes=[4]", "stragglers.slowdown=1.5"})["jobs"][0];
  CHECK(outside["straggler_nodes"].get<int>() == 0);
  CHECK(outside["iteration_time_s"].get<double>() == Approx(base["iteration_time_s"].get<double>()).epsilon(1e-12));
}

TEST_CASE("stragglers: a fraction of the nodes is drawn from the seed, the same for the same seed")
{
  auto nodes = [](const std::vector<std::string>& overrides) {
    return dcsim::test::load_text(kScenario, overrides).stragglers.nodes;
  };
  const std::vector<std::string> two = {"stragglers.fraction=0.4", "stragglers.slowdown=1.2"};
  CHECK(nodes(two).size() == 2); // 40% of 5 nodes
  CHECK(nodes(two) == nodes(two));
  bool differs = false;
  for (int seed = 2; seed <= 6 && !differs; ++seed) {
    auto other = two;
    other.push_back("seed=" + std::to_string(seed));
    differs = nodes(other) != nodes(two);
  }
  CHECK(differs);
}

TEST_CASE("stragglers: bad settings are one-line errors naming the key")
{
  auto error = [](const std::vector<std::string>& overrides) {
    return dcsim::test::load_error(kScenario, overrides);
  };
  CHECK(error({"stragglers.nodes=[7]", "stragglers.slowdown=1.2"}).find("stragglers.nodes: 7 is not a node") !=
        std::string::npos);
  CHECK(error({"stragglers.nodes=[1]", "stragglers.slowdown=0.5"}).find("stragglers.slowdown") != std::string::npos);
  CHECK(error({"stragglers.nodes=[1]", "stragglers.fraction=0.1", "stragglers.slowdown=1.2"})
            .find("both given") != std::string::npos);
  CHECK(error({"stragglers.slowdown=1.2"}).find("stragglers.nodes: is missing") != std::string::npos);
}
