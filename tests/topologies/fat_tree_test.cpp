// Fat-tree shapes with known answers (Al-Fares et al. 2008: a k-ary fat-tree has k^3/4 hosts
// and 5k^2/4 switches) and routing properties.
#include "fat_tree.hpp"

#include <catch2/catch.hpp>

#include <set>

namespace {

dcsim::FatTreeParams k_ary(int k)
{
  dcsim::FatTreeParams p;
  p.nodes = k * k * k / 4; // one GPU and one NIC per host
  p.gpus_per_node = 1;
  p.nics_per_node = 1;
  p.scale_up_bandwidth_bytes_per_s = 1e11;
  p.nic_bandwidth_bytes_per_s = 1e10;
  p.tiers = 3;
  p.radix = k;
  p.link_latency_s = 1e-6;
  return p;
}

int switches(const dcsim::FatTree& t)
{
  int n = 0;
  const auto& g = t.graph();
  for (auto v : boost::make_iterator_range(boost::vertices(g))) {
    const auto kind = g[v].kind;
    n += kind == dcsim::VertexKind::Leaf || kind == dcsim::VertexKind::Spine || kind == dcsim::VertexKind::Core;
  }
  return n;
}

} // namespace

TEST_CASE("topologies::FatTree: k-ary fat-trees have k^3/4 hosts and 5k^2/4 switches", "[topologies]")
{
  for (int k : {4, 8}) {
    const dcsim::FatTree tree(k_ary(k));
    CHECK(tree.gpu_count() == k * k * k / 4);
    CHECK(switches(tree) == 5 * k * k / 4);
    CHECK(tree.shape().uplink_bandwidth_bytes_per_s == Approx(1e10)); // full bisection: uplinks = downlinks
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
  for (int src = 0; src < 4; ++src) { // the hosts of leaf 0 send to the hosts of leaf 1
    const auto r = tree.route(src, src + 4, 12345);
    uplinks.insert(r.links[2]); // third hop: leaf -> aggregation
  }
  CHECK(uplinks.size() == 4);
}

TEST_CASE("topologies::FatTree: oversubscription divides the uplink bandwidth", "[topologies]")
{
  auto p = k_ary(8);
  p.tiers = 2;
  p.nodes = 16;
  p.radix = 8;
  p.oversubscription = 3; // 6 down, 2 up
  const dcsim::FatTree tree(p);
  CHECK(tree.shape().leaf_down == 6);
  CHECK(tree.shape().leaf_up == 2);
  // 6 NICs x 10 GB/s down = 3 x (2 uplinks x bandwidth)
  CHECK(tree.shape().uplink_bandwidth_bytes_per_s == Approx(6 * 1e10 / (3 * 2)));
}

TEST_CASE("topologies::FatTree: a radix too small for the hosts is refused with the limit", "[topologies]")
{
  auto p = k_ary(4);
  p.nodes = 100;
  CHECK_THROWS_WITH(dcsim::FatTree(p), Catch::Contains("connect at most 16"));
}
