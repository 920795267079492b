// failures.elastic (sim/engine/job_reliability_elastic.cpp): a job that would wait for a spare
// trains on the replicas the failed node did not hold, saves that work and restarts at full size
// when the spare is in. Timelines worked by hand on a replayed fault.
#include "support/one_node_checkpoints.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

namespace {

// The checkpoint tests' node (tests/support/one_node_checkpoints.hpp: 8 A100s, checkpoints of
// 10 GB through a 1 GB/s storage link, 10 s to write and 10 s to read), twice, with the job as
// TP8 DP2: a node failure takes one of its two replicas.
const std::vector<std::string> kTwoNodes = {"cluster.nodes=2",
                                            "jobs.0.gpus=16",
                                            "jobs.0.parallelism.tensor=8",
                                            "jobs.0.parallelism.data=2",
                                            "jobs.0.iterations=780000",
                                            "jobs.0.checkpoint.interval=100d"};

nlohmann::json run_two_nodes(std::vector<std::string> overrides)
{
  overrides.insert(overrides.begin(), kTwoNodes.begin(), kTwoNodes.end());
  return dcsim::test::run_scenario_text(dcsim::test::kOneNodeCheckpoints, overrides);
}

/// Node 0 fails at day 0.5 and is back at 0.6 (node 1's copy of the fault, shifted by half the
/// trace's 5.1 days, comes after the job's end).
std::string one_fault_trace()
{
  const std::string trace = dcsim::test::temp_dir() + "/elastic-fault.json";
  std::ofstream(trace) << R"([
    {"node_id": "a", "event_time": 0.5, "event_type": "fault_start"},
    {"node_id": "a", "event_time": 0.6, "event_type": "fault_end"},
    {"node_id": "a", "event_time": 5.0, "event_type": "fault_start"},
    {"node_id": "a", "event_time": 5.1, "event_type": "fault_end"}])";
  return trace;
}

nlohmann::json run(bool elastic, const std::vector<std::string>& more = {})
{
  std::vector<std::string> overrides = {"failures={trace: " + one_fault_trace() +
                                        ", trace_servers: 1, restart: 10s, spare_nodes: 0, elastic: " +
                                        (elastic ? "true" : "false") + "}"};
  overrides.insert(overrides.end(), more.begin(), more.end());
  return run_two_nodes(overrides)["jobs"][0];
}

} // namespace

TEST_CASE("elastic: a job waiting for its node trains on the other replica, then saves and grows back",
          "[engine][reliability]")
{
  // Without checkpoints before the failure (interval 100 days), the job restarts from nothing
  // either way. Waiting: the node is back at 0.6 d = 51,840 s, 10 s of restart, then all N
  // iterations. Elastic: restarted at 43,210 s, it trains one replica of two until 51,840 s
  // (8,630 s: floor(8,630 / 2 / T) iterations), writes them (10 s), restarts (10 s) and reads
  // (10 s): it ends (floor(...) T - 20 s) sooner.
  const auto waiting = run(false), elastic = run(true);
  const double t = elastic["iteration_time_s"];
  const double trained = std::floor(8630.0 / 2 / t + 1e-9);
  INFO("T " << t << " s; elastic " << elastic["reliability"].dump() << "\nwaiting " << waiting["reliability"].dump());
  CHECK(waiting["end_time_s"].get<double>() - elastic["end_time_s"].get<double>() ==
        Approx(trained * t - 20).epsilon(1e-9));
  const auto& r = elastic["reliability"];
  CHECK(r["elastic_runs"] == 1);
  CHECK(r["elastic_s"].get<double>() == Approx(8630).epsilon(1e-9));
  CHECK(r["elastic_lost_s"].get<double>() == Approx(4315).epsilon(1e-9));
  CHECK(r["spare_wait_s"].get<double>() == 0);
  CHECK(r["restart_time_s"].get<double>() == Approx(30).epsilon(1e-9)); // two restarts and a read
  CHECK(r["checkpoint_time_s"].get<double>() == Approx(10).epsilon(1e-9));
  CHECK(r["lost_work_s"].get<double>() == Approx(43200).epsilon(1e-9));
  CHECK(waiting["reliability"]["spare_wait_s"].get<double>() == Approx(8640).epsilon(1e-9));
  CHECK(!waiting["reliability"].contains("elastic_runs"));
  // Goodput: the missing replica's half of the elastic run is not productive.
  const double held = elastic["end_time_s"].get<double>() - elastic["start_time_s"].get<double>();
  CHECK(elastic["goodput"].get<double>() == Approx(1 - (10 + 30 + 43200 + 4315) / held).epsilon(1e-9));
}

