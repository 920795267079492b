// Every collective algorithm on an idle fabric against its closed-form cost, within 1%, and the
// tuner's choices. Cluster: nodes of 8 H100 (450 GB/s NVLink, 1 us), 8 x 400 Gb/s NICs (2 us),
// one node per leaf of a 2-tier fat-tree with 0.5 us cables, so:
//   NVLink hop = 1 us route + step latency;  network hop = 2 us + 4 x 0.5 us + step + network step.
// Rates: NVLink 450 GB/s x scale_up_efficiency, NIC 50 GB/s x scale_out_efficiency (h100-sxm).
#include "support/collective_harness.hpp"
#include "support/test_support.hpp"

#include "collectives/tuner.hpp"
#include "config/scenario_loader.hpp"

#include <catch2/catch.hpp>

namespace {

using dcsim::CollectiveKind;
using dcsim::Protocol;

// 4 nodes of 8 H100s, one 400 Gb/s NIC per GPU, 2-tier fat-tree.
const dcsim::ClusterConfig& cluster()
{
  static const dcsim::ClusterConfig c = dcsim::test::h100_test_cluster(4);
  return c;
}

struct Model {
  const dcsim::CommunicationParams& comm = cluster().profile.communication;
  const dcsim::ProtocolParams& simple = comm.protocol(Protocol::Simple);
  double nvlink = 450e9 * comm.scale_up_efficiency;
  double nic = 50e9 * comm.scale_out_efficiency;
  double nv_hop = 1e-6 + simple.step_latency_s;
  double net_hop = 2e-6 + 4 * 0.5e-6 + simple.step_latency_s + simple.network_step_latency_s;
  double base = simple.base_latency_s;
};

std::vector<int> gpus(int first, int count)
{
  std::vector<int> g(count);
  for (int i = 0; i < count; ++i)
    g[i] = first + i;
  return g;
}

double simulate(const std::string& algorithm, CollectiveKind kind, const std::vector<int>& group, double bytes)
{
  return dcsim::test::time_concurrent_collectives(cluster(), {group}, {kind, bytes, 1}, {{algorithm}, {Protocol::Simple}})
      .at(0);
}

constexpr double S = 1024.0 * 1024 * 1024;

} // namespace

TEST_CASE("collectives: ring reduce-scatter, all-gather and broadcast in one node match the formulas within 1%",
          "[collectives]")
{
  const Model m;
  const auto node = gpus(0, 8);
  const double rs = 7.0 / 8 * S / m.nvlink + m.base + 7 * m.nv_hop;
  CHECK(simulate("ring", CollectiveKind::ReduceScatter, node, S) == Approx(rs).epsilon(0.01));
  CHECK(simulate("ring", CollectiveKind::AllGather, node, S) == Approx(rs).epsilon(0.01));
  // Broadcast is pipelined through the ring: every edge carries S once.
  const double bcast = S / m.nvlink + m.base + 7 * m.nv_hop;
  CHECK(simulate("ring", CollectiveKind::Broadcast, node, S) == Approx(bcast).epsilon(0.01));
}

TEST_CASE("collectives: double binary tree over 4 nodes matches its closed form within 1%", "[collectives]")
{
  const Model m;
  // 8 channels (one chain head per GPU), each carrying S/8 through one of the two trees (the first
  // on channels 0-3, its mirror on 4-7). A chain GPU sends S/8 up and S/8 down per channel except
  // at the chain's ends: 2 x 7/8 S on its NVLink port in all, at the tree efficiency. A head's
  // NIC sends on at most 2 tree edges (the root to its 2 children, an inner node to its parent
  // and child): 2 S/8, the bottleneck here.
  const double eff = m.comm.tree_efficiency;
  const double nvlink_s = 2 * 7.0 / 8 * S / (eff * m.nvlink);
  const double nic_s = 2 * S / 8 / (eff * m.nic);
  REQUIRE(nic_s > nvlink_s);
  // Latency: up the chain (7 NVLink hops) and up the tree (depth 2 over 4 nodes), then down.
  const double latency = m.base + 2 * (7 * m.nv_hop + 2 * m.net_hop);
  CHECK(simulate("tree", CollectiveKind::AllReduce, gpus(0, 32), S) == Approx(nic_s + latency).epsilon(0.01));
}

