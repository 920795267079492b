// Expert parallelism end to end: the token all-to-alls exposed exactly as long as the tuner
// says on a fabric nothing else uses during the passes (one pipeline rank, gradients reduced
// after the last backward), and the expert gradients reduced over the ranks that hold the same
// experts only.
#include "support/test_support.hpp"

#include "compute/compute_cost_model.hpp"
#include "parallelism/job_workload.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

namespace {

// 4 nodes of 8 H100s; TP2 x DP16; expert-parallel groups of 4 consecutive data-parallel ranks
// (8 GPUs: all-to-all over NVLink), 16 / 4 = 4 ranks hold each expert.
const char* kScenario = R"(
name: expert-parallel-test
cluster:
  nodes: 4
  node:
    gpu: H100-SXM-80GB
    gpus: 8
    scale_up: {bandwidth: 450GB/s, latency: 1us}
    nics: {count: 8, bandwidth: 400Gb/s, latency: 2us}
  fabric: {topology: fat-tree, tiers: 2, radix: 64}
jobs:
  - name: moe
    gpus: 32
    model: {hidden: 4096, layers: 4, heads: 32, kv_heads: 8, ffn: swiglu, expert_ffn_hidden: 14336,
            experts: 8, top_k: 2, seq_len: 4096, vocab: 32000}
    parallelism: {tensor: 2, expert: 4, pipeline: 1, data: 16, zero: 1, overlap_grad_reduce: false}
    batch: {global: 32, micro: 1}
    iterations: 2
)";

std::string error_of(const std::vector<std::string>& overrides)
{
  return dcsim::test::load_error(kScenario, overrides);
}

} // namespace

TEST_CASE("expert parallel: the dispatch all-to-alls' exposed time is their time on an idle fabric", "[engine]")
{
  const auto r = dcsim::test::run_scenario_text(kScenario);
  const auto& job = r["jobs"][0];
  double estimate = 0;
  int dense_groups = 0, expert_groups = 0;
  for (const auto& u : job["collectives"]) {
    if (u["purpose"] == "expert_parallel") {
      CHECK(u["op"] == "alltoall");
      CHECK(u["ranks"] == 4);
      CHECK(u["bytes"].get<double>() == Approx(4096.0 / 2 * 2 * 4096 * 2)); // T/t x top_k x h x e
      estimate += u["estimated_s"].get<double>() * u["calls_per_iteration"].get<int>();
    } else if (u["purpose"] == "data_parallel") {
      if (u["ranks"] == 16)
        ++dense_groups;
      else if (u["ranks"] == 4)
        ++expert_groups;
      else
        FAIL("data-parallel group of " << u["ranks"] << " ranks");
    }
  }
  const double exposed = job["breakdown_s"]["expert_parallel_comm"].get<double>();
  INFO("exposed " << exposed << " s, tuner's estimate " << estimate << " s");
  CHECK(estimate > 0);
  CHECK(exposed == Approx(estimate).epsilon(0.01));
  CHECK(dense_groups >= 1);
  CHECK(expert_groups >= 1);
}

TEST_CASE("expert parallel: hierarchical dispatch over nodes is a network step per position, then NVLink", "[engine]")
{
  // 16 experts over expert groups of 16 ranks (TP2: 4 ranks on each of 4 nodes). A token's 2 of
  // 16 experts miss a node (4 experts) with probability (12/16)(11/15) = 0.55: it reaches
  // 4 x 0.45 x 3/4 = 1.35 other nodes, so the network all-to-all among the 4 ranks at one
  // position carries 1.35 / 2 x 4/3 = 0.9 of the flat call's bytes; the NVLink one all of them.
  const auto r = dcsim::test::run_scenario_text(
      kScenario, {"jobs.0.model.experts=16", "jobs.0.parallelism.expert=16",
                  "jobs.0.parallelism.expert_dispatch=hierarchical"});
  const auto& job = r["jobs"][0];
  const double flat_bytes = 4096.0 / 2 * 2 * 4096 * 2; // T/t x top_k x h x e
  double network_s = 0, node_s = 0;
  int steps = 0;
  for (const auto& u : job["collectives"]) {
    if (u["purpose"] != "expert_parallel")
      continue;
    ++steps;
    CHECK(u["ranks"] == 4);
    const bool network = u["bytes"].get<double>() < flat_bytes;
    CHECK(u["bytes"].get<double>() == Approx(network ? 0.9 * flat_bytes : flat_bytes));
    (network ? network_s : node_s) += u["estimated_s"].get<double>() * u["calls_per_iteration"].get<int>();
  }
  CHECK(steps == 2);
  // The steps stream together, the slower setting the pace; positions use their own NICs and
  // nodes their own NVLink switches: as on an idle fabric.
  const double estimate = std::max(network_s, node_s);
  const double exposed = job["breakdown_s"]["expert_parallel_comm"].get<double>();
  INFO("exposed " << exposed << " s, tuner's estimate " << estimate << " s");
  CHECK(exposed == Approx(estimate).epsilon(0.01));
  CHECK(error_of({"jobs.0.model.routing_nodes=2"}).find("jobs.0.model.routing_nodes: node-limited routing saves "
                                                        "traffic only when") != std::string::npos);
  CHECK(error_of({"jobs.0.parallelism.expert=1", "jobs.0.parallelism.fp8_dispatch=true"})
            .find("jobs.0.parallelism.fp8_dispatch: there is no token dispatch") != std::string::npos);
}

