// scheduler.trace_traffic: a trace's multi-node jobs load the network while they hold their GPUs,
// and the training jobs beside them share it. Checked on three leaves with one uplink each.
#include "sim/scheduler/trace_scenarios.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace dcsim {
namespace {

/// 21 nodes of one GPU and one NIC; radix 8 at 7:1: nodes 0-6, 7-13 and 14-20 under three leaves,
/// each with a single uplink of one NIC's bandwidth to the one spine. With consecutive placement
/// the trace's jobs of 5, 4 and 3 GPUs get nodes 0-4 (leaf 0), 5-8 (leaves 0 and 1) and 9-11
/// (leaf 1); the training job, submitted at 1 s, nodes 12-15 (leaves 1 and 2). Its ring and the
/// 4-GPU trace job's both cross leaf 1's uplink, in each direction; the other two stay inside
/// their leaves.
std::string three_leaves(const std::string& trace, const std::string& traffic)
{
  return "name: trace-traffic\n"
         "cluster:\n"
         "  nodes: 21\n"
         "  node: {gpu: H100-SXM-80GB, gpus: 1, scale_up: {bandwidth: 450GB/s}, nics: {count: 1, bandwidth: 400Gb/s}}\n"
         "  fabric: {topology: fat-tree, tiers: 2, radix: 8, oversubscription: 7}\n"
         "scheduler: {policy: fifo, trace: " + trace + (traffic.empty() ? "" : ", trace_traffic: " + traffic) + "}\n" +
         test::small_training_job(600);
}

double end_of_w(const nlohmann::json& result) { return result["jobs"][0]["end_time_s"].get<double>(); }

TEST_CASE("trace traffic: a trace job's load slows the training job sharing its uplink, while it runs",
          "[scheduler][trace]")
{
  const std::string whole = test::write_trace("traffic-long.csv", "submit_time_s,duration_s,gpus\n"
                                                                  "0,1000,5\n0,1000,4\n0,1000,3\n");
  const std::string brief = test::write_trace("traffic-brief.csv", "submit_time_s,duration_s,gpus\n"
                                                                   "0,1000,5\n0,20,4\n0,1000,3\n");
  const std::string load = "{gradient: 10GB, iteration: 1s}";
  const auto alone = test::run_scenario_text(three_leaves(whole, ""));
  const auto loaded = test::run_scenario_text(three_leaves(whole, load));
  const auto faint = test::run_scenario_text(three_leaves(whole, "{gradient: 1B, iteration: 1s}"));
  const double t0 = alone["jobs"][0]["iteration_time_s"].get<double>();
  const double t1 = loaded["jobs"][0]["iteration_time_s"].get<double>();
  INFO("iteration alone " << t0 << " s, beside the load " << t1 << " s");
  CHECK(loaded["scheduler"]["trace_traffic_runs"] == 3); // every trace job spans nodes
  CHECK_FALSE(alone["scheduler"].contains("trace_traffic_runs"));
  // The 4-GPU job's ring moves 2 x 3/4 x 10 GB a second over each edge, a third of the 50 GB/s
  // uplink at the scale-out efficiency: the training job's gradient reduction, exposed, slows.
  CHECK(t1 > 1.2 * t0);
  CHECK(faint["jobs"][0]["iteration_time_s"].get<double>() == Approx(t0).epsilon(1e-6));
  // The load leaves at 20 s: iterations before take t1, after t0; fast-forwarding (a change of
  // load ends the steady state) gives what simulating every iteration gives.
  const auto ended = test::run_scenario_text(three_leaves(brief, load));
  const auto ended_every = test::run_config(test::load_text(three_leaves(brief, load)), false);
  const double loaded_iterations = 19.0 / t1;
  const double expected_end = 1 + 19 + (600 - loaded_iterations) * t0;
  CHECK(end_of_w(ended) == Approx(expected_end).margin(t1));
  CHECK(end_of_w(ended) == Approx(end_of_w(ended_every)).epsilon(1e-6));
  CHECK(end_of_w(alone) < end_of_w(ended));
  CHECK(end_of_w(ended) < end_of_w(loaded));
}

TEST_CASE("trace traffic: a trace's own gradient_bytes and iteration_s columns, job by job", "[scheduler][trace]")
{
  // Only the 4-GPU job sends (10 GB a second, as trace_traffic gave every job above); the other
  // two say 0 bytes: one loaded run, and the training job slows as it did beside that job.
  const std::string own = test::write_trace("traffic-own.csv", "submit_time_s,duration_s,gpus,gradient_bytes,iteration_s\n"
                                                               "0,1000,5,0,1\n0,1000,4,1e10,1\n0,1000,3,0,1\n");
  const std::string every = test::write_trace("traffic-every.csv", "submit_time_s,duration_s,gpus\n"
                                                                   "0,1000,5\n0,1000,4\n0,1000,3\n");
  const auto by_column = test::run_scenario_text(three_leaves(own, ""));
  const auto by_key = test::run_scenario_text(three_leaves(every, "{gradient: 10GB, iteration: 1s}"));
  CHECK(by_column["scheduler"]["trace_traffic_runs"] == 1);
  CHECK(by_column["jobs"][0]["iteration_time_s"].get<double>() ==
        Approx(by_key["jobs"][0]["iteration_time_s"].get<double>()).epsilon(1e-9));
  // A column without the period is an error naming the line.
  const std::string no_period = test::write_trace("traffic-no-period.csv", "submit_time_s,duration_s,gpus,gradient_bytes\n"
                                                                           "0,10,1,0\n0,10,2,1e9\n");
  CHECK_THAT(test::load_error(test::one_node("{trace: " + no_period + "}")),
             Catch::Contains("line 3: gives the job's gradient_bytes but not how often it sends them"));
  const std::string bad = test::write_trace("traffic-bad.csv", "submit_time_s,duration_s,gpus,gradient_bytes,iteration_s\n"
                                                               "0,10,1,-5,1\n");
  CHECK_THAT(test::load_error(test::one_node("{trace: " + bad + "}")),
             Catch::Contains("line 2: gradient_bytes \"-5\" is not a size"));
}

TEST_CASE("trace traffic: jobs within a node load nothing; errors name the key", "[scheduler][trace]")
{
  const std::string small = test::write_trace("traffic-small.csv", "submit_time_s,duration_s,gpus\n0,100,1\n0,100,1\n");
  const auto r = test::run_scenario_text(three_leaves(small, "{gradient: 10GB, iteration: 1s}"));
  CHECK(r["scheduler"]["trace_traffic_runs"] == 0);
  const auto error = [](const std::string& scheduler) { return test::load_error(test::one_node(scheduler)); };
  CHECK_THAT(error("{policy: fifo, trace_traffic: {gradient: 1GB, iteration: 1s}}"),
             Catch::Contains("scheduler.trace_traffic: describes a trace's jobs but there is no trace"));
  CHECK_THAT(error("{trace: " + small + ", trace_traffic: {iteration: 1s}}"),
             Catch::Contains("scheduler.trace_traffic.gradient"));
  CHECK_THAT(error("{trace: " + small + ", trace_traffic: {gradient: 1GB, iteration: 0s}}"),
             Catch::Contains("scheduler.trace_traffic.iteration"));
  CHECK_THAT(error("{trace: " + small + ", trace_traffic: {gradient: 1GB, iteration: 1s, every: 2}}"),
             Catch::Contains("scheduler.trace_traffic.every"));
  CHECK_THAT(error("{trace: " + small + ", trace_traffic: 1GB}"), Catch::Contains("scheduler.trace_traffic"));
}

} // namespace
} // namespace dcsim