TEST_CASE("collectives: recursive halving-doubling in one node matches its closed form within 1%", "[collectives]")
{
  const Model m;
  // log2(8) = 3 halving steps (S/2, S/4, S/8) and 3 doubling steps back: 2 x 7/8 S per GPU, 6 hops.
  const double expected = 2 * 7.0 / 8 * S / m.nvlink + m.base + 6 * m.nv_hop;
  CHECK(simulate("halving_doubling", CollectiveKind::AllReduce, gpus(0, 8), S) == Approx(expected).epsilon(0.01));
}

TEST_CASE("collectives: hierarchical all-reduce over 4 nodes is three rings, within 1%", "[collectives]")
{
  const Model m;
  const double in_node = 7.0 / 8 * S / m.nvlink + m.base + 7 * m.nv_hop;                  // RS, then AG
  const double across = 2 * 3.0 / 4 * (S / 8) / m.nic + m.base + 2 * 3 * m.net_hop;         // per rail, S/8
  CHECK(simulate("hierarchical", CollectiveKind::AllReduce, gpus(0, 32), S) ==
        Approx(2 * in_node + across).epsilon(0.01));
}

TEST_CASE("collectives: NVLS all-reduce sends S into the switch and back at the NVLS efficiency, within 1%",
          "[collectives]")
{
  const Model m;
  const double expected = S / (450e9 * m.comm.nvls_efficiency) + m.comm.nvls_base_latency_s + 2 * m.nv_hop;
  CHECK(simulate("nvls", CollectiveKind::AllReduce, gpus(0, 8), S) == Approx(expected).epsilon(0.01));
}

TEST_CASE("collectives: with SHARP switches, all-reduce goes through the network's reduction tree, within 1%",
          "[collectives]")
{
  const Model m;
  const dcsim::ClusterConfig sharp = dcsim::test::h100_test_cluster(4, {"cluster.fabric.in_network_reduction=true"});
  const auto time = [&](const char* algorithm, const std::vector<int>& group) {
    return dcsim::test::time_concurrent_collectives(sharp, {group}, {CollectiveKind::AllReduce, S, 1},
                                                    {{algorithm}, {Protocol::Simple}})
        .at(0);
  };
  // One GPU on each of 4 nodes (CollNet): each NIC sends S up the tree and receives S, against
  // the ring's 2 x 3/4 S; two network steps.
  const std::vector<int> one_per_node = {0, 8, 16, 24};
  CHECK(time("collnet", one_per_node) == Approx(S / m.nic + m.base + 2 * m.net_hop).epsilon(0.01));
  CHECK(time("ring", one_per_node) == Approx(1.5 * S / m.nic + m.base + 6 * m.net_hop).epsilon(0.01));
  // All 32 GPUs (NVLS across nodes): NVLS's bus bandwidth of one node kept, so the NVLink bytes
  // grow by (31/32) / (7/8); each NIC carries S/8 each way, concurrently (NVLink-bound here).
  const double nvlink_s = S * (31.0 / 32) / (7.0 / 8) / (450e9 * m.comm.nvls_efficiency);
  REQUIRE(nvlink_s > S / 8 / m.nic);
  CHECK(time("nvls", gpus(0, 32)) ==
        Approx(nvlink_s + m.comm.nvls_base_latency_s + 2 * m.nv_hop + 2 * m.net_hop).epsilon(0.01));
  // Without SHARP neither runs across nodes.
  CHECK_THROWS_WITH(dcsim::test::isolated_sweep(cluster(), CollectiveKind::AllReduce, 32, {S}, {{"nvls"}, {}}),
                    Catch::Contains("nvls cannot run allreduce over 32 GPUs"));
}

TEST_CASE("collectives: in-network reduction on a dragonfly or torus is an error at the key, exit 2", "[collectives]")
{
  for (const char* scenario : {"scenarios/fabric-dragonfly.yaml", "scenarios/fabric-torus.yaml"}) {
    const auto r = dcsim::test::run_cli("validate " + dcsim::test::repo_path(scenario) +
                                        " --set cluster.fabric.in_network_reduction=true");
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find("cluster.fabric.in_network_reduction: is modelled on fat-tree and rail-optimized fabrics only") !=
          std::string::npos);
  }
}

