// The engine end to end on small scenarios whose answers can be derived.
#include "support/test_support.hpp"

#include "compute/compute_cost_model.hpp"
#include "engine/job_plans.hpp"
#include "parallelism/job_workload.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

namespace {

// 4 nodes of 8 H100s; a wide, shallow model with a tiny vocabulary so that every pipeline stage
// does the same work (the embedding and the head are negligible).
const char* kScenario = R"(
name: engine-test
cluster:
  nodes: 4
  node:
    gpu: H100-SXM-80GB
    gpus: 8
    scale_up: {bandwidth: 450GB/s, latency: 1us}
    nics: {count: 8, bandwidth: 400Gb/s, latency: 2us}
  fabric: {topology: fat-tree, tiers: 2, radix: 64}
jobs:
  - name: uniform
    gpus: 4
    model: {hidden: 8192, layers: 8, heads: 64, seq_len: 1024, vocab: 128}
    parallelism: {tensor: 1, pipeline: 4, data: 1}
    batch: {global: 8, micro: 1}
    iterations: 3
)";

double iteration(const nlohmann::json& result, int job = 0)
{
  return result["jobs"][job]["iteration_time_s"].get<double>();
}

} // namespace

TEST_CASE("engine: 1F1B iteration is (m + p - 1) x (forward + backward) of a stage", "[engine]")
{
  const auto config = dcsim::test::load_text(kScenario);
  const auto& job = config.jobs[0];
  const dcsim::ComputeCostModel cost(config.cluster.node.gpu, config.cluster.profile, job.precision);
  const auto work = dcsim::build_job_workload(job, cost);
  // The middle stages carry neither embedding nor head; use stage 1's passes.
  const double f = work.chunks[1].forward.compute_s;
  const double b = work.chunks[1].backward.compute_s;
  const int m = 8, p = 4;
  const double expected = (m + p - 1) * (f + b) + work.optimizer_s[1];
  const double simulated = iteration(dcsim::test::run_config(config));
  INFO("simulated " << simulated << " s, (m+p-1)(F+B) = " << expected << " s");
  // Pipeline transfers (a few us each over NVLink) and the tiny head add a little.
  CHECK(simulated == Approx(expected).epsilon(0.02));
  CHECK(simulated >= expected * 0.999);
}

TEST_CASE("engine: GPipe has the same bubble as 1F1B, interleaving shrinks it", "[engine]")
{
  const double one_f_one_b = iteration(dcsim::test::run_scenario_text(kScenario));
  const double gpipe = iteration(dcsim::test::run_scenario_text(kScenario, {"jobs.0.parallelism.schedule=gpipe"}));
  const double interleaved =
      iteration(dcsim::test::run_scenario_text(kScenario, {"jobs.0.parallelism.virtual_stages=2"}));
  CHECK(gpipe == Approx(one_f_one_b).epsilon(0.01));
  // Bubble (p-1)/v: from 3 to 1.5 stage-passes out of m + bubble.
  CHECK(interleaved < one_f_one_b * 0.9);
}

