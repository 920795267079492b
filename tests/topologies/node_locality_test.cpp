// Leaf blocks and pods from each topology's cables, against the shapes the generators document.
#include "dragonfly.hpp"
#include "fat_tree.hpp"
#include "node_locality.hpp"
#include "rail_optimized.hpp"
#include "torus.hpp"

#include <catch2/catch.hpp>

namespace {

dcsim::NodeParams eight_gpu_nodes(int nodes, int nics = 8)
{
  dcsim::NodeParams n;
  n.nodes = nodes;
  n.gpus_per_node = 8;
  n.nics_per_node = nics;
  n.scale_up_bandwidth_bytes_per_s = 1e11;
  n.nic_bandwidth_bytes_per_s = 5e10;
  return n;
}

} // namespace

TEST_CASE("topologies::node_locality: a two-tier fat-tree has one block per leaf and one pod", "[topologies]")
{
  dcsim::FatTreeParams p;
  p.nodes = eight_gpu_nodes(24);
  p.radix = 32; // 16 NIC ports per leaf: 2 nodes of 8 NICs
  p.tiers = 2;
  const dcsim::NodeLocality l = dcsim::node_locality(dcsim::FatTree(p));
  CHECK(l.blocks == 12);
  CHECK(l.pods == 1);
  for (int node = 0; node < 24; ++node)
    CHECK(l.block[node] == node / 2);
  CHECK(l.blocks_spanned({0, 1}) == 1);
  CHECK(l.blocks_spanned({1, 2}) == 2);
  CHECK(l.pods_spanned({0, 23}) == 1);
}

TEST_CASE("topologies::node_locality: oversubscribed leaves that split a node's NICs make it a block of its own", "[topologies]")
{
  // Radix 64 at 4:1: round(64 * 4 / 5) = 51 NIC ports per leaf, so node 6 (NICs 48-55) is cabled
  // to leaves 0 and 1, node 12 (NICs 96-103) to leaves 1 and 2.
  dcsim::FatTreeParams p;
  p.nodes = eight_gpu_nodes(16);
  p.radix = 64;
  p.oversubscription = 4;
  const dcsim::NodeLocality l = dcsim::node_locality(dcsim::FatTree(p));
  CHECK(l.blocks == 5); // nodes 0-5, 6, 7-11, 12, 13-15
  CHECK(l.block[5] == 0);
  CHECK(l.block[6] == 1);
  CHECK(l.block[7] == 2);
  CHECK(l.block[11] == 2);
  CHECK(l.block[12] == 3);
  CHECK(l.block[15] == 4);
  CHECK(l.pods == 1);
}

TEST_CASE("topologies::node_locality: a three-tier fat-tree's pods are its aggregation pods", "[topologies]")
{
  // k = 8 with one-NIC nodes: 4 hosts per leaf, 4 leaves per pod, 8 pods.
  dcsim::FatTreeParams p;
  p.nodes = eight_gpu_nodes(128, 1);
  p.nodes.gpus_per_node = 1;
  p.radix = 8;
  p.tiers = 3;
  const dcsim::NodeLocality l = dcsim::node_locality(dcsim::FatTree(p));
  CHECK(l.blocks == 32);
  CHECK(l.pods == 8);
  for (int node = 0; node < 128; ++node) {
    CHECK(l.block[node] == node / 4);
    CHECK(l.pod[node] == node / 16);
  }
}

TEST_CASE("topologies::node_locality: rail groups are blocks, dragonfly groups pods, torus routers blocks", "[topologies]")
{
  dcsim::RailOptimizedParams rails;
  rails.nodes = eight_gpu_nodes(8);
  rails.rail_group_nodes = 4;
  rails.radix = 8;
  const dcsim::NodeLocality r = dcsim::node_locality(dcsim::RailOptimized(rails));
  CHECK(r.blocks == 2); // a rail group's 8 leaves are one block
  CHECK(r.block[3] == 0);
  CHECK(r.block[4] == 1);
  CHECK(r.pods == 1);   // every group reaches every rail spine

  dcsim::DragonflyParams fly;
  fly.groups = 9, fly.routers_per_group = 4, fly.nodes_per_router = 2, fly.global_links_per_router = 2;
  fly.nodes = eight_gpu_nodes(72, 1);
  fly.nodes.gpus_per_node = 1;
  fly.local_link_bandwidth_bytes_per_s = fly.global_link_bandwidth_bytes_per_s = 1e10;
  const dcsim::NodeLocality d = dcsim::node_locality(dcsim::Dragonfly(fly));
  CHECK(d.blocks == 36); // one per router
  CHECK(d.pods == 9);    // one per group: global links do not join groups
  CHECK(d.block[2] == 1);
  CHECK(d.pod[7] == 0);
  CHECK(d.pod[8] == 1);

  dcsim::TorusParams torus;
  torus.dimensions = {4, 4};
  torus.nodes = eight_gpu_nodes(16, 1);
  torus.nodes.gpus_per_node = 1;
  torus.link_bandwidth_bytes_per_s = 1e10;
  const dcsim::NodeLocality t = dcsim::node_locality(dcsim::Torus(torus));
  CHECK(t.blocks == 16);
  CHECK(t.pods == 1);
}