TEST_CASE("collectives: direct all-to-all and send/recv across nodes are NIC-bound, within 1%", "[collectives]")
{
  const Model m;
  // 16 GPUs on 2 nodes: each GPU sends S/16 to each of the 8 GPUs of the other node through its NIC.
  const double a2a = 8 * S / 16 / m.nic + m.base + m.net_hop;
  CHECK(simulate("direct", CollectiveKind::AllToAll, gpus(0, 16), S) == Approx(a2a).epsilon(0.01));
  const double p2p = S / m.nic + m.base + m.net_hop;
  CHECK(simulate("direct", CollectiveKind::SendRecv, {0, 8}, S) == Approx(p2p).epsilon(0.01));
}

TEST_CASE("collectives: all-to-all between nodes in merged flows loads every cable as flows per pair would",
          "[collectives]")
{
  // 64 GPUs on 8 nodes of a radix-32 fat-tree at 3:1: 3 nodes per leaf, 8 uplinks of 50 GB/s.
  // Each GPU sends S/64 to each other GPU; leaf 0 (nodes 0-2) sends 3 x 5 nodes x 64 x S/64 =
  // 15 S to the other leaves, spread by D-mod-K over its 8 uplinks by destination GPU position:
  // 15 S / 8 per uplink, more than a NIC's 56 S / 64. Merged flows (one per GPU and other node,
  // 448 + 448 flows instead of 4,032) give the same loads, hence the same time.
  const Model m;
  const dcsim::ClusterConfig c = dcsim::test::h100_test_cluster(8, {"cluster.fabric.radix=32",
                                                                     "cluster.fabric.oversubscription=3"});
  const double t = dcsim::test::time_concurrent_collectives(c, {gpus(0, 64)}, {CollectiveKind::AllToAll, S, 1},
                                                            {{"direct"}, {Protocol::Simple}})
                       .at(0);
  const double expected = 15.0 / 8 * S / m.nic + m.base + m.net_hop;
  CHECK(t == Approx(expected).epsilon(0.01));
}

TEST_CASE("collectives::tuner: LL for small messages, Simple for large, NVLS on H100 nodes, overrides obeyed",
          "[collectives]")
{
  const auto run = [](double bytes, const std::vector<int>& group, dcsim::CollectiveOverride choice = {}) {
    return dcsim::test::isolated_sweep(cluster(), CollectiveKind::AllReduce, static_cast<int>(group.size()), {bytes},
                                       choice)
        .at(0);
  };
  const auto small = run(1024, gpus(0, 8));
  CHECK(small.protocol == Protocol::LL);
  const auto large = run(S, gpus(0, 8));
  CHECK(large.algorithm == "nvls");
  CHECK(large.protocol == Protocol::Simple);
  // Forced: the ring, slower than NVLS for this size.
  const auto ring = run(S, gpus(0, 8), {{"ring"}, {}});
  CHECK(ring.algorithm == "ring");
  CHECK(ring.time_s > large.time_s);
  // Across nodes, a small all-reduce takes the tree (fewer sequential hops than the ring).
  CHECK(run(4096, gpus(0, 32)).algorithm == "tree");
  // The tuner's pick is the fastest of what it may choose, as simulated on an idle fabric.
  const auto ll128 = run(256 * 1024, gpus(0, 8), {{}, {Protocol::LL128}});
  const auto best = run(256 * 1024, gpus(0, 8));
  CHECK(best.time_s <= ll128.time_s * 1.001);
}

TEST_CASE("collectives::tuner: an algorithm that cannot run the call is refused with a reason", "[collectives]")
{
  CHECK_THROWS_WITH(dcsim::test::isolated_sweep(cluster(), CollectiveKind::AllGather, 8, {1024}, {{"nvls"}, {}}),
                    Catch::Contains("nvls cannot run allgather over 8 GPUs"));
}
