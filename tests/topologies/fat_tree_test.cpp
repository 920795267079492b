// Fat-tree shapes with known answers (Al-Fares et al. 2008: a k-ary fat-tree has k^3/4 hosts
// and 5k^2/4 switches), bisection bandwidths, routing and failures.
#include "fabric_analysis.hpp"
#include "fat_tree.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace {

dcsim::NodeParams one_gpu_hosts(int hosts)
{
  dcsim::NodeParams n;
  n.nodes = hosts;
  n.gpus_per_node = 1;
  n.nics_per_node = 1;
  n.scale_up_bandwidth_bytes_per_s = 1e11;
  n.nic_bandwidth_bytes_per_s = 1e10;
  return n;
}

dcsim::FatTreeParams k_ary(int k)
{
  dcsim::FatTreeParams p;
  p.nodes = one_gpu_hosts(k * k * k / 4);
  p.tiers = 3;
  p.radix = k;
  p.link_latency_s = 1e-6;
  return p;
}

} // namespace

TEST_CASE("topologies::FatTree: k-ary fat-trees have k^3/4 hosts, 5k^2/4 switches, full bisection", "[topologies]")
{
  for (int k : {4, 8}) {
    const dcsim::FatTree tree(k_ary(k));
    const auto s = dcsim::analyse_fabric(tree);
    CHECK(s.gpus == k * k * k / 4);
    CHECK(s.switches == 5 * k * k / 4);
    // Full bisection: half the hosts can send to the other half at line rate.
    CHECK(s.bisection_bandwidth_bytes_per_s == Approx(k * k * k / 4 * 1e10 / 2));
    // Diameter: GPU-NIC-leaf-agg-core-agg-leaf-NIC-GPU = 8 cables.
    CHECK(s.diameter_hops == 8);
    // Between pods there are (k/2)^2 equal-cost paths (one per core).
    CHECK(s.ecmp_paths_max == Approx(k * k / 4));
  }
}

TEST_CASE("topologies::FatTree: an oversubscribed leaf-spine has bisection hosts x bandwidth / (2 x ratio)", "[topologies]")
{
  for (double ratio : {1.0, 3.0}) {
    dcsim::FatTreeParams p;
    p.nodes = one_gpu_hosts(48);
    p.tiers = 2;
    p.radix = 16;
    p.oversubscription = ratio; // 1:1 -> 8 down 8 up; 3:1 -> 12 down 4 up
    const dcsim::FatTree tree(p);
    const auto s = dcsim::analyse_fabric(tree);
    CHECK(s.bisection_bandwidth_bytes_per_s == Approx(48 * 1e10 / (2 * ratio)));
  }
}

TEST_CASE("topologies::FatTree: routes climb only as high as needed", "[topologies]")
{
  const dcsim::FatTree tree(k_ary(4)); // 16 hosts, 2 per leaf, 4 per pod
  CHECK(tree.route(0, 1, 0).hops == 4);  // same leaf: gpu-nic, nic-leaf, leaf-nic, nic-gpu
  CHECK(tree.route(0, 2, 0).hops == 6);  // same pod: + leaf-agg, agg-leaf
  CHECK(tree.route(0, 15, 0).hops == 8); // other pod: + agg-core, core-agg
  CHECK(tree.route(0, 15, 0).latency_s == Approx(6e-6)); // 6 cables of 1 us (NIC latency 0 here)
}

TEST_CASE("topologies::FatTree: D-mod-K routing sends a shift pattern over distinct uplinks", "[topologies]")
{
  const dcsim::FatTree tree(k_ary(8)); // 4 hosts per leaf, 4 uplinks per leaf
  std::set<int> uplinks;
  for (int src = 0; src < 4; ++src) // the hosts of leaf 0 send to the hosts of leaf 1
    uplinks.insert(tree.route(src, src + 4, 12345).links[2]); // third hop: leaf -> aggregation
  CHECK(uplinks.size() == 4);
}

