// Node failures striking a trace's jobs (failures + scheduler.trace): a replayed fault worked by
// hand, a fault during the restart, and Poisson failures against the expected completion time
// of a job that starts over, (1 - e^(-lambda D)) e^(lambda (R + D)) / lambda.
#include "sim/scheduler/trace_scenarios.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <string>

using namespace dcsim;
using test::write_trace;

namespace {

/// One 8-GPU node whose faults are `faults_days` (one trace server), with `failures_extra`
/// added to the failures section.
std::string one_node_with_faults(const std::string& trace, const std::vector<double>& faults_days,
                                 const std::string& failures_extra)
{
  std::string events = "[";
  for (double day : faults_days)
    events += "{\"node_id\": \"n0\", \"event_time\": " + std::to_string(day) + ", \"event_type\": \"fault_start\"},";
  events += "{\"node_id\": \"n0\", \"event_time\": 1.0, \"event_type\": \"fault_end\"}]"; // a span of one day
  const std::string faults = test::temp_dir() + "/faults_" + std::to_string(faults_days.size()) + ".json";
  std::ofstream(faults) << events;
  return test::one_node("{policy: fifo, trace: " + trace + "}") +
         "failures: {trace: " + faults + ", trace_servers: 1, restart: 10s" + failures_extra + "}\n";
}

} // namespace

TEST_CASE("trace failures: a replayed fault restarts a trace job in place from its checkpoint (worked by hand)",
          "[scheduler]")
{
  // An 8-GPU job of 100 s from 0 s; its node fails at 0.0005 days = 43.2 s.
  const std::string trace = write_trace("struck.csv", "submit_time_s,duration_s,gpus\n0,100,8\n");
  SECTION("checkpoints every 20 s: it keeps 40 s, restarts for 10 s and ends at 113.2 s")
  {
    const auto s = test::run_scenario_text(one_node_with_faults(trace, {0.0005}, ", trace_job_checkpoint: 20s"))["scheduler"];
    INFO(s.dump());
    CHECK(s["trace_failures"] == 1);
    CHECK(s["mean_jct_s"].get<double>() == Approx(113.2).epsilon(1e-9));
    CHECK(s["failure_lost_gpu_hours"].get<double>() == Approx(8 * (3.2 + 10) / 3600).epsilon(1e-9));
    CHECK(s["mean_queue_s"].get<double>() == Approx(0).margin(1e-12)); // it never left its GPUs
  }
  SECTION("no checkpoints: it starts over and ends at 153.2 s")
  {
    const auto s = test::run_scenario_text(one_node_with_faults(trace, {0.0005}, ""))["scheduler"];
    CHECK(s["mean_jct_s"].get<double>() == Approx(153.2).epsilon(1e-9));
    CHECK(s["failure_lost_gpu_hours"].get<double>() == Approx(8 * 53.2 / 3600).epsilon(1e-9));
  }
  SECTION("a second fault during the restart (47.52 s) costs the restart again, not the saved work")
  {
    const auto s = test::run_scenario_text(
        one_node_with_faults(trace, {0.0005, 0.00055}, ", trace_job_checkpoint: 20s"))["scheduler"];
    INFO(s.dump());
    CHECK(s["trace_failures"] == 2);
    CHECK(s["mean_jct_s"].get<double>() == Approx(117.52).epsilon(1e-9));
    CHECK(s["failure_lost_gpu_hours"].get<double>() == Approx(8 * (3.2 + 4.32 + 10) / 3600).epsilon(1e-9));
  }
  SECTION("noticed 20 s later (a hang): it holds its GPUs, hung, until 63.2 s, restarts for 10 s, ends at 133.2 s")
  {
    const auto s = test::run_scenario_text(
        one_node_with_faults(trace, {0.0005}, ", trace_job_checkpoint: 20s, detect: 20s"))["scheduler"];
    INFO(s.dump());
    CHECK(s["trace_failures"] == 1);
    CHECK(s["mean_jct_s"].get<double>() == Approx(133.2).epsilon(1e-9));
    CHECK(s["failure_lost_gpu_hours"].get<double>() == Approx(8 * (3.2 + 20 + 10) / 3600).epsilon(1e-9));
  }
  SECTION("without a scheduler trace nothing changes; the keys are absent without failures")
  {
    const auto s = test::run_scenario_text(test::one_node("{policy: fifo, trace: " + trace + "}"))["scheduler"];
    CHECK_FALSE(s.contains("trace_failures"));
    CHECK(s["mean_jct_s"].get<double>() == Approx(100).epsilon(1e-9));
  }
}

