// Llama 3 405B pre-training throughput against Dubey et al. 2024 (arXiv:2407.21783), table 4:
// TFLOP/s per GPU measured on Meta's 16K-H100 RoCE cluster for three 4D-parallel plans. Not in
// ../shared/reference; the figures are the paper's (the same three appear in Meta's SC'24 talk).
// None of dcsim's parameters was fitted to them.
//
// FLOPs are counted as the contract does (Megatron-LM's: attention over the full s x s, causal
// masking not discounted), the convention of Meta's PyTorch training code (torchtitan's
// get_num_flop_per_token: "we follow the convention and do not account for sparsity in causal
// attention"). At 131,072 tokens the convention matters: discounting the mask would lower every
// figure of that row by 29%.
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

struct Row {
  std::string name;
  std::vector<std::string> overrides;
  double measured_tflops;
  double bound; // |error| allowed
};

const char* kScenario = "scenarios/validation/llama3-405b-pretrain.yaml";

} // namespace

TEST_CASE("validation: Llama 3 405B table 4 throughput, 8K within 6%, 128K with CP16 within 12%",
          "[validation][slow]")
{
  const std::vector<Row> rows = {
      // The memory model puts this row 2 GiB over 80 GiB (32 micro-batches in flight on the
      // interleaved schedule's second rank); Meta ran it, so the check is relaxed to a warning.
      {"8,192 GPUs TP8 PP16 DP64, 8K", {"cluster.nodes=1024", "jobs.0.gpus=8192", "jobs.0.parallelism.data=64",
                                        "jobs.0.memory_check=warn"}, 430, 0.06},
      {"16,384 GPUs TP8 PP16 DP128, 8K", {}, 400, 0.06},
      {"16,384 GPUs TP8 CP16 PP16 DP8, 128K",
       {"jobs.0.parallelism.context=16", "jobs.0.parallelism.data=8", "jobs.0.model.seq_len=131072",
        "jobs.0.batch.global=128"},
       380, 0.12},
  };
  std::printf("\nLlama 3 405B, table 4 of Dubey et al. 2024 (TFLOP/s per GPU)\n%-38s %10s %9s %8s %10s\n", "plan",
              "predicted", "measured", "error", "memory");
  for (const Row& row : rows) {
    const auto result = dcsim::test::run_scenario(kScenario, row.overrides);
    const auto& job = result["jobs"][0];
    const double predicted = job["model_tflops_per_gpu"].get<double>();
    const double error = predicted / row.measured_tflops - 1;
    std::printf("%-38s %10.1f %9.1f %+7.1f%% %8.1f GiB\n", row.name.c_str(), predicted, row.measured_tflops,
                100 * error, job["memory_per_gpu_bytes"].get<double>() / (1024.0 * 1024 * 1024));
    INFO(row.name << ": predicted " << predicted << " TFLOP/s, measured " << row.measured_tflops);
    CHECK(std::abs(error) <= row.bound);
    if (row.overrides.empty() || row.measured_tflops == 380)
      CHECK(job["fits_in_memory"].get<bool>());
  }
}
