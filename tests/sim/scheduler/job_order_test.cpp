// jobs[].after: a training job submitted when another ends (pretraining, then fine-tuning), with
// the scheduler; and the errors that keep the order well formed.
#include "sim/scheduler/trace_scenarios.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace dcsim {
namespace {

std::string phases(const std::string& extra_first, const std::string& second, const std::string& third)
{
  const std::string job = "    gpus: 8\n"
                          "    model: {hidden: 1024, layers: 4, heads: 16, seq_len: 1024, vocab: 32000}\n"
                          "    parallelism: {tensor: 8}\n"
                          "    batch: {global: 32, micro: 4}\n"
                          "    iterations: 10\n";
  return "name: phases\n"
         "cluster:\n"
         "  nodes: 2\n"
         "  node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s}, nics: {count: 8, bandwidth: 400Gb/s}}\n"
         "scheduler: {policy: fifo}\n"
         "jobs:\n"
         "  - name: pretrain\n" + extra_first + job +
         "  - name: long-context\n" + second + job +
         "  - name: finetune\n" + third + job;
}

TEST_CASE("job order: a job submitted when the one it comes after ends, plus its delay", "[scheduler]")
{
  const auto r = test::run_scenario_text(phases("", "    after: pretrain\n    after_delay: 30s\n",
                                                "    after: long-context\n"));
  const auto& jobs = r["jobs"];
  const double pre_end = jobs[0]["end_time_s"].get<double>();
  const double mid_end = jobs[1]["end_time_s"].get<double>();
  // Two nodes: each phase finds GPUs free at once, so it starts when it is submitted.
  CHECK(jobs[0]["start_time_s"].get<double>() == 0);
  CHECK(jobs[1]["start_time_s"].get<double>() == Approx(pre_end + 30).epsilon(1e-12));
  CHECK(jobs[1]["queue_s"].get<double>() == Approx(0).margin(1e-9));
  CHECK(jobs[2]["start_time_s"].get<double>() == Approx(mid_end).epsilon(1e-12));
  CHECK(jobs[2]["queue_s"].get<double>() == Approx(0).margin(1e-9));
  // The same job without the order runs beside the first from 0 s.
  const auto free = test::run_scenario_text(phases("", "", ""));
  CHECK(free["jobs"][1]["start_time_s"].get<double>() == 0);
  // On one node behind a trace job that holds it, the follower waits: its wait counts from its
  // submission.
  const std::string busy = test::write_trace("order-busy.csv", "submit_time_s,duration_s,gpus\n0,1000,8\n");
  std::string one_node = phases("", "    after: pretrain\n", "");
  one_node.replace(one_node.find("nodes: 2"), 8, "nodes: 1");
  one_node.replace(one_node.find("{policy: fifo}"), 14, "{policy: first_fit, trace: " + busy + "}");
  const auto queued = test::run_scenario_text(one_node);
  const double first_end = queued["jobs"][0]["end_time_s"].get<double>();
  const double second_start = queued["jobs"][1]["start_time_s"].get<double>();
  CHECK(queued["jobs"][1]["queue_s"].get<double>() == Approx(second_start - first_end).epsilon(1e-9));
}

TEST_CASE("job order: errors name jobs[].after", "[scheduler]")
{
  const auto error = [](const std::string& a, const std::string& b, const std::string& c) {
    return test::load_error(phases(a, b, c));
  };
  CHECK_THAT(error("", "    after: pretrian\n", ""),
             Catch::Contains("jobs.1.after: \"pretrian\" is not the name of a job of the scenario"));
  CHECK_THAT(error("    after: finetune\n", "    after: pretrain\n", "    after: long-context\n"),
             Catch::Contains("comes after this job itself"));
  CHECK_THAT(error("    after: pretrain\n", "", ""), Catch::Contains("comes after this job itself"));
  CHECK_THAT(error("", "    after: pretrain\n    start_time: 1h\n", ""),
             Catch::Contains("jobs.1.after: and start_time both say when the job is submitted"));
  CHECK_THAT(error("", "    after_delay: 1h\n", ""), Catch::Contains("jobs.1.after_delay: is a delay after another job's end"));
  std::string no_scheduler = phases("", "    after: pretrain\n", "");
  no_scheduler.erase(no_scheduler.find("scheduler: {policy: fifo}\n"), 26);
  no_scheduler.replace(no_scheduler.find("nodes: 2"), 8, "nodes: 3");
  CHECK_THAT(test::load_error(no_scheduler), Catch::Contains("jobs.1.after: needs a scheduler"));
}

} // namespace
} // namespace dcsim
