// Training jobs preempted by the scheduler: a borrowed job giving its lent node back, a job
// demoted by least attained service; each stops at an iteration boundary, keeps its iterations,
// resumes later on the GPUs it gets then, and its results add the runs up.
#include "sim/scheduler/trace_scenarios.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace dcsim;
using test::group;
using test::write_trace;

namespace {

/// Two nodes, quotas a 8 and b 8, lent GPUs taken back: a's trace job holds node 0 for 1,000 s,
/// a's training job (8 GPUs, 3,000 iterations of ~80 ms, from 10 s) borrows node 1, and b's
/// job (8 GPUs, 200 s) arrives at 100 s.
std::string borrowed_training(const std::string& preemption)
{
  const std::string trace = write_trace("lend_training.csv", "submit_time_s,duration_s,gpus,group\n"
                                                             "0,1000,8,a\n100,200,8,b\n");
  std::string s = test::two_nodes_and_training_job("{policy: fifo, trace: " + trace +
                                                   ", quotas: {a: 8, b: 8}, quota_borrowing: true, preemption: " +
                                                   preemption + "}");
  return s.replace(s.find("iterations: 10"), 14, "iterations: 3000");
}

} // namespace

TEST_CASE("training preemption: a borrowed training job gives its node back at an iteration boundary",
          "[scheduler]")
{
  const auto kept = test::run_scenario_text(borrowed_training("false"));
  const auto given = test::run_scenario_text(borrowed_training("true"));
  const auto& alone = kept["jobs"][0];
  const auto& job = given["jobs"][0];
  INFO(given["scheduler"].dump());
  const double iteration_s = alone["iteration_time_s"].get<double>();
  // Without preemption b waits for the training job (~149 s); with it, for the rest of one iteration.
  CHECK((*group(kept["scheduler"], "b"))["mean_queue_s"].get<double>() > 100);
  const double b_wait = (*group(given["scheduler"], "b"))["mean_queue_s"].get<double>();
  CHECK(b_wait >= 0);
  CHECK(b_wait <= iteration_s);
  // The training job waits out b's 200 s (from its stop to b's end), then runs what it had left:
  // it ends exactly that much later, all 3,000 iterations done.
  CHECK(job["preemptions"] == 1);
  CHECK(job["iterations"] == 3000);
  CHECK(job["suspended_s"].get<double>() == Approx(200).epsilon(1e-9));
  CHECK(job["queue_s"].get<double>() == Approx(200).epsilon(1e-9));
  CHECK(job["end_time_s"].get<double>() - job["suspended_s"].get<double>() ==
        Approx(alone["end_time_s"].get<double>()).epsilon(1e-9));
  CHECK(job["iteration_time_s"].get<double>() == Approx(iteration_s).epsilon(1e-6));
  // It draws power only while it holds GPUs: the same energy as the run never preempted.
  CHECK(job["energy"]["gpu_j"].get<double>() == Approx(alone["energy"]["gpu_j"].get<double>()).epsilon(1e-6));
  CHECK_FALSE(alone.contains("preemptions"));
  SECTION("fast-forwarding changes nothing: every iteration simulated gives the same ends")
  {
    const auto every = test::run_config(test::load_text(borrowed_training("true")), false);
    CHECK(every["jobs"][0]["simulated_iterations"] == 3000);
    CHECK(every["jobs"][0]["end_time_s"].get<double>() == Approx(job["end_time_s"].get<double>()).epsilon(1e-9));
    CHECK((*group(every["scheduler"], "b"))["mean_queue_s"].get<double>() == Approx(b_wait).epsilon(1e-6));
  }
}

TEST_CASE("training preemption: a job that checkpoints saves when preempted and reads back when it resumes",
          "[scheduler]")
{
  // The borrowed job again, checkpointing to two storage servers: when preempted it writes its
  // state (b waits for the write too), and its resumed run reads it first. It ends later than
  // the job never preempted by b's 200 s plus the write and the read, all its iterations done.
  const std::vector<std::string> storage = {"cluster.storage.servers=2", "cluster.storage.bandwidth_per_server=5GB/s",
                                            "jobs.0.checkpoint.interval=1h"};
  const auto kept = test::run_scenario_text(borrowed_training("false"), storage);
  const auto given = test::run_scenario_text(borrowed_training("true"), storage);
  const auto& job = given["jobs"][0];
  const auto& rs = job["reliability"];
  INFO(job.dump());
  const double iteration_s = job["iteration_time_s"].get<double>();
  const double write_s = rs["checkpoint_time_s"].get<double>();
  const double read_s = rs["restart_time_s"].get<double>();
  CHECK(rs["checkpoints"] == 1); // the save; no interval ran out
  CHECK(write_s > 0.05);
  CHECK(rs["checkpoint_write_s"].get<double>() == Approx(write_s).epsilon(1e-9));
  CHECK(rs["checkpoint_read_s"].get<double>() == Approx(read_s).epsilon(1e-9));
  CHECK(read_s == Approx(write_s).epsilon(0.05)); // the same bytes the other way
  const double b_wait = (*group(given["scheduler"], "b"))["mean_queue_s"].get<double>();
  CHECK(b_wait >= write_s);
  CHECK(b_wait <= write_s + iteration_s);
  CHECK(job["end_time_s"].get<double>() ==
        Approx(kept["jobs"][0]["end_time_s"].get<double>() + 200 + write_s + read_s).epsilon(1e-9));
  CHECK(job["goodput"].get<double>() < 1);
}

