// End-to-end validation of training throughput against published measurements
// (../shared/reference/training/published.yaml):
//   * Megatron-LM SC21 Table 1 (10 runs, 32..3072 A100s). SC21 counts the recompute forward
//     pass (96 B s l h^2 (1 + s/(6h) + V/(16 l h))), so predictions are converted with the same
//     formula. Micro-batch sizes, interleaving and the DDP implementation of each run come from
//     Megatron-LM's examples/sc21/run_table_1.sh (the scripts that produced the table).
//   * Megatron-Core r0.8.0 H100 weak scaling (9 runs, 48..6144 H100s), model FLOPs (72 B s l h^2
//     (1 + s/(6h) + V/(12 l h))). The README gives TP, PP, batch and the overlap flags, not the
//     micro-batch, the pipeline schedule nor the network (taken as DGX H100, 8x 400G, non-blocking).
//     Schedule: the README overlaps pipeline communication, which r0.8 only does in the
//     interleaved schedule (arguments.py turns overlap_p2p_comm off otherwise), and every
//     pipelined row has m = 4p micro-batches as that schedule requires; 23 and 7 layers per stage
//     (119B, 462B) only interleave one layer per virtual stage, so every pipelined row uses one
//     layer per virtual stage (as SC21 did for 530B). Micro-batch: 1 with pipelining (it sets the
//     bubble); without, 2: with 1, the 32B row cannot reach its published time (each GPU's fp32
//     reduce-scatter of 16 GB through its own 50 GB/s NIC overlaps one micro-batch's backward
//     only; see docs/validation.md). Micro-batch 1 or 4 for the 1.7B-16B rows moves them by < 8%.
// Bounds (from the issue): every run within 15% of the published TFLOP/s per GPU; median
// |error| within 7% for each table. Two end-to-end profile parameters were fitted on rows 1, 3,
// 5, 7, 9 of each table (marked * in the printed table; scripts/fit_training_calibration.py);
// the other rows are held out.
#include "support/test_support.hpp"

#include "config/scenario_loader.hpp"
#include "transformer/model_flops.hpp"

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <map>

namespace {

using dcsim::test::median_abs;

struct Sc21Run {
  int micro_batch;
  int layers_per_virtual_stage; // 0: no interleaving
  bool torch_ddp;               // overlapped bucketed all-reduce (25 MB buckets); else after backward
};

// Megatron-LM examples/sc21/run_table_1.sh (MBS, --num-layers-per-virtual-pipeline-stage, DDP).
const std::map<std::string, Sc21Run> kSc21Runs = {
    {"megatron_sc21_t1_1p7B", {16, 0, true}},    {"megatron_sc21_t1_3p6B", {16, 0, true}},
    {"megatron_sc21_t1_7p5B", {16, 0, true}},    {"megatron_sc21_t1_18p4B", {8, 0, true}},
    {"megatron_sc21_t1_39p1B", {4, 0, false}},   {"megatron_sc21_t1_76p1B", {2, 5, false}},
    {"megatron_sc21_t1_145p6B", {2, 5, false}},  {"megatron_sc21_t1_310p1B", {1, 3, false}},
    {"megatron_sc21_t1_529p6B", {1, 1, false}},  {"megatron_sc21_t1_1008p0B", {1, 0, false}},
};

struct Row {
  std::string id;
  double predicted_tflops;
  double measured_tflops;
  double error() const { return (predicted_tflops - measured_tflops) / measured_tflops; }
};

YAML::Node entries()
{
  return YAML::LoadFile(dcsim::test::reference_path("training/published.yaml"))["entries"];
}

std::vector<std::string> job_overrides(const YAML::Node& model, int gpus, int tensor, int pipeline, int global_batch)
{
  const std::string j = "jobs.0.";
  return {"cluster.nodes=" + std::to_string((gpus + 7) / 8),
          j + "gpus=" + std::to_string(gpus),
          j + "model.hidden=" + model["hidden_size"].as<std::string>(),
          j + "model.layers=" + model["num_layers"].as<std::string>(),
          j + "model.heads=" + model["attention_heads"].as<std::string>(),
          j + "model.seq_len=" + model["seq_len"].as<std::string>(),
          j + "model.vocab=" + model["vocab_size"].as<std::string>(),
          j + "parallelism.tensor=" + std::to_string(tensor),
          j + "parallelism.pipeline=" + std::to_string(pipeline),
          j + "parallelism.data=" + std::to_string(gpus / (tensor * pipeline)),
          j + "batch.global=" + std::to_string(global_batch)};
}

double iteration_time(const std::string& scenario, const std::vector<std::string>& overrides)
{
  const auto result = dcsim::test::run_scenario(scenario, overrides);
  return result["jobs"][0]["iteration_time_s"].get<double>();
}

void print_table(const char* title, const std::vector<Row>& rows)
{
  std::printf("\n%s\n%-28s %12s %12s %9s\n", title, "case (* = fitted)", "predicted", "measured", "error");
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    std::printf("%-28s %12.1f %12.1f %+8.1f%%%s\n", (r.id + (i % 2 == 0 ? " *" : "")).c_str(), r.predicted_tflops,
                r.measured_tflops, 100 * r.error(), std::fabs(r.error()) > 0.15 ? "  (outside 15%)" : "");
  }
  std::vector<double> errors;
  for (const auto& r : rows)
    errors.push_back(r.error());
  std::printf("%-28s %34s %7.1f%%\n", "median |error|", "", 100 * median_abs(errors));
}