TEST_CASE("trace failures: Poisson failures give a job that starts over its expected completion time", "[scheduler]")
{
  // 4,000 one-GPU jobs of D = 1,000 s on 500 nodes (no queueing), node MTBF 2,000 s, restart
  // R = 100 s during which failures may strike too, no checkpoints: a job needs one failure-free
  // stretch of D (the first try) or R + D (later tries), so
  // E[T] = (1 - e^(-lambda D)) e^(lambda (R + D)) / lambda = 1,363.96 s.
  std::string rows = "submit_time_s,duration_s,gpus\n";
  for (int i = 0; i < 4000; ++i)
    rows += "0,1000,1\n";
  const std::string trace = write_trace("poisson_failures.csv", rows);
  const double lambda = 1 / 2000.0, d = 1000, r = 100;
  const double expected = (1 - std::exp(-lambda * d)) * std::exp(lambda * (r + d)) / lambda;
  double mean = 0;
  for (int seed : {1, 2}) {
    const std::string scenario = "name: poisson-failures\nseed: " + std::to_string(seed) +
                                 "\ncluster:\n  nodes: 500\n  node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: "
                                 "{bandwidth: 450GB/s}, nics: {count: 8, bandwidth: 400Gb/s}}\n"
                                 "scheduler: {policy: fifo, trace: " + trace + "}\n"
                                 "failures: {node_mtbf: 2000s, restart: 100s}\n";
    const auto s = test::run_scenario_text(scenario)["scheduler"];
    CHECK(s["mean_queue_s"].get<double>() == Approx(0).margin(1e-9));
    mean += s["mean_jct_s"].get<double>() / 2;
  }
  INFO("simulated mean completion " << mean << " s, expected " << expected << " s");
  // 8,000 jobs: the standard error of the mean is about 1.3%.
  CHECK(mean == Approx(expected).epsilon(0.04));
}

TEST_CASE("trace failures: bad settings are one error naming the key", "[scheduler]")
{
  const std::string trace = write_trace("struck_errors.csv", "submit_time_s,duration_s,gpus\n0,100,8\n");
  const std::string base = test::one_node("{policy: fifo, trace: " + trace + "}");
  CHECK_THAT(test::load_error(base + "failures: {node_mtbf: 1000h, trace_job_checkpoint: 20kg}\n"),
             Catch::Contains("failures.trace_job_checkpoint"));
  CHECK_THAT(test::load_error(base + "failures: {node_mtbf: 1000h, trace_job_checkpoint: 20y}\n"),
             Catch::Contains("failures.trace_job_checkpoint"));
  CHECK(test::load_error(base + "failures: {node_mtbf: 1000h, trace_job_checkpoint: 1h}\n").empty());
}

TEST_CASE("trace failures: jobs that cannot get past their failures are refused, or stop the run, never hang",
          "[scheduler]")
{
  // A day's work, a failure every 10 s on average, restarts of 5 s, no checkpoints: e^8640
  // tries per success. The expected time is known before running: an error on the trace's line.
  const std::string hopeless = write_trace("hopeless.csv", "submit_time_s,duration_s,gpus\n0,86400,8\n");
  CHECK_THAT(test::load_error(test::one_node("{policy: fifo, trace: " + hopeless + "}") +
                              "failures: {node_mtbf: 10s, restart: 5s}\n"),
             Catch::Contains("scheduler.trace: " + hopeless + " line 2: a job of 24 h on 1 node(s), failing every 10 s "
                             "on average (failures.node_mtbf / nodes) and restarting in 5 s, without checkpoints, would "
                             "take more than 10 years to finish"));
  // 60 jobs of 10 s failing every second: each finishes in ~6 hours on average, after ~22,000
  // failures; the run stops at a million failures with one line (exit 1), nothing written.
  std::string rows = "submit_time_s,duration_s,gpus\n";
  for (int i = 0; i < 60; ++i)
    rows += "0,10,1\n";
  const std::string trace = write_trace("many_failures.csv", rows);
  const std::string scenario = test::temp_dir() + "/many_failures.yaml";
  std::ofstream(scenario) << test::one_node("{policy: fifo, trace: " + trace + "}") + "failures: {node_mtbf: 1s, restart: 0s}\n";
  const std::string json = test::temp_dir() + "/many_failures.json";
  const auto r = test::run_cli("run " + scenario + " --json " + json);
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("dcsim: error: the trace's jobs were struck by node failures 1000000 times"));
  CHECK(test::slurp(json).empty());
}