TEST_CASE("training preemption: least attained service demotes a training job and preempts it", "[scheduler]")
{
  // One node. The training job (8 GPUs, 1,000 iterations) reaches 100 GPU-seconds at 12.5 s;
  // the 8-GPU trace job (10 s), submitted at 0 s, preempts it at its next boundary. The
  // training job resumes when the trace job ends and finishes 10 s late.
  const std::string trace = write_trace("las_training.csv", "submit_time_s,duration_s,gpus\n0,10,8\n");
  std::string scenario = test::two_nodes_and_training_job("{policy: las, las_thresholds: [100s], trace: " + trace + "}");
  scenario.replace(scenario.find("nodes: 2"), 8, "nodes: 1");
  scenario.replace(scenario.find("start_time: 10s"), 15, "start_time: 0s");
  scenario.replace(scenario.find("iterations: 10"), 14, "iterations: 1000");
  scenario.replace(scenario.find("    group: a\n"), 13, "");
  const auto r = test::run_scenario_text(scenario);
  const auto& job = r["jobs"][0];
  INFO(r["scheduler"].dump());
  const double iteration_s = job["iteration_time_s"].get<double>();
  CHECK(job["preemptions"] == 1);
  CHECK(job["suspended_s"].get<double>() == Approx(10).epsilon(1e-9));
  CHECK(job["end_time_s"].get<double>() == Approx(1000 * iteration_s + 10).epsilon(1e-6));
  // The trace job waited from 0 s to the first boundary after 12.5 s.
  const double trace_wait = 2 * r["scheduler"]["mean_queue_s"].get<double>() - 10;
  CHECK(trace_wait >= 12.5);
  CHECK(trace_wait <= 12.5 + iteration_s);
}

TEST_CASE("training preemption: Tiresias' starvation knob sends a waiting job back to the top", "[scheduler]")
{
  // One node, threshold 100 GPU-s. The training job (8 GPUs, ~79.5 s of work) is preempted at
  // its first boundary after 12.5 s by an 8-GPU trace job of 100 s. Without the knob it waits
  // the trace job's 100 s. With knob 1 a preempted job goes back to the top once it has waited
  // as long as it ran (~12.5 s), when the other has fallen a level: the two take turns in
  // ~12.5 s slices, as Tiresias' knob intends, and neither waits for the other's whole run.
  const std::string trace = write_trace("las_knob.csv", "submit_time_s,duration_s,gpus\n0,100,8\n");
  const auto scenario = [&](const std::string& knob) {
    std::string s = test::two_nodes_and_training_job("{policy: las, las_thresholds: [100s]" + knob + ", trace: " +
                                                     trace + "}");
    s.replace(s.find("nodes: 2"), 8, "nodes: 1");
    s.replace(s.find("start_time: 10s"), 15, "start_time: 0s");
    s.replace(s.find("iterations: 10"), 14, "iterations: 1000");
    return s.replace(s.find("    group: a\n"), 13, "");
  };
  const auto starved = test::run_scenario_text(scenario(""));
  const auto turns = test::run_scenario_text(scenario(", las_promote_knob: 1"));
  INFO(turns["scheduler"].dump());
  const double iteration_s = starved["jobs"][0]["iteration_time_s"].get<double>();
  CHECK(starved["jobs"][0]["suspended_s"].get<double>() == Approx(100).epsilon(1e-6));
  CHECK_FALSE(starved["scheduler"].contains("las_promotions"));
  const auto& job = turns["jobs"][0];
  CHECK(turns["scheduler"]["las_promotions"].get<int>() >= 2);
  CHECK(job["preemptions"].get<int>() >= 2);
  CHECK(job["suspended_s"].get<double>() < 100);
  // Every iteration kept, the node never idle: the same work and the same makespan.
  CHECK(job["end_time_s"].get<double>() == Approx(1000 * iteration_s + job["suspended_s"].get<double>()).epsilon(1e-6));
  CHECK(turns["scheduler"]["makespan_s"].get<double>() ==
        Approx(starved["scheduler"]["makespan_s"].get<double>()).epsilon(1e-6));
}
