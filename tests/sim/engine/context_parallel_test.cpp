// Context parallelism end to end on a cluster where the exchange is the only inter-node traffic
// of the passes (TP8 inside a node, one pipeline rank, gradients reduced after the last backward):
// exposed context-parallel time against the tuner's estimate of the same collectives and, for
// ring attention, against the attention kernels it hides behind.
#include "support/test_support.hpp"

#include "compute/compute_cost_model.hpp"
#include "parallelism/job_workload.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

namespace {

const char* kScenario = R"(
name: context-parallel-test
cluster:
  nodes: 4
  node:
    gpu: H100-SXM-80GB
    gpus: 8
    scale_up: {bandwidth: 450GB/s, latency: 1us}
    nics: {count: 8, bandwidth: 400Gb/s, latency: 2us}
  fabric: {topology: fat-tree, tiers: 2, radix: 64}
jobs:
  - name: long
    gpus: 32
    model: {hidden: 4096, layers: 4, heads: 32, kv_heads: 8, ffn: swiglu, ffn_hidden: 14336, seq_len: 32768, vocab: 128}
    parallelism: {tensor: 8, context: 4, pipeline: 1, data: 1, overlap_grad_reduce: false}
    batch: {global: 2, micro: 1}
    iterations: 2
)";

const nlohmann::json& breakdown(const nlohmann::json& r) { return r["jobs"][0]["breakdown_s"]; }

/// Seconds of context-parallel collectives per iteration if each ran alone, split by call size.
struct Estimate {
  double total_s = 0;
  std::vector<std::pair<double, double>> by_bytes; // (bytes, seconds per iteration)
};

Estimate context_estimate(const nlohmann::json& r)
{
  Estimate e;
  for (const auto& u : r["jobs"][0]["collectives"])
    if (u["purpose"] == "context_parallel") {
      CHECK(u["ranks"] == 4);
      const double s = u["estimated_s"].get<double>() * u["calls_per_iteration"].get<int>();
      e.total_s += s;
      e.by_bytes.emplace_back(u["bytes"].get<double>(), s);
    }
  return e;
}

} // namespace

TEST_CASE("context parallel: all_gather's exposed time is its collectives' time on an idle fabric", "[engine]")
{
  const auto r = dcsim::test::run_scenario_text(kScenario, {"jobs.0.parallelism.context_exchange=all_gather"});
  const Estimate est = context_estimate(r);
  const double exposed = breakdown(r)["context_parallel_comm"].get<double>();
  INFO("exposed " << exposed << " s, tuner's estimate " << est.total_s << " s");
  REQUIRE(est.by_bytes.size() == 2); // all-gathers (forward, backward) and reduce-scatters, same size
  CHECK(exposed == Approx(est.total_s).epsilon(0.01));
}

TEST_CASE("context parallel: ring attention hides its hand-offs behind the attention kernels", "[engine]")
{
  // 400 Gb/s NICs: a 4.2 MB hand-off takes ~0.1 ms, the attention of 8,192 queries ~1 ms.
  const auto fast = dcsim::test::run_scenario_text(kScenario);
  CHECK(breakdown(fast)["context_parallel_comm"].get<double>() < 0.01 * context_estimate(fast).total_s);

  // 10 Gb/s NICs: the hand-offs outlast the attention; each pass waits for the difference.
  const std::vector<std::string> slow_nics = {"cluster.node.nics.bandwidth=10Gb/s"};
  const auto slow = dcsim::test::run_scenario_text(kScenario, slow_nics);
  Estimate est = context_estimate(slow);
  REQUIRE(est.by_bytes.size() == 2);
  const auto config = dcsim::test::load_text(kScenario, slow_nics);
  const auto& job = config.jobs[0];
  const dcsim::ComputeCostModel cost(config.cluster.node.gpu, config.cluster.profile, job.precision);
  const auto work = dcsim::build_job_workload(job, cost);
  const int micro_batches = 2;
  // The smaller calls are the forward hand-offs (keys and values), the larger the backward's.
  std::sort(est.by_bytes.begin(), est.by_bytes.end());
  const double forward_comm = est.by_bytes[0].second / micro_batches;
  const double backward_comm = est.by_bytes[1].second / micro_batches;
  const auto& chunk = work.chunks[0];
  const double expected = micro_batches * (std::max(0.0, forward_comm - chunk.forward.context_overlap_s) +
                                            std::max(0.0, backward_comm - chunk.backward.context_overlap_s));
  const double exposed = breakdown(slow)["context_parallel_comm"].get<double>();
  INFO("exposed " << exposed << " s; hand-offs " << est.total_s << " s less attention = " << expected << " s");
  CHECK(chunk.forward.context_overlap_s > 0);
  CHECK(expected > 0.5 * est.total_s);
  CHECK(exposed == Approx(expected).epsilon(0.01));
}

TEST_CASE("context parallel: gradients are reduced over data x context ranks", "[engine]")
{
  const auto r = dcsim::test::run_scenario_text(
      kScenario, {"jobs.0.parallelism.context=2", "jobs.0.parallelism.data=2", "jobs.0.batch.global=4"});
  int data = 0;
  for (const auto& u : r["jobs"][0]["collectives"]) {
    if (u["purpose"] == "data_parallel") {
      CHECK(u["ranks"] == 4);
      ++data;
    } else if (u["purpose"] == "context_parallel") {
      CHECK(u["ranks"] == 2);
    }
  }
  CHECK(data >= 1);
  // Tokens per second count whole sequences: 4 of 32,768 tokens per iteration.
  const auto& job = r["jobs"][0];
  CHECK(job["tokens_per_s"].get<double>() ==
        Approx(4 * 32768 / job["iteration_time_s"].get<double>()).epsilon(1e-9));
}

TEST_CASE("context parallel: bad settings are one-line errors naming the key", "[engine]")
{
  auto error = [](const std::vector<std::string>& overrides) { return dcsim::test::load_error(kScenario, overrides); };
  CHECK(error({"jobs.0.model.seq_len=32760"}).find("jobs.0.parallelism.context: seq_len 32760 does not split") !=
        std::string::npos);
  CHECK(error({"jobs.0.parallelism.context_exchange=all_to_all", "jobs.0.model.heads=16"})
            .find("jobs.0.parallelism.context_exchange: all_to_all spreads the 2 heads") != std::string::npos);
  CHECK(error({"jobs.0.parallelism.context_exchange=p2p"}).find("jobs.0.parallelism.context_exchange") !=
        std::string::npos);
  CHECK(error({"jobs.0.parallelism.pipeline=2", "jobs.0.parallelism.context=2", "jobs.0.parallelism.virtual_stages=4",
               "jobs.0.gpus=32"})
            .find("at most 6 chunks") != std::string::npos);
}
