// Energy and cost accounting of a finished simulation, against the state model by hand.
#include "results/energy_accounting.hpp"

#include "energy/power_model.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

using namespace dcsim;

namespace {

// Two 8-GPU H100 nodes; one 8-GPU job of two pipeline ranks; one storage server.
const char* kScenario = R"(
name: energy-test
cluster:
  nodes: 2
  node:
    gpu: H100-SXM-80GB
    gpus: 8
    scale_up: {bandwidth: 450GB/s}
    nics: {count: 8, bandwidth: 400Gb/s}
  storage: {servers: 1, bandwidth_per_server: 10GB/s}
power: {pue: 1.25, switch: 500W, storage_server: 800W}
cost: {gpu_hour: 2, electricity: 0.1}
jobs:
  - name: small
    gpus: 8
    model: {hidden: 1024, layers: 4, heads: 16, seq_len: 1024, vocab: 32000}
    parallelism: {tensor: 4, pipeline: 2}
    batch: {global: 16, micro: 1}
    iterations: 100
)";

TimeBreakdown stage(double compute, double comm, double bubble, double wait, double optimizer,
                    double memory_bound = 0)
{
  TimeBreakdown b;
  b.memory_bound_s = memory_bound;
  b.compute_s = compute;
  b.exposed_comm_s = comm;
  b.pipeline_bubble_s = bubble;
  b.pipeline_wait_s = wait;
  b.optimizer_s = optimizer;
  return b;
}

} // namespace

TEST_CASE("energy: a job's and the cluster's energy and cost follow the state model exactly")
{
  const ScenarioConfig config = test::load_text(kScenario);
  SimulationResult result;
  result.simulated_time_s = 1000;
  JobResult job;
  job.gpus = 8;
  job.iterations = 100;
  job.start_time_s = 0;
  job.end_time_s = 900;
  // 1 s iterations; rank 1 spends 0.2 s of its kernels' 0.75 s in memory-bound ones (its
  // optimizer step among them).
  job.stages = {stage(0.6, 0.2, 0.2, 0.1, 0.0), stage(0.7, 0.1, 0.15, 0.05, 0.05, 0.2)};
  job.reliability.checkpoint_time_s = 50;
  job.reliability.restart_time_s = 50;
  result.jobs.push_back(job);
  account_energy(result, config, 3, 0, 1);

  const double busy = 700, idle = 77, comm = 77 + 0.25 * (700 - 77), other = 2800;
  const double memory = 77 + (409 - 78.7) / (689 - 78.7) * (700 - 77);
  const double rank0 = 0.6 * busy + 0.3 * comm + 0.1 * idle;
  const double rank1 = 0.55 * busy + 0.2 * memory + 0.15 * comm + 0.10 * idle;
  const double gpu_w = (rank0 + rank1) / 2;
  const EnergyStats& e = result.jobs[0].energy;
  CHECK(e.gpu_training_w == Approx(gpu_w).epsilon(1e-12));
  CHECK(e.gpu_j == Approx(8 * (gpu_w * 800 + idle * 100)).epsilon(1e-12)); // 100 s paused: idle
  CHECK(e.node_other_j == Approx(other * 900).epsilon(1e-12));              // its node's share (all of it)
  CHECK(e.facility_j == Approx(1.25 * (e.gpu_j + e.node_other_j)).epsilon(1e-12));
  CHECK(e.training_power_w == Approx(8 * gpu_w + other).epsilon(1e-12));
  const double tokens = 100.0 * 16 * 1024;
  CHECK(e.joules_per_token == Approx(e.facility_j / tokens).epsilon(1e-12));
  CHECK(e.cost.gpu_hours == Approx(8 * 900 / 3600.0).epsilon(1e-12));
  CHECK(e.cost.total_usd() == Approx(2.0 * 2 + e.facility_j / 3.6e6 * 0.1).epsilon(1e-12));
  CHECK(e.usd_per_million_tokens == Approx(e.cost.total_usd() / (tokens / 1e6)).epsilon(1e-12));

  // The cluster: the job, 8 GPUs idle all along (and the job's 8 for its last 100 s), 2 nodes'
  // other parts, 3 switches at 500 W and one 800 W storage server for 1000 s.
  const EnergyStats& all = result.energy;
  CHECK(all.gpu_j == Approx(e.gpu_j + idle * (16 * 1000 - 8 * 900)).epsilon(1e-12));
  CHECK(all.node_other_j == Approx(2 * other * 1000).epsilon(1e-12));
  CHECK(all.network_j == Approx(3 * 500 * 1000.0).epsilon(1e-12));
  CHECK(all.storage_j == Approx(800 * 1000.0).epsilon(1e-12));
  CHECK(all.facility_j == Approx(1.25 * (all.gpu_j + all.node_other_j + all.network_j + all.storage_j)).epsilon(1e-12));
  CHECK(all.mean_power_w == Approx(all.facility_j / 1000).epsilon(1e-12));
  CHECK(all.idle_power_w == Approx(16 * idle + 2 * other + 1500 + 800).epsilon(1e-12));
  CHECK(all.busy_power_w == Approx(16 * busy + 2 * other + 1500 + 800).epsilon(1e-12));
  CHECK(all.training_power_w == Approx(8 * gpu_w + 8 * idle + 2 * other + 1500 + 800).epsilon(1e-12));
  CHECK(all.cost.gpu_hours == Approx(16 * 1000 / 3600.0).epsilon(1e-12));
}

