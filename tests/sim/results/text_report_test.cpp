// The text summary: what it says beyond pipeline rank 0.
#include "results/text_report.hpp"

#include "support/test_support.hpp"

#include <catch2/catch.hpp>

namespace {

const char* kScenario = R"(
cluster:
  nodes: 2
  node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s, latency: 1us}, nics: {count: 8, bandwidth: 400Gb/s}}
jobs:
  - name: moe
    gpus: 16
    model: {preset: llama3-8b, layers: 4}  # the report only reads the plan
    parallelism: {tensor: 1, pipeline: 2, data: 8}
    batch: {global: 16, micro: 1}
)";

std::string summary(double rank1_expert_s, int simulated_iterations = 4, const std::vector<std::string>& overrides = {})
{
  const auto config = dcsim::test::load_text(kScenario, overrides);
  dcsim::SimulationResult result;
  dcsim::JobResult job;
  job.name = "moe";
  job.iteration_time_s = 10.0;
  job.iterations = 4;
  job.simulated_iterations = simulated_iterations;
  job.breakdown.exposed_comm_s = job.breakdown.data_parallel_comm_s = 0.1;
  job.stages.resize(2, job.breakdown);
  job.stages[1].expert_parallel_comm_s = rank1_expert_s;
  job.stages[1].exposed_comm_s += rank1_expert_s;
  result.jobs.push_back(job);
  return dcsim::text_summary(config, result);
}

} // namespace

TEST_CASE("results::text_summary: names the rank with the most exposed communication when not rank 0", "[results]")
{
  // Rank 1 waits 3 s more for expert all-to-alls than rank 0 (30% of the 10 s iteration).
  const std::string text = summary(3.0);
  INFO(text);
  CHECK(text.find("  most exposed comm   pipeline rank 1: 3.1 s") != std::string::npos);
  CHECK(text.find("(expert-parallel 3 s, data-parallel 100 ms)") != std::string::npos);
  // Within 1% of the iteration (0.1 s) of rank 0: not worth a line.
  CHECK(summary(0.05).find("most exposed comm") == std::string::npos);
}

TEST_CASE("results::text_summary: says when every iteration was simulated", "[results]")
{
  CHECK(summary(0, 4).find("(4 iterations, all simulated)") != std::string::npos);
  CHECK(summary(0, 2).find("(4 iterations, 2 simulated, the rest steady-state)") != std::string::npos);
}

TEST_CASE("results::text_summary: names the pipeline schedule unless the chunk count implies it", "[results]")
{
  CHECK(summary(0).find("TP1 PP2 DP8, micro-batch") != std::string::npos); // 1F1B
  CHECK(summary(0, 4, {"jobs.0.parallelism.schedule=zb-h1"}).find("TP1 PP2 DP8 (zb-h1), micro-batch") !=
        std::string::npos);
  CHECK(summary(0, 4, {"jobs.0.parallelism.virtual_stages=2"}).find("TP1 PP2 DP8 (v=2), micro-batch") !=
        std::string::npos); // interleaved
  CHECK(summary(0, 4, {"jobs.0.parallelism.schedule=dualpipev", "jobs.0.batch.global=32"})
            .find("TP1 PP2 DP8 (v=2, dualpipev), micro-batch") != std::string::npos);
}

TEST_CASE("results::text_summary: quota groups, most GPU-hours first, at most 20 lines", "[results]")
{
  const auto config = dcsim::test::load_text(kScenario);
  dcsim::SimulationResult result;
  result.scheduler.enabled = true;
  for (int g = 0; g < 25; ++g) {
    dcsim::GroupQueueStats group;
    group.name = "team" + std::to_string(g);
    group.quota_gpus = g == 3 ? 0 : 8;
    group.jobs = 2;
    group.borrowed_jobs = g == 24 ? 1 : 0;
    group.gpu_hours = g; // team24 holds the most
    result.scheduler.groups.push_back(group);
  }
  const std::string text = dcsim::text_summary(config, result);
  INFO(text);
  CHECK(text.find("group team24        quota 8 GPUs, 2 jobs (1 on borrowed GPUs), 24 GPU-hours") != std::string::npos);
  CHECK(text.find("group team24") < text.find("group team23"));
  CHECK(text.find("group team5 ") != std::string::npos);  // the 20th most
  CHECK(text.find("group team4 ") == std::string::npos);  // left to the JSON
  CHECK(text.find("group team3 ") == std::string::npos);
  CHECK(text.find("... and 5 more groups (all in the JSON's scheduler.groups)") != std::string::npos);
}
