// jobs[].min_gpus: a training job that may start on fewer GPUs (fewer data-parallel replicas,
// the global batch kept) when all it asks for are not free, as Slurm's --nodes=MIN-MAX.
#include "sim/scheduler/trace_scenarios.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace dcsim {
namespace {

/// Two nodes of 8 H100s; a trace job holds one of them from 0 to 1000 s; a training job of
/// `gpus` (TP8) submitted at 1 s, with `extra` keys.
std::string busy_node(int gpus, const std::string& extra, const std::string& trace)
{
  return "name: moldable\n"
         "cluster:\n"
         "  nodes: 2\n"
         "  node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s}, nics: {count: 8, bandwidth: 400Gb/s}}\n"
         "scheduler: {policy: fifo, trace: " + trace + "}\n"
         "jobs:\n"
         "  - name: train\n"
         "    gpus: " + std::to_string(gpus) + "\n"
         "    start_time: 1s\n"
         "    model: {hidden: 1024, layers: 4, heads: 16, seq_len: 1024, vocab: 32000}\n"
         "    parallelism: {tensor: 8, data: " + std::to_string(gpus / 8) + "}\n"
         "    batch: {global: 32, micro: 4}\n"
         "    iterations: 20\n" + extra;
}

TEST_CASE("moldable job: starts at once on the GPUs that are free, as the smaller job would run", "[scheduler]")
{
  const std::string trace = test::write_trace("mold-busy.csv", "submit_time_s,duration_s,gpus\n0,1000,8\n");
  const auto rigid = test::run_scenario_text(busy_node(16, "", trace))["jobs"][0];
  const auto moldable = test::run_scenario_text(busy_node(16, "    min_gpus: 8\n", trace))["jobs"][0];
  const auto small = test::run_scenario_text(busy_node(8, "", trace))["jobs"][0];
  CHECK(rigid["queue_s"].get<double>() == Approx(999).epsilon(1e-9)); // waits for the trace job
  CHECK(moldable["queue_s"].get<double>() == Approx(0).margin(1e-9));
  CHECK(moldable["start_time_s"].get<double>() == Approx(1).epsilon(1e-12));
  // On 8 GPUs it is the 8-GPU job (one replica, 8 micro-batches), which also starts at once.
  CHECK(moldable["iteration_time_s"].get<double>() == Approx(small["iteration_time_s"].get<double>()).epsilon(1e-12));
  CHECK(moldable["end_time_s"].get<double>() == Approx(small["end_time_s"].get<double>()).epsilon(1e-12));
  // With both nodes free it takes all 16.
  const std::string idle = test::write_trace("mold-idle.csv", "submit_time_s,duration_s,gpus\n0,0.5,1\n5000,10,1\n");
  const auto whole = test::run_scenario_text(busy_node(16, "    min_gpus: 8\n", idle))["jobs"][0];
  CHECK(whole["iteration_time_s"].get<double>() ==
        Approx(test::run_scenario_text(busy_node(16, "", idle))["jobs"][0]["iteration_time_s"].get<double>()).epsilon(1e-12));
}

TEST_CASE("malleable job: started small, it restarts on all its GPUs once they are free", "[scheduler]")
{
  // The trace job holds one node until 100 s. The job (16 GPUs, min 8, grow) starts on 8 at 1 s;
  // at 100 s nobody waits and its 16 fit: it stops at its next iteration boundary and restarts
  // on both nodes, where each iteration takes what the 16-GPU job's does.
  const std::string trace = test::write_trace("grow-busy.csv", "submit_time_s,duration_s,gpus\n0,100,8\n");
  std::string text = busy_node(16, "    min_gpus: 8\n    grow: true\n", trace);
  text.replace(text.find("iterations: 20"), 14, "iterations: 3000");
  const auto grown = test::run_scenario_text(text);
  std::string no_grow_text = text;
  no_grow_text.replace(no_grow_text.find("    grow: true\n"), 15, "");
  const auto stayed = test::run_scenario_text(no_grow_text);
  std::string whole_text = busy_node(16, "", test::write_trace("grow-idle.csv", "submit_time_s,duration_s,gpus\n0,0.5,1\n"));
  whole_text.replace(whole_text.find("iterations: 20"), 14, "iterations: 3000");
  const auto whole = test::run_scenario_text(whole_text)["jobs"][0];
  const auto job = grown["jobs"][0];
  INFO(grown["scheduler"].dump());
  CHECK(grown["scheduler"]["grows"] == 1);
  CHECK(job["grows"] == 1);
  CHECK(job["preemptions"] == 0); // a growth restart is not a preemption
  CHECK(stayed["scheduler"]["grows"] == 0);
  CHECK(job["start_time_s"].get<double>() == Approx(1).epsilon(1e-12));
  CHECK(job["iteration_time_s"].get<double>() == Approx(whole["iteration_time_s"].get<double>()).epsilon(1e-9));
  // Faster than staying on 8 GPUs, slower than having all 16 from the start (at 0.5 s).
  CHECK(job["end_time_s"].get<double>() < stayed["jobs"][0]["end_time_s"].get<double>());
  CHECK(job["end_time_s"].get<double>() > whole["end_time_s"].get<double>());
  CHECK_THAT(test::load_error(busy_node(16, "    grow: true\n", trace)),
             Catch::Contains("jobs.0.grow: restarts a job that started on fewer GPUs on more, but the job has no min_gpus"));
}

TEST_CASE("moldable job: the sizes it may take, and errors naming min_gpus", "[scheduler]")
{
  const std::string trace = test::write_trace("mold-keys.csv", "submit_time_s,duration_s,gpus\n0,10,1\n");
  // 24 GPUs (TP8 x 3 replicas) and a global batch of 12 in micro-batches of 4: 2 replicas cannot
  // split 12 into micro-batches of 4 each (12 / 8), 1 replica can.
  std::string three = busy_node(24, "    min_gpus: 8\n", trace);
  three.replace(three.find("nodes: 2"), 8, "nodes: 3");
  three.replace(three.find("global: 32"), 10, "global: 12");
  const ScenarioConfig c = test::load_text(three);
  CHECK(c.jobs[0].sizes_gpus == std::vector<int>{24, 8});
  std::string none = three;
  none.replace(none.find("min_gpus: 8"), 11, "min_gpus: 16");
  CHECK_THAT(test::load_error(none), Catch::Contains("jobs.0.min_gpus: leaves the job no smaller size to start at"));
  CHECK_THAT(test::load_error(busy_node(16, "    min_gpus: 16\n", trace)),
             Catch::Contains("jobs.0.min_gpus: 16 is not below the job's 16 GPUs"));
  std::string no_scheduler = busy_node(16, "    min_gpus: 8\n", trace);
  no_scheduler.erase(no_scheduler.find("scheduler:"), no_scheduler.find("jobs:") - no_scheduler.find("scheduler:"));
  CHECK_THAT(test::load_error(no_scheduler), Catch::Contains("jobs.0.min_gpus: lets a scheduler start the job on fewer GPUs"));
}

} // namespace
} // namespace dcsim