TEST_CASE("engine: ZB-H1's bubble is (p - 1) x max(B, F + B - W), 1F1B's (p - 1) x (F + B + W)", "[engine]")
{
  // Qi et al. 2024: split the backward into B (input gradients) and W (weight gradients) and let
  // the W's fill the cool-down; the previous rank waits for B only.
  const auto config = dcsim::test::load_text(kScenario, {"jobs.0.parallelism.schedule=zb-h1"});
  const auto& job = config.jobs[0];
  const dcsim::ComputeCostModel cost(config.cluster.node.gpu, config.cluster.profile, job.precision);
  const auto work = dcsim::build_job_workload(job, cost);
  const auto& chunk = work.chunks[1];
  const double f = chunk.forward.compute_s;
  const double b = chunk.input_gradient.compute_s;
  const double w = chunk.weight_gradient.compute_s;
  // The split adds up to the whole backward (every kernel lands on one side).
  CHECK(b + w == Approx(chunk.backward.compute_s).epsilon(1e-9));
  CHECK(w > 0.3 * (b + w)); // dW is one of every layer's GEMM pairs
  const int m = 8, p = 4;
  const double zb_expected = m * (f + b + w) + (p - 1) * std::max(b, f + b - w) + work.optimizer_s[1];
  const double zb = iteration(dcsim::test::run_config(config));
  const double one_f_one_b = iteration(dcsim::test::run_scenario_text(kScenario));
  const double one_f_one_b_expected = (m + p - 1) * (f + b + w) + work.optimizer_s[1];
  INFO("ZB-H1 simulated " << zb << " s, formula " << zb_expected << " s; 1F1B " << one_f_one_b << " s, formula "
                          << one_f_one_b_expected << " s");
  // Pipeline transfers (a few us each over NVLink) and the tiny head add a little, as for 1F1B.
  CHECK(zb == Approx(zb_expected).epsilon(0.02));
  CHECK(zb >= zb_expected * 0.999);
  CHECK(one_f_one_b == Approx(one_f_one_b_expected).epsilon(0.02));
}

TEST_CASE("engine: DualPipeV's bubble is (p - 1)(F&B + B - 3W) over 2p chunks in a V", "[engine]")
{
  // DeepSeek's DualPipeV (deepseek-ai/DualPipe README: bubble (PP/2 - 1)(F&B + B - 3W) for PP
  // stages; here PP = 2p chunks of one layer), with B the whole backward and F&B an overlapped
  // pair, F + B when no communication is left to hide (no expert or context exchange here).
  const auto config = dcsim::test::load_text(kScenario, {"jobs.0.parallelism.schedule=dualpipev"});
  const auto& job = config.jobs[0];
  REQUIRE(job.parallelism.virtual_stages == 2);
  const dcsim::ComputeCostModel cost(config.cluster.node.gpu, config.cluster.profile, job.precision);
  const auto work = dcsim::build_job_workload(job, cost);
  REQUIRE(work.chunks.size() == 8);
  // The V: chunk c < 4 on rank c, chunk c >= 4 on rank 7 - c.
  CHECK(work.chunks[3].layout.stage == 3);
  CHECK(work.chunks[4].layout.stage == 3);
  CHECK(work.chunks[7].layout.stage == 0);
  const auto& chunk = work.chunks[1];
  const double f = chunk.forward.compute_s;
  const double b = chunk.backward.compute_s;
  const double w = chunk.weight_gradient.compute_s;
  const int m = 8, p = 4;
  const double expected = 2 * m * (f + b) + (p - 1) * ((f + b) + b - 3 * w) + work.optimizer_s[1];
  const double simulated = iteration(dcsim::test::run_config(config));
  INFO("DualPipeV simulated " << simulated << " s, formula " << expected << " s");
  CHECK(simulated == Approx(expected).epsilon(0.02));
  CHECK(simulated >= expected * 0.999);
}

TEST_CASE("engine: results are deterministic run to run", "[engine]")
{
  auto first = dcsim::test::run_scenario("scenarios/1024gpu.yaml", {"jobs.0.iterations=2"});
  auto second = dcsim::test::run_scenario("scenarios/1024gpu.yaml", {"jobs.0.iterations=2"});
  first.erase("wall_clock_s");
  second.erase("wall_clock_s");
  CHECK(first == second);
}

TEST_CASE("engine: fast-forwarding steady iterations gives the times of simulating them all", "[engine]")
{
  auto config = dcsim::test::load_text(kScenario, {"jobs.0.iterations=6", "jobs.0.parallelism.data=2",
                                                   "jobs.0.gpus=8", "jobs.0.parallelism.zero=1"});
  const auto fast = dcsim::test::run_config(config, true);
  const auto full = dcsim::test::run_config(config, false);
  CHECK(fast["jobs"][0]["simulated_iterations"] < 6);
  CHECK(full["jobs"][0]["simulated_iterations"] == 6);
  CHECK(fast["jobs"][0]["end_time_s"].get<double>() ==
        Approx(full["jobs"][0]["end_time_s"].get<double>()).epsilon(1e-9));
}