void check_bounds(const std::vector<Row>& rows, double per_row_bound)
{
  std::vector<double> errors;
  for (const auto& r : rows) {
    INFO(r.id << ": predicted " << r.predicted_tflops << " TFLOP/s, measured " << r.measured_tflops);
    CHECK(std::fabs(r.error()) <= per_row_bound);
    errors.push_back(r.error());
  }
  CHECK(median_abs(errors) <= 0.07);
}

} // namespace

TEST_CASE("validation: Megatron-LM SC21 Table 1 throughput within 15%, median 7%", "[validation][slow]")
{
  std::vector<Row> rows;
  for (const auto& e : entries()) {
    const std::string id = e["id"].as<std::string>();
    if (!kSc21Runs.count(id))
      continue;
    const Sc21Run run = kSc21Runs.at(id);
    const YAML::Node c = e["config"];
    const int gpus = c["num_gpus"].as<int>();
    const int tensor = c["parallelism"]["tensor_parallel"].as<int>();
    const int pipeline = c["parallelism"]["pipeline_parallel"].as<int>();
    const int batch = c["global_batch_size_sequences"].as<int>();
    auto overrides = job_overrides(c["model"], gpus, tensor, pipeline, batch);
    overrides.push_back("jobs.0.batch.micro=" + std::to_string(run.micro_batch));
    const int layers = c["model"]["num_layers"].as<int>();
    if (run.layers_per_virtual_stage > 0)
      overrides.push_back("jobs.0.parallelism.virtual_stages=" +
                          std::to_string(layers / pipeline / run.layers_per_virtual_stage));
    overrides.push_back(std::string("jobs.0.parallelism.overlap_grad_reduce=") + (run.torch_ddp ? "true" : "false"));
    if (run.torch_ddp)
      overrides.push_back("jobs.0.parallelism.bucket_size=25MB");
    const double t = iteration_time("scenarios/validation/selene-a100.yaml", overrides);
    dcsim::ModelConfig model;
    model.hidden = c["model"]["hidden_size"].as<int>();
    model.layers = layers;
    model.seq_len = c["model"]["seq_len"].as<int>();
    model.vocab = c["model"]["vocab_size"].as<int>();
    const double flops = dcsim::sc21_flops_per_iteration(model, batch);
    rows.push_back({id, flops / t / gpus / 1e12, e["measured"]["achieved_tflops_per_gpu"].as<double>()});
  }
  print_table("Megatron-LM SC21 Table 1, TFLOP/s per GPU (SC21 counting, recompute included)", rows);
  REQUIRE(rows.size() == 10);
  check_bounds(rows, 0.15);
}

