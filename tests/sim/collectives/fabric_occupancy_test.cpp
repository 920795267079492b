// Solo phases (collectives/fabric_occupancy.hpp) against the same phases simulated flow by flow:
// alone, and interrupted part-way by a second collective that shares the fabric.
#include "support/collective_harness.hpp"

#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <numeric>

namespace {

// 16 nodes of 8 GPUs, 2-tier fat-tree with 4:1 oversubscribed leaves: collectives that cross
// leaves slow each other down.
dcsim::ClusterConfig cluster()
{
  return dcsim::test::h100_test_cluster(16, {"cluster.fabric.oversubscription=4"});
}

std::vector<int> gpus(int first, int count)
{
  std::vector<int> group(count);
  std::iota(group.begin(), group.end(), first);
  return group;
}

} // namespace

TEST_CASE("collectives::FabricOccupancy: a lone collective takes the same time solo as flow by flow", "[collectives]")
{
  const auto c = cluster();
  const dcsim::CollectiveCall call{dcsim::CollectiveKind::AllReduce, 512.0 * 1024 * 1024, 1};
  for (const char* algorithm : {"ring", "tree"}) {
    const dcsim::CollectiveOverride choice{algorithm, dcsim::Protocol::Simple};
    const double solo = dcsim::test::time_concurrent_collectives(c, {gpus(0, 128)}, call, choice, {}, true)[0];
    const double flows = dcsim::test::time_concurrent_collectives(c, {gpus(0, 128)}, call, choice, {}, false)[0];
    INFO(algorithm << ": solo " << solo << " s, flow by flow " << flows << " s");
    CHECK(solo == Approx(flows).epsilon(1e-9));
  }
}

TEST_CASE("collectives::FabricOccupancy: a solo phase interrupted by other traffic ends as real flows would",
          "[collectives]")
{
  // A: ring all-reduce over nodes 0-7, B: over nodes 4-11 (both cross the 4:1 leaf uplinks and
  // share nodes 4-7), B starting 30% into A. Solo, A runs as a timer until B starts, then as flows.
  const auto c = cluster();
  const dcsim::CollectiveCall call{dcsim::CollectiveKind::AllReduce, 1024.0 * 1024 * 1024, 1};
  const dcsim::CollectiveOverride ring{"ring", dcsim::Protocol::Simple};
  const auto a = gpus(0, 64);
  const auto b = gpus(32, 64);
  const double alone = dcsim::test::time_concurrent_collectives(c, {a}, call, ring)[0];
  const std::vector<double> start = {0.0, 0.3 * alone};
  const auto solo = dcsim::test::time_concurrent_collectives(c, {a, b}, call, ring, start, true);
  const auto flows = dcsim::test::time_concurrent_collectives(c, {a, b}, call, ring, start, false);
  INFO("A alone " << alone << " s; with B: solo " << solo[0] << ", " << solo[1] << " s; flow by flow " << flows[0]
                  << ", " << flows[1] << " s");
  CHECK(solo[0] > 1.05 * alone); // B really slowed A down
  // Equal up to SimGrid's rounding of the remaining bytes to whole bytes (1e-6 relative).
  CHECK(solo[0] == Approx(flows[0]).epsilon(1e-6));
  CHECK(solo[1] == Approx(flows[1]).epsilon(1e-6));
}
