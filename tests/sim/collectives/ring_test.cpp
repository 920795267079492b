// The ring collective on the simulated fabric against the alpha-beta formula, and max-min sharing
// of an oversubscribed uplink between two concurrent all-reduces.
#include "support/collective_harness.hpp"
#include "support/test_support.hpp"

#include "collectives/collective_algorithm.hpp"
#include "config/scenario_loader.hpp"

#include <catch2/catch.hpp>

#include <cmath>

namespace {

// 16 nodes of 8 GPUs (one 400 Gb/s NIC per GPU) on a 2-tier non-blocking fat-tree.
dcsim::ClusterConfig cluster(const std::vector<std::string>& overrides = {})
{
  return dcsim::test::h100_test_cluster(16, overrides);
}

} // namespace

TEST_CASE("collectives::Ring: uncontended all-reduce matches 2(n-1)/n S/B + 2(n-1) alpha within 1%", "[collectives]")
{
  const auto c = cluster();
  const int n = 16;
  std::vector<int> group; // GPU 0 of every node: every ring edge crosses the fabric
  for (int node = 0; node < n; ++node)
    group.push_back(node * 8);
  const double S = 1024.0 * 1024 * 1024;
  const auto t = dcsim::test::time_concurrent_collectives(c, {group}, {dcsim::CollectiveKind::AllReduce, S, 1},
                                                         {{"ring"}, {dcsim::Protocol::Simple}});

  // B: NIC rate x NCCL scale-out efficiency. alpha: per step, the edge's route latency (NIC 2us
  // + GPU-NIC-leaf-spine-leaf-NIC-GPU cables: 4 x 0.5us) plus the Simple protocol's step latency
  // and the network step latency; plus the protocol's base latency once.
  const auto& comm = c.profile.communication;
  const double B = 50e9 * comm.scale_out_efficiency;
  const double alpha = 2e-6 + 4 * 0.5e-6 + comm.protocol(dcsim::Protocol::Simple).step_latency_s +
                       comm.protocol(dcsim::Protocol::Simple).network_step_latency_s;
  const double expected = 2.0 * (n - 1) / n * S / B + 2.0 * (n - 1) * alpha +
                          comm.protocol(dcsim::Protocol::Simple).base_latency_s;
  INFO("simulated " << t[0] << " s, formula " << expected << " s");
  CHECK(t[0] == Approx(expected).epsilon(0.01));
}

TEST_CASE("collectives::Ring: a ring spanning nodes uses every NIC of a node (one channel per GPU)", "[collectives]")
{
  // 4 nodes x 8 GPUs in one ring: 8 channels, each leaving a node through a different NIC, so
  // the inter-node bandwidth is 8 NICs and the ring is as fast as its NVLink edges allow.
  const auto c = cluster();
  std::vector<int> group;
  for (int g = 0; g < 32; ++g)
    group.push_back(g);
  const double S = 4.0 * 1024 * 1024 * 1024;
  const auto t = dcsim::test::time_concurrent_collectives(c, {group}, {dcsim::CollectiveKind::AllReduce, S, 1},
                                                         {{"ring"}, {dcsim::Protocol::Simple}});
  const double per_channel = 2.0 * 31 / 32 * S / 8; // bytes on each channel edge
  const double nic = 50e9 * c.profile.communication.scale_out_efficiency;
  const double nvlink = 450e9 * c.profile.communication.scale_up_efficiency;
  // Each GPU's NVLink port carries 7 of the 8 channels' edges; each NIC one channel.
  const double bandwidth_term = std::max(7 * per_channel / nvlink, per_channel / nic);
  CHECK(t[0] > bandwidth_term);
  CHECK(t[0] < 1.10 * bandwidth_term + 62 * 10e-6);
}

TEST_CASE("collectives::Ring: two all-reduces sharing one oversubscribed uplink each take twice as long", "[collectives]")
{
  // Radix 8 at 7:1: each leaf has 7 NIC ports and a single uplink of one NIC's bandwidth.
  // One GPU per node, 1 GPU and 1 NIC per node; nodes 0-6 under leaf 0, 7-13 under leaf 1.
  const auto c = cluster({"cluster.nodes=14", "cluster.node.gpus=1", "cluster.node.nics.count=1",
                          "cluster.fabric.radix=8", "cluster.fabric.oversubscription=7"});
  const std::vector<int> a = {0, 1, 7, 8};   // crosses leaf 0 -> 1 and back once
  const std::vector<int> b = {2, 3, 9, 10};  // the same single uplinks
  const double S = 2.0 * 1024 * 1024 * 1024;
  const dcsim::CollectiveCall call{dcsim::CollectiveKind::AllReduce, S, 1};
  const dcsim::CollectiveOverride ring{{"ring"}, {dcsim::Protocol::Simple}};
  const double alone = dcsim::test::time_concurrent_collectives(c, {a}, call, ring)[0];
  const auto both = dcsim::test::time_concurrent_collectives(c, {a, b}, call, ring);
  INFO("alone " << alone << " s, together " << both[0] << " and " << both[1] << " s");
  CHECK(both[0] / alone == Approx(2.0).epsilon(0.02));
  CHECK(both[1] / alone == Approx(2.0).epsilon(0.02));
}

TEST_CASE("collectives::ring_cost: bytes per edge and steps follow the nccl-tests definitions", "[collectives]")
{
  using dcsim::CollectiveKind;
  const double S = 1000;
  const auto ar = dcsim::ring_cost({CollectiveKind::AllReduce, S, 1}, 8);
  CHECK(ar.edge_bytes == Approx(2.0 * 7 / 8 * S));
  CHECK(ar.steps == 14);
  const auto ag = dcsim::ring_cost({CollectiveKind::AllGather, S, 1}, 8);
  CHECK(ag.edge_bytes == Approx(7.0 / 8 * S));
  CHECK(ag.steps == 7);
  CHECK(dcsim::ring_cost({CollectiveKind::AllReduce, S, 1}, 1).steps == 0);
}