TEST_CASE("engine: two jobs on a non-blocking fabric do not slow each other", "[engine]")
{
  const std::vector<std::string> data_parallel = {"jobs.0.gpus=16", "jobs.0.parallelism.data=4"};
  const double alone = iteration(dcsim::test::run_scenario_text(kScenario, data_parallel));
  auto two = dcsim::test::load_text(kScenario, data_parallel);
  two.jobs.push_back(two.jobs[0]);
  two.jobs[1].name = "second";
  const auto result = dcsim::test::run_config(two);
  CHECK(iteration(result, 0) == Approx(alone).epsilon(1e-6));
  CHECK(iteration(result, 1) == Approx(alone).epsilon(1e-6));
  CHECK(result["jobs"][1]["first_gpu"] == 16);
}

TEST_CASE("engine: a job that starts later ends later by the same amount", "[engine]")
{
  const auto now = dcsim::test::run_scenario_text(kScenario);
  const auto later = dcsim::test::run_scenario_text(kScenario, {"jobs.0.start_time=1h"});
  CHECK(later["jobs"][0]["start_time_s"] == 3600.0);
  CHECK(later["jobs"][0]["end_time_s"].get<double>() ==
        Approx(now["jobs"][0]["end_time_s"].get<double>() + 3600).epsilon(1e-9));
}

TEST_CASE("engine: the report lists the job's collectives as the tuner chose them", "[engine]")
{
  // GPT-3 175B, TP8 (sequence parallel) PP8 DP16, ZeRO-1, micro-batch 1, global batch 1536.
  const auto result = dcsim::test::run_scenario("scenarios/1024gpu.yaml");
  const auto& uses = result["jobs"][0]["collectives"];
  REQUIRE(uses.is_array());
  const double activation = 2048.0 * 1 * 12288 * 2; // s x b x h in bf16
  const int micro_batches = 1536 / 16;
  int tensor = 0, send = 0, data = 0, gather = 0;
  for (const auto& u : uses) {
    const std::string purpose = u["purpose"];
    CHECK(u["estimated_s"].get<double>() > 0);
    CHECK(u["calls_per_iteration"].get<int>() > 0);
    if (purpose == "tensor_parallel" && u["op"] != "allreduce") {
      // Sequence-parallel all-gather / reduce-scatter of the whole activation, every micro-batch.
      CHECK(u["ranks"] == 8);
      CHECK(u["bytes"].get<double>() == Approx(activation).epsilon(1e-9));
      CHECK(u["calls_per_iteration"].get<int>() % micro_batches == 0);
      ++tensor;
    } else if (purpose == "pipeline_send") {
      CHECK(u["ranks"] == 2); // each tensor-parallel rank sends its 1/8 of the activation
      CHECK(u["bytes"].get<double>() == Approx(activation / 8).epsilon(1e-9));
      ++send;
    } else if (purpose == "data_parallel") {
      CHECK(u["ranks"] == 16);
      CHECK(u["op"] == "reducescatter"); // ZeRO-1: gradients are reduce-scattered
      ++data;
    } else if (purpose == "parameter_gather") {
      CHECK(u["op"] == "allgather");
      ++gather;
    }
  }
  CHECK(tensor >= 2);
  CHECK(send >= 1);
  CHECK(data >= 1);
  CHECK(gather >= 1);
}

