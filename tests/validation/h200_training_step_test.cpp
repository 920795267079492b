// A training step on one H200, measured (scripts/device_training_step.py on the lent H200,
// 2026-11-30, eager and through torch.compile; raw data calibration/measurements/
// h200-2026-11-30-training-step{,-compiled}.json, kernel tables beside them) against the
// simulator on the profile measured on that GPU (scenarios/validation/h200-one-gpu.yaml,
// calibration h200-measured). One GPU, no communication: the iteration is the compute model's
// forward, backward and optimizer.
#include "support/test_support.hpp"

#include "compute/compute_cost_model.hpp"
#include "config/scenario_loader.hpp"
#include "parallelism/job_workload.hpp"
#include "transformer/layer_ops.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>

namespace {

nlohmann::json measured_rows(const std::string& file)
{
  std::ifstream in(dcsim::test::repo_path("calibration/measurements/" + file));
  REQUIRE(in);
  return nlohmann::json::parse(in)["rows"];
}

std::vector<std::string> overrides_of(const nlohmann::json& row)
{
  const auto set = [&](const char* key, const char* field) {
    return std::string("jobs.0.") + key + "=" + std::to_string(row[field].get<long long>());
  };
  return {set("model.hidden", "hidden"),  set("model.heads", "heads"),      set("model.layers", "layers"),
          set("model.seq_len", "seq_len"), set("model.vocab", "vocab"),      set("batch.global", "micro_batch"),
          set("batch.micro", "micro_batch")};
}

/// Predicted kernel seconds of one forward and backward by kind (GEMMs, FlashAttention, memory-bound).
std::map<dcsim::OpKind, double> kernel_seconds_by_kind(const dcsim::ScenarioConfig& config)
{
  const auto& job = config.jobs[0];
  const dcsim::ComputeCostModel cost(config.cluster.node.gpu, config.cluster.profile, job.precision);
  const auto context = dcsim::layer_context_of(job);
  std::map<dcsim::OpKind, double> out;
  const auto add = [&](const dcsim::LayerOps& ops, double times) {
    for (const auto* pass : {&ops.forward, &ops.backward})
      for (const auto& op : *pass)
        out[op.kind] += times * cost.kernel_seconds(op);
  };
  add(dcsim::transformer_layer_ops(job.model, context), job.model.layers);
  add(dcsim::embedding_ops(job.model, context), 1);
  add(dcsim::head_ops(job.model, context), 1);
  return out;
}

/// Prints and checks one measured run: forward + backward within 10% always, peak memory only
/// when `check_memory`.
void compare(const std::string& file, bool check_memory)
{
  const auto rows = measured_rows(file);
  REQUIRE(rows.size() == 3);
  std::printf("%s\n%-16s %12s %12s %8s %10s %10s %8s %10s %10s\n", file.c_str(), "shape", "fwd+bwd ms", "predicted",
              "error", "memory GiB", "predicted", "error", "optim. ms", "predicted");
  for (const auto& row : rows) {
    dcsim::LoadOptions options;
    options.overrides = overrides_of(row);
    const auto config = dcsim::load_scenario(dcsim::test::repo_path("scenarios/validation/h200-one-gpu.yaml"), options);
    const auto job = dcsim::test::run_config(config)["jobs"][0];
    const double measured_s = row["forward_backward_ms"].get<double>() * 1e-3;
    const double predicted_s = job["breakdown_s"]["compute"];
    const double measured_gib = row["max_memory_bytes"].get<double>() / (1 << 30);
    const double predicted_gib = job["memory_per_gpu_bytes"].get<double>() / (1 << 30);
    const double error = predicted_s / measured_s - 1, memory_error = predicted_gib / measured_gib - 1;
    std::printf("%-16s %12.1f %12.1f %+7.1f%% %10.1f %10.1f %+7.1f%% %10.1f %10.1f\n",
                row["shape"].get<std::string>().c_str(), 1e3 * measured_s, 1e3 * predicted_s, 100 * error, measured_gib,
                predicted_gib, 100 * memory_error, row["optimizer_ms"].get<double>(),
                1e3 * job["breakdown_s"]["optimizer"].get<double>());
    const auto kinds = kernel_seconds_by_kind(config);
    std::printf("  predicted kernels: GEMM %.1f ms, FlashAttention %.1f ms, memory-bound %.1f ms\n",
                1e3 * kinds.at(dcsim::OpKind::Gemm), 1e3 * kinds.at(dcsim::OpKind::FlashAttention),
                1e3 * kinds.at(dcsim::OpKind::MemoryBound));
    INFO(file << ", " << row["shape"].get<std::string>() << ": forward + backward " << 1e3 * measured_s
              << " ms measured, " << 1e3 * predicted_s << " predicted; memory " << measured_gib << " GiB measured, "
              << predicted_gib << " predicted");
    CHECK(std::fabs(error) <= 0.10);
    if (check_memory)
      CHECK(std::fabs(memory_error) <= 0.10);
  }
}

} // namespace

TEST_CASE("validation: a training step on one H200 (measured) within 10% of the compute model on its measured profile",
          "[validation]")
{
  // Eager PyTorch: forward + backward measured -3.1%, -5.8%, +0.3%; peak memory -1.7%, -4.0%, -2.4%.
  compare("h200-2026-11-30-training-step.json", true);
  // torch.compile (elementwise kernels fused, as Megatron's): +1.5%, +2.2%, +3.4%. Its memory is
  // printed, not bounded: Inductor recomputes pointwise results in the backward rather than
  // keeping them (+3.2%, +12.4%, -2.8%).
  compare("h200-2026-11-30-training-step-compiled.json", false);
  // The optimizer is printed, not bounded: the script's (a cast of each gradient to fp32, fused
  // AdamW, a copy back per tensor: ~40 bytes per parameter) is not Megatron's that the model
  // counts (34 bytes, gradients accumulated in fp32 by the backward).
}
