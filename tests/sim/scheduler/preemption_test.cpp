// Preemption (scheduler.preemption): the victim choice and the work a preempted run keeps, then
// whole replays worked by hand on one 8-GPU node, a training job taking lent GPUs back, and
// the errors.
#include "scheduler/preemption.hpp"
#include "sim/scheduler/trace_scenarios.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

using namespace dcsim;
using test::group;
using test::kTwoTeams;
using test::one_node;
using test::write_trace;

TEST_CASE("preemption: the fewest victims that make room, tried in the given order", "[scheduler]")
{
  // Two nodes of 8 GPUs, all busy: node 0 holds jobs of 4 GPUs (0-3 and 4-7), node 1 one of 8.
  GpuAllocator allocator(2, 8);
  const Placement n0a = *allocator.allocate(4), n0b = *allocator.allocate(4), n1 = *allocator.allocate(8);
  REQUIRE(allocator.free_gpus() == 0);
  const std::vector<PreemptionCandidate> candidates = {{10, &n0a}, {11, &n1}, {12, &n0b}};
  // 4 GPUs: the first candidate alone.
  CHECK(choose_victims(allocator, candidates, 4) == std::vector<int>{10});
  // 8 GPUs within a node: the first two free 12 GPUs but only node 1 is whole: 10 is dropped.
  CHECK(choose_victims(allocator, candidates, 8) == std::vector<int>{11});
  // 16 GPUs: all three.
  CHECK(choose_victims(allocator, candidates, 16) == std::vector<int>{10, 11, 12});
  // 8 GPUs when node 1's job may not be taken: both halves of node 0.
  CHECK(choose_victims(allocator, {{10, &n0a}, {12, &n0b}}, 8) == std::vector<int>{10, 12});
  // More than the candidates hold: none (nothing is preempted in vain).
  CHECK(choose_victims(allocator, {{10, &n0a}}, 8).empty());
  CHECK(allocator.free_gpus() == 0); // the allocator itself is untouched
}

TEST_CASE("preemption: a run keeps its work after the restart, in whole checkpoint intervals", "[scheduler]")
{
  CHECK(work_kept_s(100, 0, 0) == Approx(100).epsilon(1e-12)); // saved when preempted
  CHECK(work_kept_s(100, 30, 0) == Approx(70).epsilon(1e-12));  // the restart first
  CHECK(work_kept_s(100, 30, 20) == Approx(60).epsilon(1e-12)); // 3 whole intervals of 70 s
  CHECK(work_kept_s(20, 30, 0) == 0);                           // preempted while restarting
}

TEST_CASE("las: levels from attained GPU-time, a threshold reached counting as crossed", "[scheduler]")
{
  const std::vector<double> thresholds = {100, 400};
  CHECK(attained_service_level(thresholds, 0) == 0);
  CHECK(attained_service_level(thresholds, 99.9) == 0);
  CHECK(attained_service_level(thresholds, 100) == 1);
  CHECK(attained_service_level(thresholds, 100 * (1 - 1e-12)) == 1); // rounding at the crossing event
  CHECK(attained_service_level(thresholds, 1000) == 2);
  CHECK(next_level_gpu_s(thresholds, 50) == 100);
  CHECK(next_level_gpu_s(thresholds, 100) == 400);
  CHECK(std::isinf(next_level_gpu_s(thresholds, 400)));
}