TEST_CASE("engine: a gradient reduction slower than the backward starts with the first bucket", "[engine]")
{
  // One GPU per node, so every data-parallel ring edge crosses a 50 GB/s NIC: the fp32 all-reduce
  // of 1.6B parameters (~200 ms) is slower than the one micro-batch's backward that produces it.
  // Megatron's buckets queue on one stream, the first ready after 1/k of the backward, so the
  // reduction ends at B/k + (all of it) and B - B/k of it is hidden. (Simulating merged bucket
  // groups that start only when their last bucket is ready hid ~40% of B less.) While the
  // reduction runs, its kernels hold overlap_comm_sms of the GPU's SMs and the backward runs on
  // the rest (engine/sm_share.hpp): the hidden part takes (B - B/k) / f, f = (sms - held) / sms.
  // kScenario's nodes with one GPU and one NIC each, and a data-parallel job on four of them.
  const auto config = dcsim::test::load_text(
      kScenario, {"cluster.node.gpus=1", "cluster.node.nics.count=1", "jobs.0.model.hidden=4096",
                  "jobs.0.model.heads=32", "jobs.0.model.seq_len=2048", "jobs.0.parallelism.pipeline=1",
                  "jobs.0.parallelism.data=4", "jobs.0.batch.global=16", "jobs.0.batch.micro=4", "jobs.0.iterations=2"});
  const dcsim::ComputeCostModel cost(config.cluster.node.gpu, config.cluster.profile, config.jobs[0].precision);
  const auto work = dcsim::build_job_workload(config.jobs[0], cost);
  const double backward = work.chunks[0].backward.compute_s;
  const auto breakdown = [](const nlohmann::json& r) { return r["jobs"][0]["breakdown_s"]; };
  auto reduced_at_end = config;
  reduced_at_end.jobs[0].parallelism.overlap_grad_reduce = false;
  const auto at_end = breakdown(dcsim::test::run_config(reduced_at_end));
  const double all_at_end = at_end["data_parallel_comm"];
  const double buckets = std::ceil(work.chunks[0].parameters_per_gpu / dcsim::default_bucket_parameters(4));
  REQUIRE(backward > 0.3 * all_at_end); // the case the test is about: B is a large share
  REQUIRE(backward < all_at_end);
  const int sms = config.cluster.node.gpu.sm_count;
  for (int held : {0, 20, 66}) {
    auto overlapped = config;
    overlapped.jobs[0].parallelism.overlap_comm_sms = held;
    const auto r = breakdown(dcsim::test::run_config(overlapped));
    const double exposed = r["data_parallel_comm"];
    const double f = (sms - held) / double(sms);
    const double hidden = backward * (1 - 1 / buckets); // the backward's kernels after the first bucket
    const double compute_stretch = r["compute"].get<double>() - at_end["compute"].get<double>();
    // The breakdown names that stretch (the reduction at the end ran beside no kernels).
    CHECK(at_end["compute_slowed_by_comm"].get<double>() == Approx(0).margin(1e-12));
    CHECK(r["compute_slowed_by_comm"].get<double>() == Approx(compute_stretch).margin(1e-9));
    INFO(held << " of " << sms << " SMs held; backward " << backward << " s, whole reduction " << all_at_end << " s, "
              << buckets << " buckets; exposed " << exposed << " s; the kernels took " << compute_stretch
              << " s longer");
    if (hidden / f <= all_at_end) {
      // The reduction outlasts the slowed kernels: it exposes R - (B - B/k) / f. 5%: the
      // overlapped reduction is 7 calls (bucket groups), each with the ring's ~90 us of per-call
      // latency, where the reference is one call (~0.55 ms of ~95 ms exposed). Starting each
      // group only when its last bucket is ready exposes ~40% of the backward more.
      CHECK(exposed == Approx(all_at_end - hidden / f).epsilon(0.05));
      // The stretch is compute time: (1/f - 1) of the hidden part.
      CHECK(compute_stretch == Approx(hidden / f - hidden).margin(2e-3 * backward));
    } else {
      // Half the SMs held: the kernels outlast the reduction, losing (1 - f) of it to the held
      // SMs, and only the last bucket's share of the reduction (gate) can be exposed.
      CHECK(compute_stretch == Approx(all_at_end * (1 - f)).epsilon(0.05));
      CHECK(exposed <= 2 * all_at_end / buckets);
    }
  }
}

