// Validation against vTrain's single-node ground truth: 1,440 Megatron-DeepSpeed iteration times
// measured on one 8x A100 node (../shared/reference/training/vtrain_a100_single_node.csv), 2-8 GPUs,
// hidden 1024/2048, 12-24 layers, seq 1024, TP/DP/PP up to 8/8/4, micro-batch 1-8.
// vTrain's configuration for these runs: activation checkpointing on, 1F1B; the node is NVSwitch
// A100 (scenarios/validation/vtrain-a100-node.yaml says why) on its own profile, a100-vtrain-node,
// whose clock and launch_overhead were fitted on the even rows (scripts/fit_training_calibration.py).
// Bounds: median |error| of the iteration time <= 10% (from the issue), overall and on the odd
// (held-out) rows; at most 40 runs off by more than 25% (33 measured; 191 before the node's
// NVLink and clock were described as measured). The same runs also check what a plan search
// picks (check_plan_choice).
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

/// What `dcsim plan` would have chosen on these runs: grouped by job (GPUs, model, global batch),
/// the plan (TP, DP, PP, micro-batch) predicted fastest, and how much slower it measured than
/// the plan measured fastest (its regret). Measured 2026-11-30: 144 jobs, the measured fastest
/// chosen in 74, regret median 0.0%, within 5% in 88, worst 39.1%; the 17 choices over 15% are
/// all small batches (4-16) at hidden 2048, where the model overstates TP4's host time and
/// understates the pipelined plans' (docs/validation.md). Bounds guard that: median <= 2%, at
/// least 80 within 5%, none over 45%.
void check_plan_choice(const std::vector<VtrainRun>& runs, const std::vector<double>& predicted_ms)
{
  std::vector<double> measured;
  for (const VtrainRun& r : runs)
    measured.push_back(r.measured_ms);
  std::map<std::vector<int>, std::vector<size_t>> jobs;
  for (size_t i = 0; i < runs.size(); ++i) {
    const VtrainRun& r = runs[i];
    jobs[{r.gpus, r.global_batch, r.hidden, r.heads, r.layers, r.seq}].push_back(i);
  }
  std::vector<double> regrets;
  int hits = 0, choices = 0;
  for (const auto& [job, members] : jobs) {
    if (members.size() < 2)
      continue;
    const auto by = [&](const std::vector<double>& ms) {
      return *std::min_element(members.begin(), members.end(), [&](size_t a, size_t b) { return ms[a] < ms[b]; });
    };
    const size_t best = by(measured), chosen = by(predicted_ms);
    regrets.push_back(measured[chosen] / measured[best] - 1);
    if (regrets.back() > 0.15)
      std::printf("  regret %.1f%%: %d GPUs, batch %d, hidden %d, %d layers: chose TP%d DP%d PP%d mb%d (%.0f ms), "
                  "best TP%d DP%d PP%d mb%d (%.0f ms)\n",
                  100 * regrets.back(), job[0], job[1], job[2], job[4], runs[chosen].tensor, runs[chosen].data,
                  runs[chosen].pipeline, runs[chosen].micro_batch, measured[chosen], runs[best].tensor,
                  runs[best].data, runs[best].pipeline, runs[best].micro_batch, measured[best]);
    hits += chosen == best;
    ++choices;
  }
  std::sort(regrets.begin(), regrets.end());
  const double median = regrets[regrets.size() / 2], worst = regrets.back();
  const auto within_5 = std::count_if(regrets.begin(), regrets.end(), [](double r) { return r <= 0.05; });
  std::printf("plan choice over %d jobs (2+ plans each): the predicted fastest plan is the measured fastest in %d; "
              "its measured regret: median %.1f%%, within 5%% in %td, worst %.1f%%\n",
              choices, hits, 100 * median, within_5, 100 * worst);
  CHECK(median <= 0.02);
  CHECK(within_5 >= 80);
  CHECK(worst <= 0.45);
}

} // namespace

TEST_CASE("validation: vTrain single-node A100 iteration times, median error <= 10%", "[validation][slow]")
{
  const auto runs = read_runs();
  REQUIRE(runs.size() == 1440);
  std::vector<double> errors, held_out;
  std::map<std::string, std::vector<double>> by_plan;
  std::vector<double> predicted(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& r = runs[i];
    const auto result = dcsim::test::run_scenario("scenarios/validation/vtrain-a100-node.yaml", overrides_for(r));
    const double predicted_ms = 1e3 * result["jobs"][0]["iteration_time_s"].get<double>();
    predicted[i] = predicted_ms;
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
  check_plan_choice(runs, predicted);
}