TEST_CASE("elastic: the time limit kills an elastic run, and the next allocation resumes from the last checkpoint",
          "[engine][reliability][time_limit]")
{
  // Hourly checkpoints, 4 h short of the job's end (660,000 iterations) when node 0 fails at
  // 43,200 s; the allocation's limit is 43,920 s. Restarted at 43,210 s and read by 43,220 s, the
  // elastic run trains one replica of two for 700 s and is killed before it saves: 350 s of work
  // lost to the limit. The requeued run then does what a job that waited for its spare (killed
  // at the limit while waiting) does: reads the same checkpoint at 43,920 s, trains the rest and
  // writes on the hour (it used to inherit the killed run's fast-forward window and skip that
  // write). So both end at the same moment and write as often.
  const std::vector<std::string> limited = {"jobs.0.checkpoint.interval=1h", "jobs.0.iterations=660000",
                                            "scheduler={policy: fifo}", "jobs.0.time_limit=43920s"};
  const auto elastic = run(true, limited), waiting = run(false, limited);
  const auto unlimited = run(true, {"jobs.0.checkpoint.interval=1h", "jobs.0.iterations=660000"});
  const auto& r = elastic["reliability"];
  INFO("elastic " << r.dump() << "\nwaiting " << waiting["reliability"].dump());
  CHECK(r["elastic_runs"] == 1);
  CHECK(r["elastic_s"].get<double>() == Approx(700).epsilon(1e-9));
  CHECK(r["elastic_lost_s"].get<double>() == Approx(350).epsilon(1e-9));
  CHECK(r["time_limit_kills"] == 1);
  CHECK(r["time_limit_lost_s"].get<double>() == Approx(350).epsilon(1e-9));
  CHECK(r["lost_work_s"].get<double>() ==
        Approx(unlimited["reliability"]["lost_work_s"].get<double>() + 350).epsilon(1e-9));
  CHECK(waiting["reliability"]["time_limit_kills"] == 1);
  CHECK(elastic["end_time_s"].get<double>() == Approx(waiting["end_time_s"].get<double>()).epsilon(1e-12));
  CHECK(r["checkpoints"] == waiting["reliability"]["checkpoints"]);
  CHECK(r["checkpoint_time_s"].get<double>() ==
        Approx(waiting["reliability"]["checkpoint_time_s"].get<double>()).epsilon(1e-12));
}

TEST_CASE("elastic: a job that finishes on the replicas left does not wait for the spare", "[engine][reliability]")
{
  // Hourly checkpoints: what is left after the last one before the failure takes less than the
  // 8,630 s until the node is back on one replica of two. The run saves an hour's work at a
  // time (10 s writes) and the job ends with its last iteration, before the node is back.
  const auto job = run(true, {"jobs.0.checkpoint.interval=1h", "jobs.0.iterations=660000"});
  const auto& r = job["reliability"];
  INFO(r.dump());
  REQUIRE(r["elastic_runs"] == 1);
  const double read_s = r["checkpoint_read_s"];
  const double elastic_s = r["elastic_s"];
  const double end = job["end_time_s"];
  CHECK(end < 51840);
  CHECK(read_s == Approx(10).epsilon(1e-9));
  // Restarted at 43,210 s, read, trained with a write after each full hour.
  CHECK(end == Approx(43210 + read_s + elastic_s + 10 * std::floor(elastic_s / 3600)).epsilon(1e-12));
  CHECK(r["elastic_lost_s"].get<double>() == Approx(elastic_s / 2).epsilon(1e-12));
  CHECK(r["restart_time_s"].get<double>() == Approx(10 + read_s).epsilon(1e-9));
  CHECK(r["spare_wait_s"].get<double>() == 0);
}

