// Planned maintenance of a trace's jobs (`failures.maintenance` with a scheduler trace): a
// running trace job stops at every maintenance time on the cluster's calendar, keeps its work,
// stays down on its GPUs for the downtime and goes on (scheduler/cluster_scheduler_preemption.cpp).
#include "sim/scheduler/trace_scenarios.hpp"

#include <catch2/catch.hpp>

#include <string>

using dcsim::test::one_node;
using dcsim::test::write_trace;

TEST_CASE("trace maintenance: a job of 100 s paused every 30 s for 5 s ends at 115 s (worked by hand)", "[scheduler]")
{
  // Work 0-30, down 30-35, work 35-60, down 60-65, work 65-90, down 90-95, work 95-115: 30 +
  // 25 + 25 + 20 = 100 s of work; three downtimes of 5 s on 8 GPUs.
  const std::string trace = write_trace("maintenance.csv", "submit_time_s,duration_s,gpus\n0,100,8\n");
  const auto s = dcsim::test::run_scenario_text(one_node("{policy: fifo, trace: " + trace + "}") +
                                                "failures: {maintenance: {interval: 30s, downtime: 5s}}\n")["scheduler"];
  INFO(s.dump());
  CHECK(s["mean_jct_s"].get<double>() == Approx(115).epsilon(1e-12));
  CHECK(s["trace_maintenances"].get<int>() == 3);
  CHECK(s["maintenance_lost_gpu_hours"].get<double>() == Approx(8 * 15 / 3600.0).epsilon(1e-12));
  // A job waiting in the queue is not stopped: the second 10-s job, behind the first, starts at
  // 115 s; the maintenance at 120 s stops it for 5 s, so it ends at 130 s.
  const std::string two = write_trace("maintenance_two.csv", "submit_time_s,duration_s,gpus\n0,100,8\n1,10,8\n");
  const auto s2 = dcsim::test::run_scenario_text(one_node("{policy: fifo, trace: " + two + "}") +
                                                 "failures: {maintenance: {interval: 30s, downtime: 5s}}\n")["scheduler"];
  CHECK(s2["makespan_s"].get<double>() == Approx(130).epsilon(1e-12));
  CHECK(s2["trace_maintenances"].get<int>() == 4);
}
