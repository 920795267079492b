// Fabric links SimGrid simulates as one (platform/sim_links.hpp): in series, and adaptive
// routing's trunks in parallel.
#include "platform/sim_links.hpp"
#include "platform/fabric_builder.hpp"

#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <set>

TEST_CASE("platform::merge_links: each NIC's two cables become one link per direction", "[platform]")
{
  // 16 nodes of 8 GPUs with 200 Gb/s NICs: the NIC cable is every inter-node route's bottleneck.
  const auto fabric = dcsim::build_fabric(dcsim::test::h100_test_cluster(16, {"cluster.node.nics.bandwidth=200Gb/s"}));
  const auto series = dcsim::merge_links(*fabric);
  // 128 NICs, each between a GPU and a leaf: 4 directed links become 2.
  CHECK(series.bandwidth_bytes_per_s.size() == static_cast<size_t>(fabric->directed_link_count() - 2 * 128));

  // On every route, a merged link appears in one consecutive run, and the slowest merged link is
  // the slowest fabric link (200 Gb/s NIC cable behind a faster GPU-NIC link).
  for (int src : {0, 9, 77}) {
    for (int dst : {16, 64, 127}) { // all in other nodes than the sources
      const dcsim::Route r = fabric->route(src, dst, 12345);
      std::set<int> seen;
      int previous = -1;
      double slowest_fabric = 1e300, slowest_merged = 1e300;
      for (int i = 0; i < r.hops; ++i) {
        const int merged = series.of_link[r.links[i]];
        if (merged != previous)
          CHECK(seen.insert(merged).second);
        previous = merged;
        slowest_fabric = std::min(slowest_fabric, fabric->edge(r.links[i] / 2).bandwidth_bytes_per_s);
        slowest_merged = std::min(slowest_merged, series.bandwidth_bytes_per_s[merged]);
      }
      CHECK(slowest_merged == slowest_fabric);
      CHECK(slowest_merged == Approx(25e9));
    }
  }
}

TEST_CASE("platform::merge_links: adaptive routing makes each leaf's uplinks, and its downlinks, one link",
          "[platform]")
{
  // 16 nodes of 8 NICs on radix-16 leaves: 16 leaves of 8 NICs, 8 spines, 400 Gb/s uplinks.
  const auto fabric =
      dcsim::build_fabric(dcsim::test::h100_test_cluster(16, {"cluster.fabric.routing=adaptive"}));
  const auto sim = dcsim::merge_links(*fabric);
  // Series merging as without trunks (128 NICs: 2 links each), and 16 leaves x 8 uplinks x 2
  // directions become 16 x 2 trunks.
  CHECK(sim.bandwidth_bytes_per_s.size() ==
        static_cast<size_t>(fabric->directed_link_count() - 2 * 128 - (16 * 8 * 2 - 16 * 2)));
  const dcsim::Route r = fabric->route(0, 8, 7); // node 0 -> node 1: leaf 0 -> spine -> leaf 1
  std::vector<double> rates;
  for (int i = 0; i < r.hops; ++i)
    rates.push_back(sim.bandwidth_bytes_per_s[sim.of_link[r.links[i]]]);
  // GPU->NIC->leaf (one link: the 400 Gb/s NIC), leaf 0 up, leaf 1 down (8 x 50 GB/s each),
  // leaf->NIC->GPU.
  REQUIRE(rates.size() == 6);
  CHECK(rates[2] == Approx(8 * 50e9));
  CHECK(rates[3] == Approx(8 * 50e9));
  CHECK(sim.of_link[r.links[2]] != sim.of_link[r.links[3]]);
  // Every uplink of leaf 0 is the same SimGrid link, whichever spine a route picked.
  for (int dst : {16, 40, 127}) {
    const dcsim::Route other = fabric->route(1, dst, 99);
    CHECK(sim.of_link[other.links[2]] == sim.of_link[r.links[2]]);
  }
}

TEST_CASE("platform::merge_links: a spine out of service or a slow cable leaves each trunk its members' rate",
          "[platform]")
{
  // One uplink of leaf 0 at half its rate: leaf 0's trunks hold 7.5 uplinks, leaf 1's all 8.
  const auto slow = dcsim::build_fabric(dcsim::test::h100_test_cluster(
      16, {"cluster.fabric.routing=adaptive", "cluster.fabric.degraded=[{cable: [leaf0, spine3], fraction: 0.5}]"}));
  const auto rates = dcsim::merge_links(*slow);
  const dcsim::Route to_leaf1 = slow->route(0, 8, 7);
  CHECK(rates.bandwidth_bytes_per_s[rates.of_link[to_leaf1.links[2]]] == Approx(7.5 * 50e9));
  CHECK(rates.bandwidth_bytes_per_s[rates.of_link[to_leaf1.links[3]]] == Approx(8 * 50e9));

  const auto fabric = dcsim::build_fabric(dcsim::test::h100_test_cluster(
      16, {"cluster.fabric.routing=adaptive", "cluster.fabric.down=[spine0]"}));
  const auto sim = dcsim::merge_links(*fabric);
  const dcsim::Route r = fabric->route(0, 8, 7);
  CHECK(sim.bandwidth_bytes_per_s[sim.of_link[r.links[2]]] == Approx(7 * 50e9));
  CHECK(sim.bandwidth_bytes_per_s[sim.of_link[r.links[3]]] == Approx(7 * 50e9));
}
