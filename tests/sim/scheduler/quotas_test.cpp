// Quotas per group of jobs (scheduler.quotas): worked by hand on one 8-GPU node, the shares of
// `quotas: demand`, jobs larger than their quota, a training job in a group, and the errors.
#include "sim/scheduler/trace_scenarios.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace dcsim;
using test::group;
using test::kTwoTeams;
using test::one_node;
using test::write_trace;

TEST_CASE("quotas: a group at its quota waits without holding up another group's jobs (worked by hand)", "[scheduler]")
{
  const std::string trace = write_trace("two_teams.csv", kTwoTeams);
  SECTION("FIFO without quotas: b's jobs queue behind a's second job, which fills the node")
  {
    // a2 starts at once (6 GPUs held); b1 waits for a2's end (51 s), b2 for b1's (61 s).
    const auto s = test::run_scenario_text(one_node("{policy: fifo, trace: " + trace + "}"))["scheduler"];
    INFO(s.dump());
    CHECK(s["jobs"] == 4);
    CHECK(s["mean_queue_s"].get<double>() == Approx((0 + 0 + 49 + 58) / 4.0).epsilon(1e-9));
    CHECK_FALSE(s.contains("groups"));
  }
  SECTION("a's quota of 4: a2 waits for a1 (99 s); b1 starts at once, b2 when b1 ends (9 s)")
  {
    const auto s =
        test::run_scenario_text(one_node("{policy: fifo, trace: " + trace + ", quotas: {a: 4, b: 8}}"))["scheduler"];
    INFO(s.dump());
    CHECK(s["jobs"] == 4);
    CHECK(s["mean_queue_s"].get<double>() == Approx((0 + 99 + 0 + 9) / 4.0).epsilon(1e-9));
    const auto* a = group(s, "a");
    const auto* b = group(s, "b");
    REQUIRE(a);
    REQUIRE(b);
    CHECK((*a)["quota_gpus"] == 4);
    CHECK((*a)["mean_queue_s"].get<double>() == Approx(49.5).epsilon(1e-9));
    CHECK((*a)["gpu_hours"].get<double>() == Approx((4 * 100 + 2 * 50) / 3600.0).epsilon(1e-9));
    CHECK((*b)["quota_gpus"] == 8);
    CHECK((*b)["mean_queue_s"].get<double>() == Approx(4.5).epsilon(1e-9));
  }
  SECTION("borrowing: a2 takes 2 idle GPUs over a's quota at once, and b's jobs, arriving later, wait for them")
  {
    // No preemption: the lent GPUs come back when a2 ends (51 s), as without quotas.
    const auto s = test::run_scenario_text(one_node("{policy: fifo, trace: " + trace +
                                                    ", quotas: {a: 4, b: 8}, quota_borrowing: true}"))["scheduler"];
    INFO(s.dump());
    CHECK(s["mean_queue_s"].get<double>() == Approx((0 + 0 + 49 + 58) / 4.0).epsilon(1e-9));
    CHECK((*group(s, "a"))["borrowed_jobs"] == 1);
    CHECK((*group(s, "b"))["borrowed_jobs"] == 0);
    CHECK((*group(s, "b"))["mean_queue_s"].get<double>() == Approx(53.5).epsilon(1e-9));
  }
  SECTION("a group without a quota runs as without quotas; a job larger than its quota is not run")
  {
    const auto s =
        test::run_scenario_text(one_node("{policy: first_fit, trace: " + trace + ", quotas: {b: 2}}"))["scheduler"];
    INFO(s.dump());
    CHECK(s["rejected_jobs"] == 2); // b's 4-GPU jobs
    CHECK(s["jobs"] == 2);
    CHECK(s["mean_queue_s"].get<double>() == Approx(0).margin(1e-12));
    CHECK((*group(s, "a"))["quota_gpus"] == 0); // none
  }
}

TEST_CASE("quotas: demand gives each group its share of the trace's GPU-hours, at least its largest job", "[scheduler]")
{
  // a holds 4 x 100 + 2 x 50 = 500 GPU-s, b 2 x 4 x 10 = 80: shares 0.862 and 0.138 of 8 GPUs,
  // 6.9 -> 7 and 1.1 -> 1, but b's jobs need 4.
  const std::string trace = write_trace("two_teams_demand.csv", kTwoTeams);
  const auto s = test::run_scenario_text(one_node("{policy: fifo, trace: " + trace + ", quotas: demand}"))["scheduler"];
  INFO(s.dump());
  CHECK((*group(s, "a"))["quota_gpus"] == 7);
  CHECK((*group(s, "b"))["quota_gpus"] == 4);
  CHECK(s["jobs"] == 4);
  // a's 6 GPUs fit its 7: the run is FIFO's.
  CHECK(s["mean_queue_s"].get<double>() == Approx((0 + 0 + 49 + 58) / 4.0).epsilon(1e-9));
}