TEST_CASE("energy: the engine's run reports energy consistent with its own breakdown and times")
{
  const auto r = test::run_scenario_text(kScenario);
  const auto& job = r["jobs"][0];
  const auto& e = job["energy"];
  const double wall = job["end_time_s"].get<double>() - job["start_time_s"].get<double>();
  INFO(e.dump());
  // No checkpoints: every second of the job is training, at gpu_training_w per GPU.
  CHECK(e["gpu_j"].get<double>() == Approx(8 * e["gpu_training_w"].get<double>() * wall).epsilon(1e-9));
  // A GPU in a pipelined job waits some of the time: between idle and busy power.
  CHECK(e["gpu_training_w"].get<double>() > 77);
  CHECK(e["gpu_training_w"].get<double>() < 700);
  CHECK(r["energy"]["facility_j"].get<double>() > e["facility_j"].get<double>());
  CHECK(r["cost"]["total_usd"].get<double>() > job["cost"]["total_usd"].get<double>());
  // Its norms, activations and optimizer step draw the memory-bound power (414 W by default):
  // raised to the busy power, the same run draws more; lowered, less.
  const auto watts = [](const char* memory_bound) {
    return test::run_scenario_text(kScenario, {std::string("power.gpu_memory_bound=") + memory_bound})["jobs"][0]
        ["energy"]["gpu_training_w"]
            .get<double>();
  };
  CHECK(watts("700W") > e["gpu_training_w"].get<double>());
  CHECK(watts("200W") < e["gpu_training_w"].get<double>());
}

TEST_CASE("energy: a priced network is charged to the GPU-hours, from the fabric's switches and cables")
{
  // scenarios/1024gpu.yaml at 1:1 has 64 switches and 2,048 network cables (1,024 NIC-to-leaf,
  // 1,024 leaf-to-spine); at 4:1, 34 switches and fewer cables, so each GPU-hour owes less.
  const std::string prices = "cost={gpu_capex: 30000, switch_capex: 40000, cable_capex: 1000, amortization: 4y}";
  const double hours = 4 * 365 * 24.0; // `4y`: years of 365 days
  const auto run = [&](int oversubscription) {
    return test::run_scenario("scenarios/1024gpu.yaml",
                              {prices, "cluster.fabric.oversubscription=" + std::to_string(oversubscription)});
  };
  const auto thick = run(1);
  const auto& cost = thick["jobs"][0]["cost"];
  const double per_gpu_hour = (64 * 40000.0 + 2048 * 1000.0) / hours / 1024;
  CHECK(cost["network_usd"].get<double>() == Approx(cost["gpu_hours"].get<double>() * per_gpu_hour).epsilon(1e-9));
  CHECK(cost["total_usd"].get<double>() ==
        Approx(cost["allocation_usd"].get<double>() + cost["network_usd"].get<double>() +
               cost["electricity_usd"].get<double>())
            .epsilon(1e-12));
  const auto& cluster = thick["cost"];
  CHECK(cluster["network_usd"].get<double>() == Approx(cluster["gpu_hours"].get<double>() * per_gpu_hour).epsilon(1e-9));
  const auto thin_run = run(4);
  const auto& thin = thin_run["jobs"][0]["cost"];
  const double thin_rate = thin["network_usd"].get<double>() / thin["gpu_hours"].get<double>();
  INFO("per GPU-hour: 1:1 " << per_gpu_hour << ", 4:1 " << thin_rate);
  CHECK(thin_rate < 0.7 * per_gpu_hour);
  CHECK(thin_rate > 0);
}