TEST_CASE("engine: only the first pipeline rank's first chunk reduces its gradients bucket by bucket (ZeRO-3: all)", "[engine]")
{
  // Megatron-Core r0.8's DDP: later pipeline ranks and later model chunks are one bucket each.
  // PP2 x 2 virtual stages over 8 layers: four chunks of 2 layers (1.61B parameters, 6.4 GB of
  // fp32 gradients each); the first chunk in 40M-parameter buckets (simulated in groups of at
  // most 25), the other three as one reduction each.
  const auto result = dcsim::test::run_scenario_text(
      kScenario, {"jobs.0.gpus=8", "jobs.0.parallelism.pipeline=2", "jobs.0.parallelism.data=4",
                  "jobs.0.parallelism.virtual_stages=2", "jobs.0.parallelism.zero=1", "jobs.0.batch.global=16"});
  const double chunk_bytes = 2 * 12.0 * 8192 * 8192 * 4;
  int whole_chunk_calls = 0;
  double reduced_bytes = 0;
  for (const auto& u : result["jobs"][0]["collectives"]) {
    if (u["purpose"] != "data_parallel")
      continue;
    const double bytes = u["bytes"].get<double>();
    const int calls = u["calls_per_iteration"].get<int>();
    if (bytes >= chunk_bytes)
      whole_chunk_calls += calls;
    reduced_bytes += bytes * calls;
  }
  CHECK(whole_chunk_calls == 3);
  // Every gradient is reduced once: 4 chunks plus the (tiny, vocabulary 128) embedding and head.
  CHECK(reduced_bytes == Approx(4 * chunk_bytes).epsilon(0.01));

  // ZeRO-3 (FSDP-style) buckets every chunk's reduction.
  const auto sharded = dcsim::test::run_scenario_text(
      kScenario, {"jobs.0.gpus=8", "jobs.0.parallelism.pipeline=2", "jobs.0.parallelism.data=4",
                  "jobs.0.parallelism.virtual_stages=2", "jobs.0.parallelism.zero=3", "jobs.0.batch.global=16"});
  double largest = 0;
  for (const auto& u : sharded["jobs"][0]["collectives"])
    if (u["purpose"] == "data_parallel")
      largest = std::max(largest, u["bytes"].get<double>());
  CHECK(largest > 0);
  CHECK(largest < chunk_bytes);
}

TEST_CASE("engine: ZB-H1 over 1F1B on the ZB authors' example is about the 9% they measured", "[engine]")
{
  // sail-sg/zero-bubble-pipeline-parallelism, branch zb-h1-quick-start: examples/pretrain_zbh1.sh
  // (PP4 TP2 with sequence parallelism, 48 layers of hidden 4096 and 32 heads, sequence 1024,
  // micro-batch 2, global batch 24, fp16, selective recompute) "improves the throughput by about
  // 9% against the 1F1B baseline"; the GPU is not stated, so both A100 and H100 are checked,
  // within 4 points of 9% (their 32K SentencePiece vocabulary assumed).
  for (const auto& [gpu, nvlink] : {std::pair{"A100-SXM-80GB", "300GB/s"}, std::pair{"H100-SXM-80GB", "450GB/s"}}) {
    const std::string scenario = std::string(R"(
cluster:
  nodes: 1
  node: {gpu: )") + gpu + ", gpus: 8, scale_up: {bandwidth: " + nvlink + R"(, latency: 1us}, nics: {count: 8, bandwidth: 200Gb/s}}
  fabric: {topology: fat-tree, tiers: 1}
jobs:
  - name: zb-example
    gpus: 8
    model: {hidden: 4096, layers: 48, heads: 32, seq_len: 1024, vocab: 32000}
    parallelism: {tensor: 2, pipeline: 4, data: 1, sequence_parallel: true}
    batch: {global: 24, micro: 2}
    precision: fp16
    recompute: selective
    attention: unfused
)";
    const double one_f_one_b = iteration(dcsim::test::run_scenario_text(scenario));
    const double zb = iteration(dcsim::test::run_scenario_text(scenario, {"jobs.0.parallelism.schedule=zb-h1"}));
    const double speedup = one_f_one_b / zb - 1;
    INFO(gpu << ": 1F1B " << one_f_one_b << " s, ZB-H1 " << zb << " s, +" << 100 * speedup << "%");
    CHECK(speedup == Approx(0.09).margin(0.04));
  }
}