TEST_CASE("quotas: Philly's virtual clusters are the trace's cluster column", "[scheduler]")
{
  const auto config = test::load_text(one_node("{trace: " + test::reference_path("traces/philly_jobs.csv") +
                                               ", trace_jobs: 1000, quotas: demand}"));
  CHECK(config.scheduler.quotas.by_demand);
  CHECK(config.scheduler.groups.size() >= 5);
  for (const TraceJob& j : config.scheduler.trace_jobs)
    CHECK(j.group >= 0);
}

TEST_CASE("quotas: bad settings are one error naming the key", "[scheduler]")
{
  const std::string grouped = write_trace("grouped.csv", kTwoTeams);
  const std::string plain = write_trace("plain.csv", "submit_time_s,duration_s,gpus\n0,10,1\n");
  const std::string unnamed = write_trace("unnamed.csv", "submit_time_s,duration_s,gpus,group\n0,10,1,\n");
  const auto error = [](const std::string& scheduler) { return test::load_error(one_node(scheduler)); };
  CHECK_THAT(error("{quotas: demand}"), Catch::Contains("scheduler.quotas: applies to groups but there is no trace and no job names a group"));
  CHECK_THAT(error("{trace: " + plain + ", quotas: demand}"), Catch::Contains("has no group column"));
  CHECK_THAT(error("{trace: " + grouped + ", quotas: demnd}"), Catch::Contains("\"demnd\" is not a quota rule"));
  CHECK_THAT(error("{trace: " + grouped + ", quotas: {c: 4}}"),
             Catch::Contains("scheduler.quotas.c: is not a group of the trace or the jobs; expected one of their 2 groups, e.g. a"));
  CHECK_THAT(error("{trace: " + grouped + ", quotas: {a: 0}}"), Catch::Contains("scheduler.quotas.a: 0 is out of range"));
  CHECK_THAT(error("{trace: " + grouped + ", quotas: [a]}"), Catch::Contains("scheduler.quotas: is neither a rule nor a mapping of groups"));
  CHECK_THAT(error("{trace: " + unnamed + "}"), Catch::Contains("line 2: the group column is empty"));
  CHECK_THAT(error("{trace: " + grouped + ", quota_borrowing: true}"),
             Catch::Contains("scheduler.quota_borrowing: lends GPUs across quotas but there are none"));
}

TEST_CASE("quotas: a training job in a group waits for its group's trace jobs, not for free GPUs", "[scheduler]")
{
  // Two nodes; team a's trace job holds node 0 for 1,000 s. a's quota is one node, so a's
  // training job submitted at 10 s waits 990 s beside the free node 1; without the group it
  // starts at once there.
  const std::string trace = write_trace("team_a.csv", "submit_time_s,duration_s,gpus,group\n0,1000,8,a\n");
  const std::string scenario =
      test::two_nodes_and_training_job("{policy: fifo, trace: " + trace + ", quotas: {a: 8}}");
  const auto in_group = test::run_scenario_text(scenario);
  INFO(in_group["scheduler"].dump());
  CHECK(in_group["jobs"][0]["queue_s"].get<double>() == Approx(990).epsilon(1e-9));
  CHECK((*group(in_group["scheduler"], "a"))["jobs"] == 2);
  const auto alone = test::run_scenario_text(scenario, {"jobs.0.group="});
  CHECK(alone["jobs"][0]["queue_s"].get<double>() == Approx(0).margin(1e-12));

  SECTION("a job larger than its group's quota, or a group without a scheduler, is an error naming jobs.0.group")
  {
    CHECK_THAT(test::load_error(scenario, {"scheduler.quotas.a=4"}),
               Catch::Contains("jobs.0.group: \"a\" has a quota of 4 GPUs and this job needs 8"));
    // A group only a job names may have a quota.
    CHECK_THAT(test::load_error(scenario, {"scheduler.quotas.b=8", "jobs.0.group=b"}), Catch::Equals(""));
    const std::string no_scheduler = scenario.substr(0, scenario.find("scheduler:")) +
                                     scenario.substr(scenario.find("jobs:"));
    CHECK_THAT(test::load_error(no_scheduler), Catch::Contains("jobs.0.group: \"a\" names a quota group but the scenario has no scheduler"));
  }
}
