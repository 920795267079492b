// The per-tier network report (engine/job_traffic.hpp) against byte counts worked from the ring
// algorithm's formulas and the job's own list of collectives: tensor-parallel rings inside the
// nodes, data-parallel rings across them, pipeline sends of every replica.
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>

namespace {

// Four nodes, one per leaf (radix 16: 8 NICs under a leaf), rings only, NCCL's Simple protocol.
const char* kScenario = R"(
name: traffic-test
cluster:
  nodes: 4
  node:
    gpu: H100-SXM-80GB
    gpus: 8
    scale_up: {bandwidth: 450GB/s, latency: 1us}
    nics: {count: 8, bandwidth: 400Gb/s, latency: 2us}
  fabric: {topology: fat-tree, tiers: 2, radix: 16, link_latency: 500ns}
jobs:
  - name: j
    gpus: 32
    model: {hidden: 2048, layers: 4, heads: 16, seq_len: 2048, vocab: 32000}
    parallelism: {tensor: 8, pipeline: 1, data: 4}
    batch: {global: 16, micro: 1}
    nccl: {algo: ring, proto: simple}
    iterations: 2
)";

std::map<std::string, nlohmann::json> tiers_of(const nlohmann::json& job)
{
  std::map<std::string, nlohmann::json> out;
  for (const auto& t : job["network"]["tiers"])
    out[t["tier"].get<std::string>()] = t;
  return out;
}

double purpose_bytes(const nlohmann::json& tier, const char* purpose)
{
  return tier["bytes_by_purpose"].value(purpose, 0.0);
}

/// The efficiency of the protocol a collective of the job's list ran with.
double protocol_efficiency(const dcsim::CommunicationParams& comm, const nlohmann::json& use)
{
  const std::string name = use["protocol"];
  return comm.protocol(name == "LL" ? dcsim::Protocol::LL : name == "LL128" ? dcsim::Protocol::LL128 : dcsim::Protocol::Simple)
      .efficiency;
}

/// Bytes one ring call sends, summed over its n ranks (each rank's share of the buffer passes
/// n - 1 hops; an all-reduce goes round twice).
double ring_bytes(const nlohmann::json& use)
{
  const double n = use["ranks"].get<double>();
  const double b = use["bytes"].get<double>();
  const std::string op = use["op"];
  if (op == "allreduce")
    return 2 * (n - 1) * b;
  REQUIRE((op == "allgather" || op == "reducescatter"));
  return (n - 1) * b;
}

} // namespace

TEST_CASE("network report: ring traffic per tier as the ring formulas give it, every replica counted", "[engine]")
{
  const dcsim::ScenarioConfig config = dcsim::test::load_text(kScenario);
  const auto& comm = config.cluster.profile.communication;
  const double simple = comm.protocol(dcsim::Protocol::Simple).efficiency;
  const auto r = dcsim::test::run_scenario_text(kScenario);
  const auto& job = r["jobs"][0];
  const double t = job["iteration_time_s"];
  // Sent bytes per iteration from the job's list of collectives (one group per pipeline rank).
  double tensor = 0, data = 0;
  for (const auto& use : job["collectives"]) {
    REQUIRE(use["algorithm"] == "ring");
    const double sent = ring_bytes(use) * use["calls_per_iteration"].get<double>();
    if (use["purpose"] == "tensor_parallel")
      tensor += sent * 4; // four replicas
    else if (use["purpose"] == "data_parallel")
      data += sent * 8;   // one ring per tensor rank
  }
  REQUIRE(tensor > 0);
  REQUIRE(data > 0);
  auto tiers = tiers_of(job);
  REQUIRE(tiers.size() == 4);
  // Each byte crosses two links of a tier: into the switch and out of it (up and down).
  const auto& nvlink = tiers["scale_up"];
  CHECK(purpose_bytes(nvlink, "tensor_parallel") ==
        Approx(2 * tensor / simple / comm.scale_up_efficiency).epsilon(1e-9));
  CHECK(nvlink["bytes_per_iteration"].get<double>() == Approx(purpose_bytes(nvlink, "tensor_parallel")).epsilon(1e-12));
  CHECK(nvlink["links"] == 64);
  CHECK(nvlink["mean_utilization"].get<double>() ==
        Approx(nvlink["bytes_per_iteration"].get<double>() / (64 * 450e9 * t)).epsilon(1e-9));
  const double across = 2 * data / simple / comm.scale_out_efficiency;
  for (const char* name : {"gpu_nic", "nic_leaf", "leaf_spine"}) {
    INFO(name);
    CHECK(purpose_bytes(tiers[name], "data_parallel") == Approx(across).epsilon(1e-9));
    CHECK(tiers[name]["busiest_link_utilization"].get<double>() >=
          tiers[name]["mean_utilization"].get<double>() * (1 - 1e-12));
    CHECK(tiers[name]["busiest_link_utilization"].get<double>() < 1.0);
  }
  CHECK(tiers["gpu_nic"]["links"] == 64);
  CHECK(tiers["gpu_nic"]["mean_utilization"].get<double>() ==
        Approx(across / (64 * 50e9 * t)).epsilon(1e-9)); // 400 Gb/s NICs
  CHECK(job["network"]["link_bytes_per_iteration"].get<double>() ==
        Approx(nvlink["bytes_per_iteration"].get<double>() + 3 * across).epsilon(1e-9));
}