TEST_CASE("expert parallel: more expert-parallel ranks hold fewer experts and reduce them over fewer ranks",
          "[engine]")
{
  const auto four = dcsim::test::run_scenario_text(kScenario);
  const auto one = dcsim::test::run_scenario_text(kScenario, {"jobs.0.parallelism.expert=1"});
  // Each of 8 experts x 4 layers: 3 x 4096 x 14336 weights in bf16, split over t = 2 ranks; ep = 4
  // holds a quarter of them. (Adam states: ZeRO-1 over 16 ranks either way for the experts' share.)
  const double expert_weights = 8 * 4 * 3.0 * 4096 * 14336 * 2 / 2;
  const double saved = one["jobs"][0]["memory_per_gpu_bytes"].get<double>() -
                       four["jobs"][0]["memory_per_gpu_bytes"].get<double>();
  INFO("saved " << saved << " bytes");
  CHECK(saved > 0.75 * expert_weights * (1 + 2)); // weights and fp32 gradients, at least
  CHECK(one["jobs"][0]["breakdown_s"]["expert_parallel_comm"].get<double>() == 0.0);
}

TEST_CASE("expert parallel: routing imbalance slows the step, not the FLOPs counted", "[engine]")
{
  const auto balanced = dcsim::test::run_scenario_text(kScenario)["jobs"][0];
  const auto skewed = dcsim::test::run_scenario_text(kScenario, {"jobs.0.model.routing_imbalance=1.5"})["jobs"][0];
  const auto& b = balanced["breakdown_s"];
  const auto& s = skewed["breakdown_s"];
  INFO("balanced " << b.dump() << "\nskewed " << s.dump());
  // 1.5x the bytes; the latency part of each all-to-all stays.
  const double ratio = s["expert_parallel_comm"].get<double>() / b["expert_parallel_comm"].get<double>();
  CHECK(ratio > 1.3);
  CHECK(ratio <= 1.5 + 1e-9);
  CHECK(s["compute"].get<double>() > b["compute"].get<double>());
  CHECK(skewed["mfu"].get<double>() < balanced["mfu"].get<double>());
  CHECK(skewed["iteration_time_s"].get<double>() * skewed["mfu"].get<double>() ==
        Approx(balanced["iteration_time_s"].get<double>() * balanced["mfu"].get<double>()).epsilon(1e-9));
}

TEST_CASE("expert parallel: bad settings are one-line errors naming the key", "[engine]")
{
  auto error = [](const std::vector<std::string>& overrides) { return dcsim::test::load_error(kScenario, overrides); };
  CHECK(error({"jobs.0.parallelism.expert=3"}).find("jobs.0.parallelism.expert: expert degree 3 does not divide the 8 "
                                                    "experts") != std::string::npos);
  CHECK(error({"jobs.0.parallelism.expert=8", "jobs.0.parallelism.data=12", "jobs.0.gpus=24",
               "jobs.0.batch.global=24"})
            .find("jobs.0.parallelism.expert: expert degree 8 does not divide data 12") != std::string::npos);
  CHECK(error({"jobs.0.model.routing_imbalance=0.5"}).find("jobs.0.model.routing_imbalance") != std::string::npos);
  CHECK(error({"jobs.0.model.top_k=9"}).find("jobs.0.model.top_k: top_k 9 with 8 experts") != std::string::npos);
  CHECK(error({"jobs.0.model.experts=1", "jobs.0.model.top_k=1"})
            .find("jobs.0.parallelism.expert: expert parallelism 4 needs a mixture-of-experts model") !=
        std::string::npos);
  CHECK(error({"jobs.0.parallelism.sequence_parallel=false"}).find("jobs.0.parallelism.sequence_parallel") !=
        std::string::npos);
  CHECK(error({"jobs.0.model.experts=1", "jobs.0.model.top_k=1", "jobs.0.parallelism.expert=1",
               "jobs.0.model.shared_expert_ffn_hidden=1024"})
            .find("jobs.0.model.shared_expert_ffn_hidden: a shared expert needs a mixture-of-experts model") !=
        std::string::npos);
}