TEST_CASE("validation: Megatron-Core H100 weak scaling within 15%, median 7%", "[validation][slow]")
{
  std::vector<Row> rows;
  for (const auto& e : entries()) {
    const std::string id = e["id"].as<std::string>();
    if (id.rfind("mcore_h100_weak_", 0) != 0)
      continue;
    const YAML::Node c = e["config"];
    const int gpus = c["num_gpus"].as<int>();
    const int tensor = c["parallelism"]["tensor_parallel"].as<int>();
    const int pipeline = c["parallelism"]["pipeline_parallel"].as<int>();
    auto overrides = job_overrides(c["model"], gpus, tensor, pipeline, c["global_batch_size"].as<int>());
    if (pipeline > 1) {
      const int layers_per_stage = c["model"]["num_layers"].as<int>() / pipeline;
      overrides.push_back("jobs.0.parallelism.virtual_stages=" + std::to_string(layers_per_stage));
    } else {
      overrides.push_back("jobs.0.batch.micro=2");
    }
    const auto result = dcsim::test::run_scenario("scenarios/validation/eos-h100.yaml", overrides);
    rows.push_back({id, result["jobs"][0]["model_tflops_per_gpu"].get<double>(),
                    e["measured"]["tflops_per_gpu"].as<double>()});
  }
  print_table("Megatron-Core H100 weak scaling, model TFLOP/s per GPU", rows);
  REQUIRE(rows.size() == 9);
  check_bounds(rows, 0.15);
}

TEST_CASE("validation: Megatron-Core GPT-3 175B strong scaling, MFU at 96 and 4608 H100s within 15%", "[validation][slow]")
{
  // mcore_h100_strong_gpt3_175b: batch 1152 on 96 and on 4608 H100s, MFU 47% and 42% (README;
  // the points in between are only plotted). Not used by any fit. TP and PP are not stated;
  // taken from the weak-scaling row of the same model (177B: TP8 PP6), with the schedule and
  // micro-batch of the weak-scaling test above (one layer per virtual stage, micro-batch 1).
  YAML::Node entry;
  for (YAML::Node e : entries())
    if (e["id"].as<std::string>() == "mcore_h100_strong_gpt3_175b")
      entry.reset(e);
  REQUIRE(entry.IsMap());
  const YAML::Node c = entry["config"];
  const int tensor = 8, pipeline = 6;
  std::vector<Row> rows;
  for (auto [gpus, key] : {std::pair{96, "mfu_percent_at_96_gpus"}, std::pair{4608, "mfu_percent_at_4608_gpus"}}) {
    auto overrides = job_overrides(c["model"], gpus, tensor, pipeline, c["global_batch_size"].as<int>());
    overrides.push_back("jobs.0.parallelism.virtual_stages=" +
                        std::to_string(c["model"]["num_layers"].as<int>() / pipeline));
    const auto result = dcsim::test::run_scenario("scenarios/validation/eos-h100.yaml", overrides);
    rows.push_back({"gpt3_175b_" + std::to_string(gpus) + "_gpus", 100 * result["jobs"][0]["mfu"].get<double>(),
                    entry["measured"][key].as<double>()});
  }
  std::printf("\nMegatron-Core GPT-3 175B strong scaling (batch 1152), MFU %% (published as whole percents)\n");
  for (const auto& r : rows)
    std::printf("%-28s %12.1f %12.1f %+8.1f%%\n", r.id.c_str(), r.predicted_tflops, r.measured_tflops, 100 * r.error());
  for (const auto& r : rows) {
    INFO(r.id << ": predicted MFU " << r.predicted_tflops << "%, published " << r.measured_tflops << "%");
    CHECK(std::fabs(r.error()) <= 0.15);
  }
  // The published trend: MFU falls as the same batch spreads over 48x the GPUs.
  CHECK(rows[1].predicted_tflops < rows[0].predicted_tflops);
}