TEST_CASE("preemption: a job within its quota takes lent GPUs back (worked by hand)", "[scheduler]")
{
  // Quotas a 4, b 8 on one 8-GPU node. a1 (4 GPUs) runs 0-100 s; a2 (2 GPUs, over a's quota)
  // borrows idle GPUs at 1 s. Without preemption b1 (4 GPUs, 2 s) waits for a2's end at 51 s.
  // With it, b1 preempts a2 at 2 s and runs 2-12 s, b2 (3 s) runs 12-22 s, and a2, queued again
  // over its quota, gets the idle GPUs back at 22 s and runs the 49 s it had left.
  const std::string trace = write_trace("two_teams_preempt.csv", kTwoTeams);
  const std::string base = "{policy: fifo, trace: " + trace + ", quotas: {a: 4, b: 8}, quota_borrowing: true, ";
  SECTION("work saved when preempted, no restart cost")
  {
    const auto s = test::run_scenario_text(one_node(base + "preemption: true}"))["scheduler"];
    INFO(s.dump());
    CHECK(s["jobs"] == 4);
    CHECK(s["preemptions"] == 1);
    CHECK(s["preempted_jobs"] == 1);
    CHECK(s["preemption_lost_gpu_hours"].get<double>() == Approx(0).margin(1e-12));
    // Waits: a1 0, a2 20 (2-22 s), b1 0, b2 9.
    CHECK(s["mean_queue_s"].get<double>() == Approx((0 + 20 + 0 + 9) / 4.0).epsilon(1e-9));
    CHECK((*group(s, "b"))["mean_queue_s"].get<double>() == Approx(4.5).epsilon(1e-9));
    CHECK((*group(s, "a"))["preempted_jobs"] == 1);
    CHECK((*group(s, "a"))["borrowed_jobs"] == 1);
    // a2 holds 1 + 49 s: a's GPU-hours are unchanged.
    CHECK((*group(s, "a"))["gpu_hours"].get<double>() == Approx((4 * 100 + 2 * 50) / 3600.0).epsilon(1e-9));
    // Completion: a1 100, a2 71 - 1, b1 10, b2 19.
    CHECK(s["mean_jct_s"].get<double>() == Approx((100 + 70 + 10 + 19) / 4.0).epsilon(1e-9));
    CHECK(s["makespan_s"].get<double>() == Approx(100).epsilon(1e-9));
  }
  SECTION("checkpoints every 0.75 s and a 5 s restart: a2 keeps 0.75 s of its 1 s and ends at 76.25 s")
  {
    const auto s = test::run_scenario_text(
        one_node(base + "preemption: {restart: 5s, checkpoint_interval: 750ms}}"))["scheduler"];
    INFO(s.dump());
    CHECK(s["preemptions"] == 1);
    // Lost: 0.25 s of work and the 5 s restart, on 2 GPUs.
    CHECK(s["preemption_lost_gpu_hours"].get<double>() == Approx(2 * 5.25 / 3600).epsilon(1e-9));
    CHECK(s["mean_jct_s"].get<double>() == Approx((100 + 75.25 + 10 + 19) / 4.0).epsilon(1e-9));
    CHECK((*group(s, "a"))["gpu_hours"].get<double>() == Approx((4 * 100 + 2 * 55.25) / 3600.0).epsilon(1e-9));
  }
  SECTION("off, the default: no preemption keys, a2 keeps the lent GPUs")
  {
    const auto s = test::run_scenario_text(one_node(base + "preemption: false}"))["scheduler"];
    CHECK_FALSE(s.contains("preemptions"));
    CHECK_FALSE((*group(s, "a")).contains("preempted_jobs"));
    CHECK(s["mean_queue_s"].get<double>() == Approx((0 + 0 + 49 + 58) / 4.0).epsilon(1e-9));
  }
}

TEST_CASE("preemption: a training job within its quota preempts a trace job on lent GPUs", "[scheduler]")
{
  // Two nodes, quotas a 8 and b 8. Team b's two trace jobs of 8 GPUs arrive at 0 s; the second
  // borrows node 1. Team a's training job (8 GPUs) arrives at 10 s: without preemption it waits
  // for b's jobs (1,000 s); with it, it takes node 1 back at once, and b2 runs its remaining
  // 990 s once the training job is done.
  const std::string trace = write_trace("team_b.csv", "submit_time_s,duration_s,gpus,group\n0,1000,8,b\n0,1000,8,b\n");
  const std::string scenario = test::two_nodes_and_training_job(
      "{policy: fifo, trace: " + trace + ", quotas: {a: 8, b: 8}, quota_borrowing: true, preemption: true}");
  const auto r = test::run_scenario_text(scenario);
  const auto& s = r["scheduler"];
  INFO(s.dump());
  CHECK(r["jobs"][0]["queue_s"].get<double>() == Approx(0).margin(1e-12));
  CHECK(s["preemptions"] == 1);
  const double train_end = r["jobs"][0]["end_time_s"].get<double>();
  // b2 waits from 10 s to the training job's end, then runs its 990 s.
  CHECK((*group(s, "b"))["mean_queue_s"].get<double>() == Approx((train_end - 10) / 2).epsilon(1e-6));
  CHECK(s["makespan_s"].get<double>() == Approx(train_end + 990).epsilon(1e-9));
  const auto waiting = test::run_scenario_text(scenario, {"scheduler.preemption=false"});
  CHECK(waiting["jobs"][0]["queue_s"].get<double>() == Approx(990).epsilon(1e-9));
}

TEST_CASE("preemption: bad settings are one error naming the key", "[scheduler]")
{
  const std::string trace = write_trace("grouped_preempt.csv", kTwoTeams);
  const auto error = [&](const std::string& rest) {
    return test::load_error(one_node("{trace: " + trace + ", quotas: {a: 4, b: 8}" + rest + "}"));
  };
  CHECK_THAT(error(", preemption: true"),
             Catch::Contains("scheduler.preemption: takes back GPUs lent across quotas but nothing is lent; expected "
                             "quotas and quota_borrowing: true beside it"));
  CHECK_THAT(error(", quota_borrowing: true, preemption: maybe"), Catch::Contains("\"maybe\" is not a boolean"));
  CHECK_THAT(error(", quota_borrowing: true, preemption: [1]"),
             Catch::Contains("scheduler.preemption: is neither a boolean nor a mapping"));
  CHECK_THAT(error(", quota_borrowing: true, preemption: {restart: 5kg}"), Catch::Contains("scheduler.preemption.restart"));
  CHECK_THAT(error(", quota_borrowing: true, preemption: {restrat: 5s}"),
             Catch::Contains("scheduler.preemption.restrat"));
  CHECK_THAT(error(", quota_borrowing: true, preemption: {restart: 11y}"), Catch::Contains("scheduler.preemption.restart"));
  CHECK(error(", quota_borrowing: true, preemption: {restart: 1min, checkpoint_interval: 1h}").empty());
}