TEST_CASE("elastic: a GPU failure takes one replica of eight", "[engine][reliability]")
{
  // One node, TP1 DP8, GPU failures drawn: each elastic run goes without 1/8 of its replicas.
  const auto job = run_two_nodes({"cluster.nodes=1", "jobs.0.gpus=8", "jobs.0.parallelism.tensor=1",
                                  "jobs.0.parallelism.data=8", "jobs.0.iterations=3000000",
                                  "jobs.0.checkpoint.interval=1h",
                                  "failures={causes: [{name: gpu, per: gpu, mtbf: 200000s, repair: 2h}], "
                                  "restart: 10s, spare_nodes: 0, elastic: true}"})["jobs"][0];
  const auto& r = job["reliability"];
  INFO(r.dump());
  REQUIRE(r["elastic_runs"].get<int>() >= 1);
  CHECK(r["elastic_lost_s"].get<double>() == Approx(r["elastic_s"].get<double>() / 8).epsilon(1e-9));
}

TEST_CASE("elastic: needs spare_nodes; without checkpoints a job waits as before", "[engine][reliability]")
{
  const auto error = dcsim::test::load_error(dcsim::test::kOneNodeCheckpoints,
                                             {"failures={node_mtbf: 100h, restart: 10s, elastic: true}"});
  CHECK(error.find("failures.elastic: needs failures.spare_nodes") != std::string::npos);
  const auto plain = run(false, {"jobs.0.checkpoint.enabled=false"});
  const auto elastic = run(true, {"jobs.0.checkpoint.enabled=false"});
  CHECK(elastic["end_time_s"].get<double>() == plain["end_time_s"].get<double>());
  CHECK(elastic["reliability"]["elastic_runs"] == 0);
}

TEST_CASE("elastic: fast-forwarded and every-iteration runs agree under frequent failures", "[engine][reliability]")
{
  // Both nodes fail every hour on average, repairs of 20 min and no spares: elastic runs,
  // failures during them, waits when both nodes are down; the steady iterations between are
  // skipped in one run and simulated in the other (60,000 of them, ~5 s).
  std::vector<std::string> set = kTwoNodes;
  set.insert(set.end(), {"jobs.0.iterations=60000", "jobs.0.checkpoint.interval=5min",
                         "failures={node_mtbf: 30min, restart: 10s, repair: 20min, spare_nodes: 0, elastic: true}"});
  const auto config = dcsim::test::load_text(dcsim::test::kOneNodeCheckpoints, set);
  const auto fast = dcsim::test::run_config(config, true)["jobs"][0];
  const auto every = dcsim::test::run_config(config, false)["jobs"][0];
  INFO("fast-forwarded " << fast["reliability"].dump() << "\nevery iteration " << every["reliability"].dump());
  REQUIRE(fast["reliability"]["elastic_runs"].get<int>() >= 3);
  CHECK(fast["reliability"]["spare_wait_s"].get<double>() > 0); // some waits could not run elastic
  CHECK(fast["end_time_s"].get<double>() == Approx(every["end_time_s"].get<double>()).epsilon(1e-9));
  CHECK(fast["reliability"]["elastic_s"].get<double>() ==
        Approx(every["reliability"]["elastic_s"].get<double>()).epsilon(1e-9));
  CHECK(fast["goodput"].get<double>() == Approx(every["goodput"].get<double>()).epsilon(1e-9));
}