TEST_CASE("expert parallel: dense first layers carry no experts and no token all-to-alls", "[engine]")
{
  // 4 layers on 2 pipeline ranks; the first 2 are dense: rank 0 holds no experts.
  const auto config = dcsim::test::load_text(
      kScenario, {"jobs.0.model.first_dense_layers=2", "jobs.0.model.ffn_hidden=8192", "jobs.0.parallelism.pipeline=2",
                  "jobs.0.parallelism.data=8", "jobs.0.batch.global=16"});
  const auto& job = config.jobs[0];
  const dcsim::ComputeCostModel cost(config.cluster.node.gpu, config.cluster.profile, job.precision);
  const auto w = dcsim::build_job_workload(job, cost);
  REQUIRE(w.chunks.size() == 2);
  CHECK(w.expert_parameters_per_gpu[0] == 0.0);
  CHECK(w.expert_parameters_per_gpu[1] > 0.0);
  CHECK(w.chunks[0].forward.expert_parallel.empty());
  CHECK_FALSE(w.chunks[1].forward.expert_parallel.empty());
  CHECK(job.model.dense_variant().ffn_hidden == 8192);
  CHECK(job.model.ffn_hidden == 14336);
  const auto r = dcsim::test::run_config(config)["jobs"][0];
  CHECK(r["iteration_time_s"].get<double>() > 0);
  CHECK(error_of({"jobs.0.model.first_dense_layers=4"}).find("jobs.0.model.first_dense_layers: 4 of 4 layers") !=
        std::string::npos);
}

TEST_CASE("expert parallel: alternating layers put half the experts' work and all-to-alls on each rank")
{
  // 4 layers on 2 pipeline ranks, every other one MoE (layers 0 and 2): each rank holds one MoE
  // and one dense layer, so the same expert parameters and half the all-to-alls of all-MoE.
  const std::vector<std::string> two_ranks = {"jobs.0.model.ffn_hidden=8192", "jobs.0.parallelism.pipeline=2",
                                              "jobs.0.parallelism.data=8", "jobs.0.batch.global=16"};
  auto alternating = two_ranks;
  alternating.push_back("jobs.0.model.moe_layer_frequency=2");
  const auto load = [](const std::vector<std::string>& overrides) {
    const auto config = dcsim::test::load_text(kScenario, overrides);
    const auto& job = config.jobs[0];
    const dcsim::ComputeCostModel cost(config.cluster.node.gpu, config.cluster.profile, job.precision);
    return dcsim::build_job_workload(job, cost);
  };
  const auto all_moe = load(two_ranks), half = load(alternating);
  const auto calls = [](const dcsim::CollectiveCalls& c) {
    int n = 0;
    for (const auto& call : c)
      n += call.count;
    return n;
  };
  REQUIRE(half.chunks.size() == 2);
  for (int rank = 0; rank < 2; ++rank) {
    CHECK(half.expert_parameters_per_gpu[rank] == Approx(all_moe.expert_parameters_per_gpu[rank] / 2).epsilon(1e-12));
    CHECK(calls(half.chunks[rank].forward.expert_parallel) * 2 == calls(all_moe.chunks[rank].forward.expert_parallel));
    CHECK(calls(half.chunks[rank].forward.expert_parallel) > 0);
  }
  CHECK(error_of({"jobs.0.model.moe_layer_frequency=5", "jobs.0.model.first_dense_layers=1"})
            .find("jobs.0.model.moe_layer_frequency: leaves no layer with experts") != std::string::npos);
  CHECK(error_of({"jobs.0.model.moe_layer_frequency=0"}).find("jobs.0.model.moe_layer_frequency") != std::string::npos);
}