TEST_CASE("las: a job that has had its GPU-time gives way to a new one (worked by hand)", "[scheduler]")
{
  // One 8-GPU node, one threshold of 100 GPU-seconds. A (8 GPUs, 100 s) starts at 0 s; B (8
  // GPUs, 20 s) arrives at 5 s. A reaches 100 GPU-s at 12.5 s and falls to level 1: B preempts
  // it and runs 12.5-32.5 s; A resumes with its 87.5 s left and ends at 120 s. FIFO runs B at
  // 100-120 s.
  const std::string trace = write_trace("las_two.csv", "submit_time_s,duration_s,gpus\n0,100,8\n5,20,8\n");
  const auto las = test::run_scenario_text(one_node("{policy: las, las_thresholds: [100s], trace: " + trace + "}"))["scheduler"];
  INFO(las.dump());
  CHECK(las["policy"] == "las");
  CHECK(las["preemptions"] == 1);
  CHECK(las["mean_jct_s"].get<double>() == Approx((120 + 27.5) / 2).epsilon(1e-9));
  CHECK(las["mean_queue_s"].get<double>() == Approx((20 + 7.5) / 2).epsilon(1e-9));
  CHECK(las["makespan_s"].get<double>() == Approx(120).epsilon(1e-9));
  const auto fifo = test::run_scenario_text(one_node("{policy: fifo, trace: " + trace + "}"))["scheduler"];
  CHECK(fifo["mean_jct_s"].get<double>() == Approx((100 + 115) / 2.0).epsilon(1e-9));

  SECTION("jobs of one level are not preempted: FIFO among them")
  {
    const auto s = test::run_scenario_text(
        one_node("{policy: las, las_thresholds: [10000s], trace: " + trace + "}"))["scheduler"];
    CHECK(s["preemptions"] == 0);
    CHECK(s["mean_jct_s"].get<double>() == Approx((100 + 115) / 2.0).epsilon(1e-9));
  }
  SECTION("two thresholds: A falls twice; a 1-GPU job waits for nothing")
  {
    // Thresholds 100 and 400 GPU-s: A is at level 1 when B preempts it; after B, A runs alone.
    // A 1-GPU job C at 40 s (A holds the node again from 32.5 s at level 1) preempts A at once.
    const std::string three = write_trace("las_three.csv", "submit_time_s,duration_s,gpus\n0,100,8\n5,20,8\n40,10,1\n");
    const auto s = test::run_scenario_text(
        one_node("{policy: las, las_thresholds: [100s, 400s], trace: " + three + "}"))["scheduler"];
    INFO(s.dump());
    // C starts at 40 s and ends at 50 s; A, preempted twice, resumes at 50 s with 80 s left.
    CHECK(s["preemptions"] == 2);
    CHECK(s["mean_jct_s"].get<double>() == Approx((130 + 27.5 + 10) / 3).epsilon(1e-9));
  }
  SECTION("restart and checkpoint costs apply to its preemptions")
  {
    const auto s = test::run_scenario_text(one_node(
        "{policy: las, las_thresholds: [100s], preemption: {restart: 10s, checkpoint_interval: 5s}, trace: " + trace +
        "}"))["scheduler"];
    // A keeps 10 of its 12.5 s, resumes at 32.5 s with 90 s and a 10 s restart: ends at 132.5 s.
    CHECK(s["mean_jct_s"].get<double>() == Approx((132.5 + 27.5) / 2).epsilon(1e-9));
    CHECK(s["preemption_lost_gpu_hours"].get<double>() == Approx(8 * 12.5 / 3600).epsilon(1e-9));
  }
}

TEST_CASE("las: bad settings are one error naming the key", "[scheduler]")
{
  const std::string trace = write_trace("las_errors.csv", "submit_time_s,duration_s,gpus\n0,100,8\n");
  const auto error = [&](const std::string& rest) { return test::load_error(one_node("{trace: " + trace + rest + "}")); };
  CHECK_THAT(error(", las_thresholds: [1h]"), Catch::Contains("scheduler.las_thresholds: applies to policy las only"));
  CHECK_THAT(error(", policy: las, las_thresholds: [2h, 1h]"),
             Catch::Contains("scheduler.las_thresholds: has \"1h\", which is not a positive duration above the one before it"));
  CHECK_THAT(error(", policy: las, las_thresholds: [0s]"), Catch::Contains("scheduler.las_thresholds"));
  CHECK_THAT(error(", policy: las, las_thresholds: 1h"), Catch::Contains("scheduler.las_thresholds: is not a list"));
  CHECK_THAT(error(", policy: las, preemption: false"),
             Catch::Contains("scheduler.preemption: is off but policy las preempts by design"));
  CHECK_THAT(error(", las_promote_knob: 2"), Catch::Contains("scheduler.las_promote_knob: applies to policy las only"));
  CHECK_THAT(error(", policy: las, las_promote_knob: -1"), Catch::Contains("scheduler.las_promote_knob"));
  CHECK(error(", policy: las, las_thresholds: [1h, 10h], las_promote_knob: 4, preemption: {restart: 1min}").empty());
}
