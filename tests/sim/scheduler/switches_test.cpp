// scheduler.switches, Slurm's --switches=count@max-time: a job spanning nodes waits for nodes
// under at most `count` leaf blocks, for at most `wait` from the first time it could have
// started on more.
#include "sim/scheduler/trace_scenarios.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace dcsim {
namespace {

/// Three leaves of 7 one-GPU nodes, topology-aware: jobs of 6 GPUs for 100, 200 and 300 s fill
/// one leaf each (one node free in each), and a 2-GPU job submitted at 1 s can only start across
/// two leaves until the first leaf frees at 100 s.
std::string three_leaves(const std::string& switches)
{
  const std::string trace = test::write_trace("switches.csv", "submit_time_s,duration_s,gpus\n"
                                                              "0,100,6\n0,200,6\n0,300,6\n1,50,2\n1,10,1\n");
  return "name: switches\n"
         "cluster:\n"
         "  nodes: 21\n"
         "  node: {gpu: H100-SXM-80GB, gpus: 1, scale_up: {bandwidth: 450GB/s}, nics: {count: 1, bandwidth: 400Gb/s}}\n"
         "  fabric: {topology: fat-tree, tiers: 2, radix: 8, oversubscription: 7}\n"
         "scheduler: {policy: first_fit, placement: topology_aware, trace: " + trace +
         (switches.empty() ? "" : ", switches: " + switches) + "}\n"
         "output: {job_table: true}\n";
}

double start_of(const nlohmann::json& result, int job)
{
  return result["scheduler"]["job_table"]["start_s"][job].get<double>();
}

TEST_CASE("switches: a job waits for nodes under one leaf, for at most its wait", "[scheduler]")
{
  const auto free = test::run_scenario_text(three_leaves(""));
  CHECK(start_of(free, 3) == Approx(1).epsilon(1e-12)); // across two leaves at once
  CHECK_FALSE(free["scheduler"].contains("switch_held_jobs"));

  const auto patient = test::run_scenario_text(three_leaves("{count: 1, wait: 1h}"));
  CHECK(start_of(patient, 3) == Approx(100).epsilon(1e-12)); // the first leaf to free
  CHECK(start_of(patient, 4) == Approx(1).epsilon(1e-12));   // a job within a node is never held
  CHECK(patient["scheduler"]["switch_held_jobs"] == 1);
  CHECK(patient["scheduler"]["switch_expired_jobs"] == 0);

  // Held at 1 s, it gives up at 1 + 30 s and takes the two leaves.
  const auto hasty = test::run_scenario_text(three_leaves("{count: 1, wait: 30s}"));
  CHECK(start_of(hasty, 3) == Approx(31).epsilon(1e-12));
  CHECK(hasty["scheduler"]["switch_expired_jobs"] == 1);

  // Two leaves allowed: it starts at once.
  CHECK(start_of(test::run_scenario_text(three_leaves("{count: 2, wait: 1h}")), 3) == Approx(1).epsilon(1e-12));
}

TEST_CASE("switches: a training job's own jobs[].switches, as sbatch --switches", "[scheduler]")
{
  // The same three leaves, one node free in each; a 2-GPU data-parallel job submitted at 1 s
  // holds out for one leaf until 100 s; the trace's jobs (no switches of their own, none for the
  // scheduler) are not held.
  const std::string trace = test::write_trace("switches-job.csv", "submit_time_s,duration_s,gpus\n"
                                                                  "0,100,6\n0,200,6\n0,300,6\n");
  const auto scenario = [&](const std::string& switches, bool scheduler = true) {
    return "name: switches-job\n"
           "cluster:\n"
           "  nodes: 21\n"
           "  node: {gpu: H100-SXM-80GB, gpus: 1, scale_up: {bandwidth: 450GB/s}, nics: {count: 1, bandwidth: 400Gb/s}}\n"
           "  fabric: {topology: fat-tree, tiers: 2, radix: 8, oversubscription: 7}\n" +
           (scheduler ? "scheduler: {policy: first_fit, placement: topology_aware, trace: " + trace + "}\n" : "") +
           "jobs:\n"
           "  - name: t\n"
           "    gpus: 2\n"
           "    start_time: 1s\n"
           "    model: {hidden: 2048, layers: 8, heads: 16, seq_len: 1024, vocab: 32000}\n"
           "    parallelism: {data: 2}\n"
           "    batch: {global: 8, micro: 4}\n"
           "    iterations: 10\n" +
           (switches.empty() ? "" : "    switches: " + switches + "\n");
  };
  CHECK(test::run_scenario_text(scenario(""))["jobs"][0]["queue_s"].get<double>() == Approx(0).margin(1e-12));
  const auto held = test::run_scenario_text(scenario("{count: 1, wait: 1h}"));
  CHECK(held["jobs"][0]["queue_s"].get<double>() == Approx(99).epsilon(1e-12));
  CHECK(held["scheduler"]["switch_held_jobs"] == 1);
  CHECK_THAT(test::load_error(scenario("{count: 1, wait: 1h}", false)),
             Catch::Contains("jobs.0.switches: holds the job for nodes under few leaf switches, which a scheduler decides"));
  CHECK_THAT(test::load_error(scenario("{count: 0, wait: 1h}")), Catch::Contains("jobs.0.switches.count"));
}

TEST_CASE("switches: bad values are one-line errors naming the key", "[scheduler]")
{
  const auto error = [](const std::string& switches) { return test::load_error(three_leaves(switches)); };
  CHECK_THAT(error("{count: 0, wait: 1h}"), Catch::Contains("scheduler.switches.count"));
  CHECK_THAT(error("{count: 1}"), Catch::Contains("scheduler.switches.wait"));
  CHECK_THAT(error("{count: 1, wait: -5s}"), Catch::Contains("scheduler.switches.wait"));
  CHECK_THAT(error("{count: 1, wait: 1h, leaves: 2}"), Catch::Contains("scheduler.switches.leaves"));
  CHECK_THAT(error("1"), Catch::Contains("scheduler.switches"));
}

} // namespace
} // namespace dcsim
