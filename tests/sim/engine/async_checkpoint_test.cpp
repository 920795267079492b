// Asynchronous checkpoints (jobs[].checkpoint.async): training stops only for the copy to host
// memory, the write lands in the background, and until it has landed a failure rolls back to the
// checkpoint before it. On the one-node job of job_reliability_test.cpp: a 10 GB checkpoint, one
// 1 GB/s storage server (a 10 s write), 8 GPUs copying 1.25 GB each at 12.5 GB/s (0.1 s). The
// job's own traffic stays on NVLink, so the write does not slow its iterations.
#include "support/one_node_checkpoints.hpp"
#include "support/test_support.hpp"

#include "reliability/checkpoint_interval.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

namespace {

const char* kScenario = dcsim::test::kOneNodeCheckpoints;
/// The same job with asynchronous checkpoints, plus `more` overrides.
std::vector<std::string> async(std::vector<std::string> more = {})
{
  more.insert(more.begin(), {"jobs.0.checkpoint.async=true", "jobs.0.checkpoint.snapshot_bandwidth=12.5GB/s"});
  return more;
}

constexpr double kSnapshot = 10e9 / 8 / 12.5e9; // 0.1 s
constexpr double kWrite = 10.0;                 // 10 GB at 1 GB/s

double elapsed_s(const nlohmann::json& job)
{
  return job["end_time_s"].get<double>() - job["start_time_s"].get<double>();
}

double iteration_s()
{
  return dcsim::test::run_scenario_text(kScenario, async())["jobs"][0]["iteration_time_s"].get<double>();
}

} // namespace

TEST_CASE("async checkpoint: training stops only for the snapshot; the write lands in the background")
{
  const auto job = dcsim::test::run_scenario_text(kScenario, async())["jobs"][0];
  const auto& r = job["reliability"];
  const double training = 10000 * job["iteration_time_s"].get<double>();
  const int checkpoints = static_cast<int>(std::floor(training / 60.0));
  INFO(r.dump());
  CHECK(r["checkpoint_snapshot_s"].get<double>() == Approx(kSnapshot).epsilon(1e-9));
  CHECK(r["checkpoint_write_s"].get<double>() == Approx(kWrite).epsilon(0.01));
  CHECK(r["checkpoints"].get<int>() == checkpoints); // the last one's write is waited for at the end
  // Stopped: a snapshot per checkpoint and, at the end, what was left of the last write.
  const double tail = r["checkpoint_time_s"].get<double>() - checkpoints * kSnapshot;
  CHECK(tail >= -1e-9);
  CHECK(tail <= kWrite * 1.01);
  CHECK(elapsed_s(job) == Approx(training + checkpoints * kSnapshot + tail).epsilon(1e-6));
  const auto sync = dcsim::test::run_scenario_text(kScenario)["jobs"][0];
  CHECK(elapsed_s(sync) - elapsed_s(job) == Approx(checkpoints * (kWrite - kSnapshot) - tail).epsilon(0.01));
}

TEST_CASE("async checkpoint: a failure before the write lands loses the work since the previous checkpoint")
{
  // One fault, 125 s in (its end 10 days later makes the trace's span, after which it would
  // repeat). Snapshots at ~60 s and ~120 s of training; the second's write (until ~130 s) is
  // still in flight.
  const std::string trace = dcsim::test::temp_dir() + "/one-fault.json";
  std::ofstream(trace) << R"([{"node_id": "a", "event_time": )" << 125.0 / 86400
                       << R"(, "event_type": "fault_start"}, {"node_id": "a", "event_time": 10, "event_type": "fault_end"}])";
  const double it = iteration_s();
  const std::vector<std::string> failing = {"failures.trace=" + trace, "failures.trace_servers=1",
                                            "failures.restart=10s",
                                            "jobs.0.iterations=" + std::to_string(int(200 / it))};
  const auto async_run = dcsim::test::run_scenario_text(kScenario, async(failing))["jobs"][0]["reliability"];
  const auto sync = dcsim::test::run_scenario_text(kScenario, failing)["jobs"][0]["reliability"];
  INFO("async " << async_run.dump() << "\nsync " << sync.dump());
  REQUIRE(async_run["failures"].get<int>() == 1);
  REQUIRE(sync["failures"].get<int>() == 1);
  // Async: the first snapshot at the boundary W1 in (60 - it, 60]; lost: everything trained since,
  // 125 - W1 less the two 0.1 s snapshots.
  const double async_lost = async_run["lost_work_s"].get<double>();
  CHECK(async_lost >= 125 - 60 - 2 * kSnapshot - 1e-6);
  CHECK(async_lost < 125 - 60 - 2 * kSnapshot + it + 1e-6);
  // Sync: the first write ended at W1 + 10 and was safe from then on.
  const double sync_lost = sync["lost_work_s"].get<double>();
  CHECK(sync_lost >= 125 - 60 - kWrite - 1e-6);
  CHECK(sync_lost < 125 - 60 - kWrite + it + 1e-6);
}

TEST_CASE("async checkpoint: the auto interval is Daly's for the snapshot, never shorter than a write")
{
  const std::vector<std::string> failing = {"failures.node_mtbf=2h", "failures.restart=60s",
                                            "jobs.0.checkpoint.interval=auto", "jobs.0.iterations=2000000"};
  const auto job = dcsim::test::run_scenario_text(kScenario, async(failing))["jobs"][0];
  const auto& r = job["reliability"];
  INFO(r.dump());
  CHECK(r["checkpoint_interval_s"].get<double>() ==
        Approx(std::max(dcsim::daly_interval_s(kSnapshot, 7200), r["checkpoint_write_s"].get<double>()))
            .epsilon(1e-9));
  const auto sync = dcsim::test::run_scenario_text(kScenario, failing)["jobs"][0];
  INFO("goodput async " << job["goodput"] << ", sync " << sync["goodput"]);
  CHECK(job["goodput"].get<double>() > sync["goodput"].get<double>());
}

