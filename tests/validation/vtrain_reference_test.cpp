// Validation against vTrain's single-node ground truth: 1,440 Megatron-DeepSpeed iteration times
// measured on one 8x A100 node (../shared/reference/training/vtrain_a100_single_node.csv), 2-8 GPUs,
// hidden 1024/2048, 12-24 layers, seq 1024, TP/DP/PP up to 8/8/4, micro-batch 1-8.
// vTrain's configuration for these runs: activation checkpointing on, 1F1B; the node is NVSwitch
// A100 (scenarios/validation/vtrain-a100-node.yaml says why) on its own profile, a100-vtrain-node,
// whose clock and launch_overhead were fitted on the even rows (scripts/fit_training_calibration.py).
// Bounds: median |error| of the iteration time <= 10% (from the issue), overall and on the odd
// (held-out) rows; at most 40 runs off by more than 25% (33 measured; 191 before the node's
// NVLink and clock were described as measured).
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

namespace {

struct VtrainRun {
  int gpus, global_batch, micro_batch, hidden, heads, layers, seq, tensor, data, pipeline;
  double measured_ms;
};

std::vector<VtrainRun> read_runs()
{
  std::ifstream in(dcsim::test::reference_path("training/vtrain_a100_single_node.csv"));
  std::string line;
  std::getline(in, line); // header
  std::vector<VtrainRun> runs;
  while (std::getline(in, line)) {
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream fields(line);
    VtrainRun r;
    fields >> r.gpus >> r.global_batch >> r.micro_batch >> r.hidden >> r.heads >> r.layers >> r.seq >> r.tensor >>
        r.data >> r.pipeline >> r.measured_ms;
    if (fields)
      runs.push_back(r);
  }
  return runs;
}

std::vector<std::string> overrides_for(const VtrainRun& r)
{
  const std::string j = "jobs.0.";
  return {j + "gpus=" + std::to_string(r.gpus),
          j + "model.hidden=" + std::to_string(r.hidden),
          j + "model.heads=" + std::to_string(r.heads),
          j + "model.layers=" + std::to_string(r.layers),
          j + "model.seq_len=" + std::to_string(r.seq),
          j + "parallelism.tensor=" + std::to_string(r.tensor),
          j + "parallelism.data=" + std::to_string(r.data),
          j + "parallelism.pipeline=" + std::to_string(r.pipeline),
          j + "batch.global=" + std::to_string(r.global_batch),
          j + "batch.micro=" + std::to_string(r.micro_batch)};
}

} // namespace

TEST_CASE("validation: vTrain single-node A100 iteration times, median error <= 10%", "[validation][slow]")
{
  const auto runs = read_runs();
  REQUIRE(runs.size() == 1440);
  std::vector<double> errors, held_out;
  std::map<std::string, std::vector<double>> by_plan;
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& r = runs[i];
    const auto result = dcsim::test::run_scenario("scenarios/validation/vtrain-a100-node.yaml", overrides_for(r));
    const double predicted_ms = 1e3 * result["jobs"][0]["iteration_time_s"].get<double>();
    const double error = (predicted_ms - r.measured_ms) / r.measured_ms;
    errors.push_back(error);
    if (i % 2 == 1)
      held_out.push_back(error);
    by_plan["TP" + std::to_string(r.tensor) + " PP" + std::to_string(r.pipeline) + " DP" + std::to_string(r.data)]
        .push_back(error);
  }
  std::printf("\nvTrain single node (A100), iteration time error by parallel plan\n%-16s %6s %14s %12s\n", "plan",
              "runs", "median error", "median |err|");
  for (auto& [plan, e] : by_plan) {
    std::vector<double> sorted = e;
    std::sort(sorted.begin(), sorted.end());
    std::printf("%-16s %6zu %+13.1f%% %11.1f%%\n", plan.c_str(), e.size(), 100 * sorted[sorted.size() / 2],
                100 * dcsim::test::median_abs(e));
  }
  const double median = dcsim::test::median_abs(errors);
  std::printf("%-16s %6zu %14s %11.1f%%\n", "all", errors.size(), "", 100 * median);
  const auto far_off = std::count_if(errors.begin(), errors.end(), [](double e) { return std::abs(e) > 0.25; });
  const auto [lowest, highest] = std::minmax_element(errors.begin(), errors.end());
  std::printf("off by more than 25%%: %td runs; extremes %+.1f%%, %+.1f%%\n", far_off, 100 * *lowest, 100 * *highest);
  const double median_held_out = dcsim::test::median_abs(held_out);
  std::printf("%-16s %6zu %14s %11.1f%%\n", "held-out (odd)", held_out.size(), "", 100 * median_held_out);
  CHECK(median <= 0.10);
  CHECK(median_held_out <= 0.10);
  CHECK(far_off <= 40);
}