TEST_CASE("elastic: fast-forwarded and every-iteration runs agree when the time limit cuts elastic runs",
          "[engine][reliability][time_limit]")
{
  // The same failures in 40-minute allocations: 3 kills, two of them during elastic runs (at
  // 2,400 and 4,800 s; measured with --trace), each losing the half-speed training since the
  // run's last save (~6 s of every-iteration simulation).
  std::vector<std::string> set = kTwoNodes;
  set.insert(set.end(), {"jobs.0.iterations=60000", "jobs.0.checkpoint.interval=5min",
                         "failures={node_mtbf: 30min, restart: 10s, repair: 20min, spare_nodes: 0, elastic: true}",
                         "scheduler={policy: fifo}", "jobs.0.time_limit=40min"});
  const auto config = dcsim::test::load_text(dcsim::test::kOneNodeCheckpoints, set);
  const auto fast = dcsim::test::run_config(config, true)["jobs"][0];
  const auto every = dcsim::test::run_config(config, false)["jobs"][0];
  const auto& r = fast["reliability"];
  INFO("fast-forwarded " << r.dump() << "\nevery iteration " << every["reliability"].dump());
  REQUIRE(r["elastic_runs"].get<int>() >= 2);
  REQUIRE(r["time_limit_kills"].get<int>() >= 2);
  CHECK(fast["end_time_s"].get<double>() == Approx(every["end_time_s"].get<double>()).epsilon(1e-9));
  for (const char* key : {"elastic_s", "time_limit_lost_s", "lost_work_s", "checkpoint_time_s"})
    CHECK(r[key].get<double>() == Approx(every["reliability"][key].get<double>()).epsilon(1e-9));
  CHECK(r["checkpoints"] == every["reliability"]["checkpoints"]);
}

TEST_CASE("elastic: the cluster's network carries the replica left's traffic during the run", "[engine][reliability]")
{
  // TP8 DP2 on two nodes: each replica's tensor-parallel traffic stays on its node's NVLink, the
  // gradients' ring crosses the NICs. On one replica of two (43,210-51,840 s) NVLink carries half
  // the steady rate and the NICs nothing (a ring over one rank); during the restart, nothing.
  const auto r = run_two_nodes({"failures={trace: " + one_fault_trace() +
                                    ", trace_servers: 1, restart: 10s, spare_nodes: 0, elastic: true}",
                                "output.network_timeline=true"});
  const auto& job = r["jobs"][0];
  const double t = job["iteration_time_s"];
  const auto& timeline = r["network"]["timeline"];
  const std::vector<double> at = timeline["at_s"];
  const auto value_at = [&](const char* tier, double time_s) {
    const auto step = std::upper_bound(at.begin(), at.end(), time_s) - at.begin() - 1;
    return timeline["utilization"][tier][step].get<double>();
  };
  INFO("T " << t << " s; steps " << at.size());
  for (const char* tier : {"scale_up", "gpu_nic"})
    CHECK(value_at(tier, 43205) == 0); // restarting
  CHECK(value_at("scale_up", 47000) == Approx(value_at("scale_up", 1000) / 2).epsilon(1e-6));
  CHECK(value_at("gpu_nic", 1000) > 0);
  CHECK(value_at("gpu_nic", 47000) == 0);
  // Training's bytes: a steady iteration's for every iteration's worth of samples done or lost,
  // except the gradients of the elastic run's (8,630 s of iterations of T, each half an
  // iteration's samples). (The NICs also carry the checkpoint written and read: 20 GB.)
  double nvlink_per_iteration = 0, nic_per_iteration = 0;
  for (const auto& tier : job["network"]["tiers"]) {
    if (tier["tier"] == "scale_up")
      nvlink_per_iteration = tier["bytes_per_iteration"];
    if (tier["tier"] == "gpu_nic")
      nic_per_iteration = tier["bytes_per_iteration"];
  }
  const double iterations = job["iterations"].get<double>() + job["reliability"]["lost_work_s"].get<double>() / t;
  for (const auto& tier : r["network"]["tiers"]) {
    INFO(tier["tier"]);
    if (tier["tier"] == "scale_up")
      CHECK(tier["bytes_by_source"]["training"].get<double>() == Approx(nvlink_per_iteration * iterations).epsilon(1e-9));
    if (tier["tier"] == "gpu_nic")
      CHECK(tier["bytes_by_source"]["training"].get<double>() ==
            Approx(nic_per_iteration * (iterations - 8630 / (2 * t))).epsilon(1e-9));
  }
}