TEST_CASE("topologies::FatTree: ECMP spreads 10,000 flows within 5% of uniform", "[topologies]")
{
  dcsim::FatTreeParams p;
  p.nodes = one_gpu_hosts(32);
  p.tiers = 2;
  p.radix = 8; // 4 hosts and 4 uplinks per leaf: 4 equal-cost paths between leaves
  p.routing = dcsim::UpPortChoice::Ecmp;
  const dcsim::FatTree tree(p);
  std::map<int, int> per_uplink;
  int flows = 0;
  for (int src = 0; src < 4 && flows < 10000; ++src) // leaf 0's hosts
    for (int dst = 4; dst < 32 && flows < 10000; ++dst)
      for (int flow = 0; flow < 90 && flows < 10000; ++flow, ++flows)
        ++per_uplink[tree.route(src, dst, dcsim::mix_hash(src, dst, flow)).links[2]];
  REQUIRE(per_uplink.size() == 4);
  for (const auto& [link, count] : per_uplink) {
    INFO("uplink " << link << ": " << count << " of " << flows << " flows");
    CHECK(std::fabs(count - flows / 4.0) <= 0.05 * flows / 4.0);
  }
}

TEST_CASE("topologies::FatTree: a cable or switch taken down is routed around, and back", "[topologies]")
{
  dcsim::FatTree tree(k_ary(8));
  const auto before = tree.route(0, 16, 0); // other pod
  const int edge = before.links[2] / 2;      // the leaf -> aggregation cable it uses
  tree.set_edge_up(edge, false);
  const auto around = tree.route(0, 16, 0);
  CHECK(around.hops == before.hops);
  for (int i = 0; i < around.hops; ++i)
    CHECK(around.links[i] / 2 != edge);
  tree.set_edge_up(edge, true);
  const auto again = tree.route(0, 16, 0);
  REQUIRE(again.hops == before.hops);
  CHECK(std::equal(again.links.begin(), again.links.begin() + again.hops, before.links.begin()));
  // Every uplink of leaf 0 down: nothing leaves it.
  for (int j = 0; j < 4; ++j)
    tree.set_edge_up(tree.route(0, 16, j).links[2] / 2, false);
  CHECK_THROWS_WITH(tree.route(0, 16, 0), Catch::Contains("every up-port is down"));
}

TEST_CASE("topologies::FatTree: a radix too small for the hosts is refused with the limit", "[topologies]")
{
  auto p = k_ary(4);
  p.nodes.nodes = 100;
  CHECK_THROWS_WITH(dcsim::FatTree(p), Catch::Contains("connect at most 16"));
}

TEST_CASE("topologies::FatTree: adaptive trunks are each leaf's and each pod's cables, one per direction",
          "[topologies]")
{
  dcsim::FatTreeParams p = k_ary(4); // 4 pods of 2 leaves and 2 aggregation switches, 4 cores
  CHECK(dcsim::FatTree(p).adaptive_trunks().empty()); // D-mod-K routes have no trunks
  p.routing = dcsim::UpPortChoice::Adaptive;
  const dcsim::FatTree tree(p);
  const auto trunks = tree.adaptive_trunks();
  // 8 leaves x 2 directions of 2 cables, then 4 pods x 2 directions of 2 x 2 core cables.
  REQUIRE(trunks.size() == 8 * 2 + 4 * 2);
  std::set<int> members;
  for (size_t t = 0; t < trunks.size(); ++t) {
    CHECK(trunks[t].size() == (t < 16 ? 2u : 4u));
    for (int link : trunks[t]) {
      CHECK(members.insert(link).second); // no directed link is in two trunks
      const std::string name = tree.link_name(link);
      const bool upward = t % 2 == 0;
      INFO(name);
      // Upward trunks leave leaves (or aggregation switches); downward ones arrive there.
      CHECK((name.rfind(t < 16 ? "leaf" : "agg", 0) == 0) == upward);
    }
  }
  // Every switch-to-switch cable is in a trunk, in both directions.
  CHECK(members.size() == 2u * (8 * 2 + 8 * 2));
  CHECK(tree.describe().find("adaptive routing") != std::string::npos);
}