TEST_CASE("network report: every replica's pipeline sends, each on its own GPUs' NICs", "[engine]")
{
  // Two pipeline ranks on nodes 0-1 and 2-3 (each replica's stage on a node of its own).
  const std::vector<std::string> sets = {"jobs.0.parallelism.pipeline=2", "jobs.0.parallelism.data=2"};
  const dcsim::ScenarioConfig config = dcsim::test::load_text(kScenario, sets);
  const auto& comm = config.cluster.profile.communication;
  const auto r = dcsim::test::run_scenario_text(kScenario, sets);
  const auto& job = r["jobs"][0];
  // One tensor rank's sends, forward and backward, every micro-batch, at the efficiency of the
  // protocol they ran with (point-to-point: NCCL's protocol choice is not restricted).
  double sends = 0;
  for (const auto& use : job["collectives"])
    if (use["purpose"] == "pipeline_send") {
      sends += use["bytes"].get<double>() * use["calls_per_iteration"].get<double>() /
               protocol_efficiency(comm, use);
    }
  REQUIRE(sends > 0);
  auto tiers = tiers_of(job);
  // 8 tensor ranks x 2 replicas, each send through the sender's and the receiver's NIC links.
  const double expected = 2 * sends * 8 * 2 / comm.scale_out_efficiency;
  CHECK(purpose_bytes(tiers["gpu_nic"], "pipeline_send") == Approx(expected).epsilon(1e-9));
  CHECK(purpose_bytes(tiers["leaf_spine"], "pipeline_send") == Approx(expected).epsilon(1e-9));
  CHECK(purpose_bytes(tiers["scale_up"], "pipeline_send") == 0.0);
  CHECK(tiers["gpu_nic"]["links"] == 64);
}

TEST_CASE("network report: every expert group's token all-to-alls, inside its node", "[engine]")
{
  // Four expert groups of 8 (one per node), tensor rank 0's of data ranks 0-7 simulated.
  const std::vector<std::string> sets = {
      "jobs.0.model.experts=8", "jobs.0.model.top_k=2", "jobs.0.model.expert_ffn_hidden=4096",
      "jobs.0.parallelism.tensor=1", "jobs.0.parallelism.data=32", "jobs.0.parallelism.expert=8",
      "jobs.0.parallelism.sequence_parallel=false", "jobs.0.batch.global=64"};
  const dcsim::ScenarioConfig config = dcsim::test::load_text(kScenario, sets);
  const auto& comm = config.cluster.profile.communication;
  const auto r = dcsim::test::run_scenario_text(kScenario, sets);
  const auto& job = r["jobs"][0];
  double sent = 0; // one group's all-to-alls: each of n ranks sends (n - 1) / n of its buffer
  for (const auto& use : job["collectives"])
    if (use["purpose"] == "expert_parallel") {
      REQUIRE(use["op"] == "alltoall");
      REQUIRE(use["ranks"] == 8);
      sent += 7 * use["bytes"].get<double>() * use["calls_per_iteration"].get<double>() /
              protocol_efficiency(comm, use);
    }
  REQUIRE(sent > 0);
  auto tiers = tiers_of(job);
  // Four groups, each byte into the node's switch and out of it.
  CHECK(purpose_bytes(tiers["scale_up"], "expert_parallel") ==
        Approx(2 * 4 * sent / comm.scale_up_efficiency).epsilon(1e-9));
  CHECK(purpose_bytes(tiers["gpu_nic"], "expert_parallel") == 0.0);
  CHECK(tiers["scale_up"]["links"] == 64);
}
