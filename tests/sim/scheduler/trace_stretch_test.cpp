// scheduler.trace_traffic.stretch: a trace job's traced duration is its work with its load fully
// served; where the network gives its flows less, its run lasts longer, as max-min sharing says.
// Checked on one-GPU nodes under three leaves of a 7:1 fat-tree, where every NIC and every leaf's
// single uplink carry 50 GB/s.
#include "sim/scheduler/trace_scenarios.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace dcsim {
namespace {

/// 21 one-GPU nodes, radix 8 at 7:1: nodes 0-6, 7-13 and 14-20 under three leaves, each with one
/// uplink of one NIC's bandwidth. `rows`: the trace's lines (submit, duration, GPUs, gradient
/// bytes a second), placed consecutively.
std::string leaves(const std::string& name, const std::string& rows, bool stretch = true,
                   const std::string& extra = "")
{
  const std::string trace =
      test::write_trace(name + ".csv", "submit_time_s,duration_s,gpus,gradient_bytes,iteration_s\n" + rows);
  return "name: trace-stretch\n"
         "cluster:\n"
         "  nodes: 21\n"
         "  node: {gpu: H100-SXM-80GB, gpus: 1, scale_up: {bandwidth: 450GB/s}, nics: {count: 1, bandwidth: 400Gb/s}}\n"
         "  fabric: {topology: fat-tree, tiers: 2, radix: 8, oversubscription: 7}\n" +
         extra +
         "scheduler: {policy: fifo, trace: " + trace + ", trace_traffic: {gradient: 1B, iteration: 1s, stretch: " +
         (stretch ? "true" : "false") + "}}\n"
         "output: {job_table: true}\n";
}

double end_of(const nlohmann::json& result, int job) { return result["scheduler"]["job_table"]["end_s"][job].get<double>(); }

TEST_CASE("trace stretch: a job whose flows ask more than its NICs carry runs longer in proportion",
          "[scheduler][trace]")
{
  // Three GPUs under leaf 0: a ring whose three flows each cross one NIC. Below the NIC's rate
  // the job takes its traced 1,000 s; above, the ratio of what it asks to what the NIC gives.
  const auto run = [](const std::string& gradient, bool stretch = true) {
    return test::run_scenario_text(leaves("stretch-nic-" + gradient, "0,1000,3," + gradient + ",1\n", stretch));
  };
  const auto light = run("10e9");
  const auto heavy = run("80e9");
  const auto heavier = run("160e9");
  const auto moderate = run("40e9");
  CHECK(end_of(light, 0) == Approx(1000).epsilon(1e-6));
  CHECK(light["scheduler"]["trace_slowed_jobs"] == 0);
  const double t80 = end_of(heavy, 0);
  INFO("80 GB a second: " << t80 << " s");
  CHECK(t80 > 2000);
  // Both above the NIC's rate: the run is proportional to the bytes it must move.
  CHECK(end_of(heavier, 0) == Approx(2 * t80).epsilon(1e-6));
  CHECK(end_of(moderate, 0) == Approx(t80 / 2).epsilon(1e-6));
  CHECK(heavy["scheduler"]["trace_slowed_jobs"] == 1);
  CHECK(heavy["scheduler"]["trace_max_stretch"].get<double>() == Approx(t80 / 1000).epsilon(1e-6));
  CHECK(heavy["scheduler"]["job_table"]["contention_s"][0].get<double>() == Approx(t80 - 1000).epsilon(1e-6));
  CHECK(heavy["scheduler"]["trace_contention_gpu_hours"].get<double>() == Approx(3 * (t80 - 1000) / 3600).epsilon(1e-6));
  // Without stretch the trace's duration stands, and none of the stretch's keys are written.
  const auto kept = run("80e9", false);
  CHECK(end_of(kept, 0) == Approx(1000).epsilon(1e-9));
  CHECK_FALSE(kept["scheduler"].contains("trace_slowed_jobs"));
  CHECK_FALSE(kept["scheduler"]["job_table"].contains("contention_s"));
}

TEST_CASE("trace stretch: two jobs crossing one uplink share it max-min, and the survivor speeds up",
          "[scheduler][trace]")
{
  // Jobs of 6, 2, 5 and 2 GPUs on nodes 0-5, 6-7, 8-12 and 13-14: A (6, 7) and B (13, 14) each
  // send one flow up and one down through leaf 1's uplink; the other two send nothing.
  const auto rows = [](const std::string& a, const std::string& b, int b_duration = 1000) {
    return "0,1000,6,0,1\n0,1000,2," + a + ",1\n0,1000,5,0,1\n0," + std::to_string(b_duration) + ",2," + b + ",1\n";
  };
  const auto alone = test::run_scenario_text(leaves("stretch-a-alone", rows("40e9", "0")));
  const auto alone_heavy = test::run_scenario_text(leaves("stretch-a-heavy", rows("160e9", "0")));
  const auto both = test::run_scenario_text(leaves("stretch-both", rows("40e9", "40e9")));
  // A alone at 40 GB a second fits its NICs and the uplink: its traced time.
  CHECK(end_of(alone, 1) == Approx(1000).epsilon(1e-6));
  // At 160 GB it asks c = 4 x (its 40 GB flow's rate) of the 50 GB/s, taking 1000 c / 50 s.
  // Together at 40 GB each, A and B get half the uplink each: 1000 (c / 4) / 25 = half that.
  const double t160 = end_of(alone_heavy, 1);
  CHECK(t160 > 3000);
  CHECK(end_of(both, 1) == Approx(t160 / 2).epsilon(1e-6));
  CHECK(end_of(both, 3) == Approx(t160 / 2).epsilon(1e-6));
  CHECK(both["scheduler"]["trace_slowed_jobs"] == 2);
  // B's 300 s of work at half its pace (it moves 25 GB/s of the s x 50 its 40 GB asks, s =
  // t160 / 4000) ends at 600 s; A has done as much by then and does its last 700 s alone.
  const double s = t160 / 4000;
  const auto brief = test::run_scenario_text(leaves("stretch-b-brief", rows("40e9", "40e9", 300)));
  CHECK(end_of(brief, 3) == Approx(600 * s).epsilon(1e-6));
  CHECK(end_of(brief, 1) == Approx(600 * s + 700).epsilon(1e-6));
}

TEST_CASE("trace stretch: maintenance stops the work and keeps it; the load rests while the job is down",
          "[scheduler][trace]")
{
  // The 3-GPU job at 80 GB a second takes t80 alone; maintenance every 500 s of the calendar
  // keeps 100 s of it down each time, while its load sends nothing: t80 + 100 per stop.
  const std::string rows = "0,1000,3,80e9,1\n";
  const double t80 = end_of(test::run_scenario_text(leaves("stretch-maint-alone", rows)), 0);
  const auto paused = test::run_scenario_text(
      leaves("stretch-maint", rows, true, "failures: {maintenance: {interval: 500s, downtime: 100s}}\n"));
  const int stops = paused["scheduler"]["trace_maintenances"].get<int>();
  INFO("alone " << t80 << " s; " << stops << " maintenance stops");
  CHECK(stops == static_cast<int>((t80 + 100 * stops) / 500)); // one at every 500 s it was running
  CHECK(end_of(paused, 0) == Approx(t80 + 100 * stops).epsilon(1e-6));
  CHECK(paused["scheduler"]["job_table"]["contention_s"][0].get<double>() == Approx(t80 - 1000).epsilon(1e-6));
}

TEST_CASE("trace stretch: beside a training job, fast-forwarding gives what simulating every iteration gives",
          "[scheduler][trace]")
{
  // Trace jobs of 5, 4 and 3 GPUs (nodes 0-4, 5-8, 9-11) send 30 GB a second; the training job
  // (nodes 12-15, submitted at 1 s) shares leaf 1's uplink with the 4-GPU one, whose flows ask
  // 47 of its 50 GB/s: the training job's bursts slow it. While the training job skips
  // iterations its traffic is off the network; the stretched loads then move on at the pace
  // they kept beside it, counted (engine/trace_traffic.hpp), so both runs agree.
  const std::string text = leaves("stretch-beside-training", "0,100,5,30e9,1\n0,100,4,30e9,1\n0,100,3,30e9,1\n") +
                           test::small_training_job(2000);
  const auto skipped = test::run_scenario_text(text);
  const auto every = test::run_config(test::load_text(text), false);
  INFO("4-GPU trace job ends at " << end_of(skipped, 2) << " s (every iteration: " << end_of(every, 2) << " s)");
  CHECK(end_of(skipped, 2) > 150); // slowed by the training job's bursts, not by its own NICs
  CHECK(skipped["jobs"][0]["simulated_iterations"].get<int>() < 50);
  for (int job = 0; job < 4; ++job)
    CHECK(end_of(skipped, job) == Approx(end_of(every, job)).epsilon(1e-6));
  CHECK(skipped["jobs"][0]["end_time_s"].get<double>() == Approx(every["jobs"][0]["end_time_s"].get<double>()).epsilon(1e-6));
}

TEST_CASE("trace traffic: a job waiting for GPUs ends fast-forwarding when it could start, not at every decision",
          "[scheduler][trace]")
{
  // Jobs of 8 GPUs for 30 s (nodes 0-7, one of them under leaf 1) and 4 for 1,000 s (8-11); the
  // training job (12-15) crosses leaves 1 and 2. At 2 s a job of 8 GPUs arrives and waits until
  // the first ends: from 30 s on nodes 0-7, its ring through leaf 1's uplink slows the training
  // job. Arrivals of one-GPU jobs every 5 s (which start elsewhere) are decisions at which nothing
  // can start it: fast-forwarding runs through them, and gives what every iteration gives.
  std::string rows = "0,30,8,0,1\n0,1000,4,0,1\n2,500,8,30e9,1\n";
  for (int k = 1; k <= 20; ++k)
    rows += std::to_string(5 * k) + ",3,1,0,1\n";
  for (const bool stretch : {false, true}) {
    const std::string text = leaves("waiting-trace", rows, stretch) + test::small_training_job(3000);
    const auto skipped = test::run_scenario_text(text);
    const auto every = test::run_config(test::load_text(text), false);
    INFO((stretch ? "stretched" : "not stretched"));
    CHECK(skipped["jobs"][0]["simulated_iterations"].get<int>() < 300);
    CHECK(skipped["jobs"][0]["end_time_s"].get<double>() ==
          Approx(every["jobs"][0]["end_time_s"].get<double>()).epsilon(1e-6));
    const auto& ends = skipped["scheduler"]["job_table"]["end_s"];
    for (size_t j = 0; j < ends.size(); ++j)
      CHECK(ends[j].get<double>() == Approx(every["scheduler"]["job_table"]["end_s"][j].get<double>()).epsilon(1e-6));
  }
}

TEST_CASE("fast-forwarding two training jobs that share an uplink: within 0.5% of every iteration simulated",
          "[scheduler][trace]")
{
  // The 8-GPU job is a second training job, waiting from 2 s for the first trace job's nodes;
  // from 30 s its ring and the first job's share leaf 1's uplink. Their periods differ (about
  // 141 and 160 ms together), so the phase between their bursts drifts and no two iterations
  // repeat exactly. Measured (ends, fast-forwarded against every iteration): -0.11% and +0.06%,
  // with 64 and 53 iterations simulated. Two equal iterations taken as steady (the rule for a job
  // alone) put the first job 2.5% early (steady at 135.1 ms; its mean is 141.0); before that, a
  // job entering a window at its last iteration's pace (run with the other's traffic gone)
  // ended 22.6% early.
  const std::string text = leaves("waiting-training", "0,30,8,0,1\n0,1000,4,0,1\n") + test::small_training_job(3000) +
                           "  - name: v\n    gpus: 8\n    start_time: 2s\n"
                           "    model: {hidden: 2048, layers: 8, heads: 16, seq_len: 1024, vocab: 32000}\n"
                           "    parallelism: {data: 8}\n    batch: {global: 32, micro: 4}\n    iterations: 2000\n";
  const auto skipped = test::run_scenario_text(text);
  const auto every = test::run_config(test::load_text(text), false);
  for (int j = 0; j < 2; ++j) {
    const double ff = skipped["jobs"][j]["end_time_s"].get<double>();
    const double all = every["jobs"][j]["end_time_s"].get<double>();
    INFO("job " << j << ": " << ff << " s fast-forwarded, " << all << " s every iteration");
    CHECK(ff == Approx(all).epsilon(0.005));
  }
}

TEST_CASE("trace stretch: two training jobs beside a stretched load fast-forward as every iteration runs",
          "[scheduler][trace]")
{
  // Trace jobs on nodes 0-7 (30 s), 8-10 and 11-15, the last sending 30 GB a second across leaves
  // 1 and 2; the training job w on 16-19 and, from 30 s, v on 0-7, whose ring shares leaf 1's
  // uplink with the stretched load. With two training jobs running the loads' pace is measured
  // over the iterations their steady times are means of (TraceTraffic::window_limit_s).
  const std::string text = leaves("stretch-two-training", "0,30,8,0,1\n0,1000,3,0,1\n0,1000,5,30e9,1\n") +
                           test::small_training_job(3000) +
                           "  - name: v\n    gpus: 8\n    start_time: 2s\n"
                           "    model: {hidden: 2048, layers: 8, heads: 16, seq_len: 1024, vocab: 32000}\n"
                           "    parallelism: {data: 8}\n    batch: {global: 32, micro: 4}\n    iterations: 2000\n";
  const auto skipped = test::run_scenario_text(text);
  const auto every = test::run_config(test::load_text(text), false);
  const auto& ends = skipped["scheduler"]["job_table"]["end_s"];
  INFO("stretched job ends at " << ends[4].get<double>() << " s (every iteration: "
                                << every["scheduler"]["job_table"]["end_s"][4].get<double>() << " s)");
  CHECK(skipped["scheduler"]["trace_slowed_jobs"] == 1);
  CHECK(skipped["jobs"][1]["simulated_iterations"].get<int>() < 500);
  for (size_t j = 0; j < ends.size(); ++j)
    CHECK(ends[j].get<double>() == Approx(every["scheduler"]["job_table"]["end_s"][j].get<double>()).epsilon(1e-3));
}

TEST_CASE("trace stretch: the key is a boolean", "[scheduler][trace]")
{
  const std::string small = test::write_trace("stretch-small.csv", "submit_time_s,duration_s,gpus\n0,100,1\n");
  CHECK_THAT(test::load_error(test::one_node("{trace: " + small + ", trace_traffic: {gradient: 1GB, iteration: 1s, stretch: 3}}")),
             Catch::Contains("scheduler.trace_traffic.stretch: \"3\" is not a boolean"));
}

} // namespace
} // namespace dcsim