namespace {

// Two nodes whose data-parallel all-reduce crosses their one NIC each; the 100 GB checkpoint
// goes out through the same NICs (2 x 25 GB/s, storage 2 x 50 GB/s), so a write slows training.
const char* kSharedNics = R"(
name: async-interference
cluster:
  nodes: 2
  node:
    gpu: A100-SXM-80GB
    gpus: 8
    scale_up: {bandwidth: 300GB/s}
    nics: {count: 1, bandwidth: 200Gb/s}
  storage: {servers: 2, bandwidth_per_server: 50GB/s}
jobs:
  - name: small
    gpus: 16
    model: {hidden: 1024, layers: 4, heads: 16, seq_len: 1024, vocab: 32000}
    parallelism: {tensor: 1, data: 16}
    batch: {global: 128, micro: 8}
    iterations: 3000
    checkpoint: {interval: 20s, size: 100GB, async: true}
)";

} // namespace

TEST_CASE("async checkpoint: fast-forwarding through writes charges the slowdown the first one measured")
{
  const auto config = dcsim::test::load_text(kSharedNics);
  const auto fast = dcsim::test::run_config(config)["jobs"][0];
  const auto every_iteration = dcsim::test::run_config(config, false)["jobs"][0];
  const auto& r = fast["reliability"];
  INFO("fast-forwarded " << r.dump() << "\nevery iteration simulated " << every_iteration["reliability"].dump());
  CHECK(r["checkpoints"].get<int>() >= 8);
  CHECK(r["checkpoint_slowdown_s"].get<double>() > 0.1); // the all-reduce shares the NICs with the write
  CHECK(elapsed_s(fast) == Approx(elapsed_s(every_iteration)).epsilon(0.002));
  CHECK(r["checkpoints"] == every_iteration["reliability"]["checkpoints"]);
  CHECK(every_iteration["simulated_iterations"] == 3000);
  CHECK(fast["simulated_iterations"].get<int>() < 300); // the first write's iterations and a few more
}

TEST_CASE("async checkpoint: without snapshot_bandwidth the copy runs at the GPU's host link")
{
  // PCIe Gen5 x16 hosts (H100, H200, B200): 55.4 GB/s, measured on H200 nodes (nvbandwidth h2d,
  // reference/collectives/published.yaml stas_p2p_and_pcie_measurements); A100 (Gen4): 88% of
  // 31.5 GB/s, the same fraction of the line rate.
  const std::vector<std::string> own_link = {"jobs.0.checkpoint.async=true"};
  const auto a100 = dcsim::test::run_scenario_text(kScenario, own_link)["jobs"][0]["reliability"];
  CHECK(a100["checkpoint_snapshot_s"].get<double>() == Approx(10e9 / 8 / (0.88 * 31.5e9)).epsilon(1e-9));
  auto h100 = own_link;
  h100.push_back("cluster.node.gpu=H100-SXM-80GB");
  const auto r = dcsim::test::run_scenario_text(kScenario, h100)["jobs"][0]["reliability"];
  CHECK(r["checkpoint_snapshot_s"].get<double>() == Approx(10e9 / 8 / 55.4e9).epsilon(1e-9));
}

TEST_CASE("async checkpoint: a storage network of its own leaves training alone; its NICs bound the write")
{
  // kSharedNics: 100 GB from 2 nodes whose one 200 Gb/s NIC each also carries the all-reduce.
  // With storage NICs of their own the write no longer slows training, and it takes 100 GB over
  // the nodes' storage NICs (2 x 25 GB/s: 2 s; two NICs a node: 1 s) or the servers' 2 x 50 GB/s.
  const auto shared = dcsim::test::run_scenario_text(kSharedNics)["jobs"][0];
  const auto own = dcsim::test::run_scenario_text(kSharedNics, {"cluster.storage.network={nics: 1, bandwidth: 200Gb/s}"})["jobs"][0];
  const auto two = dcsim::test::run_scenario_text(kSharedNics, {"cluster.storage.network={nics: 2, bandwidth: 200Gb/s}"})["jobs"][0];
  INFO("shared " << shared["reliability"].dump() << "\nown " << own["reliability"].dump());
  CHECK(shared["reliability"]["checkpoint_slowdown_s"].get<double>() > 0.1);
  CHECK(own["reliability"]["checkpoint_slowdown_s"].get<double>() == 0.0);
  CHECK(own["reliability"]["checkpoint_write_s"].get<double>() == Approx(100e9 / (2 * 25e9)).epsilon(1e-3));
  CHECK(two["reliability"]["checkpoint_write_s"].get<double>() == Approx(100e9 / (4 * 25e9)).epsilon(1e-3));
  CHECK(own["iteration_time_s"] == shared["iteration_time_s"]);
  CHECK(own["reliability"]["checkpoints"] == shared["reliability"]["checkpoints"]);
  // What the shared run lost is the slowdown: charged to its checkpoint time for the
  // fast-forwarded writes, lived in the simulated iterations of the first.
  const double charged = shared["reliability"]["checkpoint_time_s"].get<double>() -
                         own["reliability"]["checkpoint_time_s"].get<double>();
  CHECK(elapsed_s(shared) - elapsed_s(own) ==
        Approx(charged + shared["reliability"]["checkpoint_slowdown_s"].get<double>()).epsilon(0.01));
}
