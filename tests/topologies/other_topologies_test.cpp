// Rail-optimized, dragonfly, torus, scale-up domains and file-described fabrics: counts,
// diameters and routes with known answers.
#include "support/test_support.hpp"

#include "dragonfly.hpp"
#include "fabric_analysis.hpp"
#include "fat_tree.hpp"
#include "file_fabric.hpp"
#include "rail_optimized.hpp"
#include "torus.hpp"

#include <catch2/catch.hpp>

namespace {

dcsim::NodeParams hosts(int nodes, int gpus = 1, int nics = 1)
{
  dcsim::NodeParams n;
  n.nodes = nodes;
  n.gpus_per_node = gpus;
  n.nics_per_node = nics;
  n.scale_up_bandwidth_bytes_per_s = 1e11;
  n.nic_bandwidth_bytes_per_s = 1e10;
  return n;
}

} // namespace

TEST_CASE("topologies::Torus: routers, links and diameter of 2-D and 3-D tori", "[topologies]")
{
  dcsim::TorusParams p;
  p.link_bandwidth_bytes_per_s = 1e10;
  p.dimensions = {4, 4, 4};
  p.nodes = hosts(64);
  const auto three = dcsim::analyse_fabric(dcsim::Torus(p));
  CHECK(three.vertices_by_kind.at("router") == 64);
  CHECK(three.links_by_kind.at("fabric") == 3 * 64);   // one + link per router and dimension
  CHECK(three.diameter_hops == 4 + 2 + 2 + 2);          // NIC cables + half of each ring
  p.dimensions = {4, 6};
  p.nodes = hosts(24);
  const auto two = dcsim::analyse_fabric(dcsim::Torus(p));
  CHECK(two.links_by_kind.at("fabric") == 2 * 24);
  CHECK(two.diameter_hops == 4 + 2 + 3);
  // A 4x6 torus cut across the 6-long dimension crosses 2 x 4 links (the wrap-around too).
  CHECK(two.bisection_bandwidth_bytes_per_s == Approx(8 * 1e10));
}

TEST_CASE("topologies::Dragonfly: groups of all-to-all routers, one global link per group pair", "[topologies]")
{
  dcsim::DragonflyParams p;
  p.groups = 9, p.routers_per_group = 4, p.nodes_per_router = 2, p.global_links_per_router = 2; // a*h = g-1
  p.nodes = hosts(72);
  p.local_link_bandwidth_bytes_per_s = p.global_link_bandwidth_bytes_per_s = 1e10;
  const dcsim::Dragonfly fly(p);
  const auto s = dcsim::analyse_fabric(fly);
  CHECK(s.vertices_by_kind.at("router") == 36);
  CHECK(s.links_by_kind.at("fabric") == 9 * 4 * 3 / 2); // local: a(a-1)/2 per group
  CHECK(s.links_by_kind.at("global") == 9 * 8 / 2);     // g(g-1)/2 group pairs
  CHECK(s.diameter_hops == 4 + 3);                       // local, global, local
  CHECK(fly.route(0, 71, 0).hops <= 7);
}

TEST_CASE("topologies: a torus or dragonfly past the size limits is refused before it is built", "[topologies]")
{
  dcsim::TorusParams torus;
  torus.dimensions = {256, 256, 2}; // 131,072 routers
  torus.nodes = hosts(8);
  CHECK(dcsim::Torus::check(torus).find("more than 65536 routers") != std::string::npos);
  torus.dimensions = {256, 256, 1}; // 65,536: the limit itself is allowed
  CHECK(dcsim::Torus::check(torus).empty());

  dcsim::DragonflyParams fly;
  fly.groups = 9;
  fly.routers_per_group = 2048; // 9 x 2048 x 2047 / 2 local + 9,216 global cables
  fly.nodes_per_router = 1;
  fly.global_links_per_router = 1;
  fly.nodes = hosts(8);
  CHECK(dcsim::Dragonfly::check(fly).find("18874368 router cables is more than dcsim builds") != std::string::npos);
}

TEST_CASE("topologies::RailOptimized: NIC i of every node sits on rail i, cross-rail traffic uses NVLink first", "[topologies]")
{
  dcsim::RailOptimizedParams p;
  p.nodes = hosts(8, 8, 8);
  p.rail_group_nodes = 4;
  p.radix = 8; // 4 nodes down, 4 spines up per rail leaf
  const dcsim::RailOptimized rails(p);
  const auto s = dcsim::analyse_fabric(rails);
  CHECK(s.vertices_by_kind.at("leaf") == 2 * 8);  // groups x rails
  CHECK(s.vertices_by_kind.at("spine") == 8 * 4); // rails x spines per rail
  // Same rail, same group: GPU 0 of node 0 to GPU 0 of node 1 through one leaf.
  CHECK(rails.route(0, 8, 0).hops == 4);
  // Same rail, other group: up to a rail spine and down.
  CHECK(rails.route(0, 4 * 8, 0).hops == 6);
  // GPU 0 of node 0 to GPU 3 of node 1 (rail 3): NVLink to GPU 3 of node 0, then rail 3.
  const auto pxn = rails.route(0, 8 + 3, 0);
  CHECK(rails.edge(pxn.links[0] / 2).kind == dcsim::LinkKind::ScaleUp);
  CHECK(pxn.hops == 2 + 4);
}

TEST_CASE("topologies: a 72-GPU scale-up domain spans nodes (NVL72)", "[topologies]")
{
  dcsim::FatTreeParams p;
  p.nodes = hosts(36, 4, 4);
  p.nodes.domain_gpus = 72; // 18 trays of 4 GPUs per domain
  p.tiers = 2;
  p.radix = 64;
  const dcsim::FatTree tree(p);
  CHECK(tree.route(0, 71, 0).hops == 2); // NVLink switch, across trays
  CHECK(tree.route(0, 72, 0).hops >= 4); // next domain: through the NICs
  CHECK(tree.same_domain(3, 70));
  CHECK_FALSE(tree.same_domain(71, 72));
}

TEST_CASE("topologies::FileFabric: the Alibaba Lingjun topology loads as 847 hosts, 119 ToRs, 3 PSWs, 1 DSW", "[topologies]")
{
  std::vector<dcsim::TopologyFileError> errors;
  auto p = dcsim::read_topology_file(dcsim::test::reference_path("traces/alibaba_lingjun_topology.csv"), errors);
  REQUIRE(errors.empty());
  REQUIRE(p.switches.size() == 847);
  p.nodes = hosts(847, 8, 8);
  p.link_bandwidth_bytes_per_s = 5e10;
  const dcsim::FileFabric fabric(p);
  const auto s = dcsim::analyse_fabric(fabric);
  CHECK(s.gpus == 847 * 8);
  CHECK(s.vertices_by_kind.at("leaf") == 119);
  CHECK(s.vertices_by_kind.at("spine") == 3);
  CHECK(s.vertices_by_kind.at("core") == 1);
  CHECK(s.diameter_hops == 4 + 4); // ToR-PSW-DSW-PSW-ToR
}

TEST_CASE("topologies::read_topology_file: malformed rows are reported with their line", "[topologies]")
{
  const std::string path = std::string(DCSIM_SOURCE_DIR) + "/tests/topologies/data/malformed_topology.csv";
  std::vector<dcsim::TopologyFileError> errors;
  dcsim::read_topology_file(path, errors);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].line == 3);
  CHECK(errors[0].message.find("row has 3 fields; expected 4") != std::string::npos);
  CHECK(errors[1].line == 5);
  CHECK(errors[1].message.find("empty field") != std::string::npos);
}

TEST_CASE("topologies::read_topology_file: a repeated host or a second root switch is an error on its line", "[topologies]")
{
  // Both once passed: the repeated host became a second node, the second root a tree of its own
  // that routing could not reach (exit 1, "no path from ...").
  const std::string path = std::string(DCSIM_SOURCE_DIR) + "/tests/topologies/data/repeated_host_two_roots.csv";
  std::vector<dcsim::TopologyFileError> errors;
  const auto params = dcsim::read_topology_file(path, errors);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].line == 4);
  CHECK(errors[0].message == "host h0 is already on line 2; expected one row per host");
  CHECK(errors[1].line == 5);
  CHECK(errors[1].message == "core C1 is not C0 (line 2); expected one core switch, the root every path hangs from");
  CHECK(params.switches.size() == 3); // h0, h1, h4
}

TEST_CASE("topologies: storage servers hang off the top tier and routes reach them both ways", "[topologies]")
{
  dcsim::FatTreeParams p;
  p.nodes = hosts(16);
  p.tiers = 2;
  p.radix = 8; // 4 leaves, 4 spines
  dcsim::FatTree tree(p);
  tree.add_storage(2, 25e9, 1e-6);
  const auto s = dcsim::analyse_fabric(tree);
  CHECK(s.vertices_by_kind.at("storage") == 2);
  CHECK(s.links_by_kind.at("storage") == 2);
  const auto write = tree.route_storage(5, 1, 0, false);
  CHECK(write.hops == 4); // gpu-nic, nic-leaf, leaf-spine (the storage's spine), spine-storage
  CHECK(tree.edge(write.links[write.hops - 1] / 2).kind == dcsim::LinkKind::Storage);
  const auto read = tree.route_storage(5, 1, 0, true);
  REQUIRE(read.hops == write.hops);
  for (int i = 0; i < read.hops; ++i)
    CHECK(read.links[i] == (write.links[write.hops - 1 - i] ^ 1));
}

TEST_CASE("topologies: a storage network of its own carries checkpoints off the GPUs' NICs and fabric",
          "[topologies]")
{
  dcsim::FatTreeParams p;
  p.nodes = hosts(2, 8, 8); // 2 nodes of 8 GPUs, a NIC each
  p.tiers = 2;
  p.radix = 8;
  dcsim::FatTree tree(p);
  const int fabric_switches = tree.network_switch_count();
  tree.add_storage(2, 25e9, 1e-6, dcsim::StorageNetwork{2, 25e9, 2e-6});
  CHECK(tree.separate_storage_network());
  const auto s = dcsim::analyse_fabric(tree);
  CHECK(s.vertices_by_kind.at("storage_switch") == 1);
  CHECK(s.vertices_by_kind.at("storage_nic") == 2);                   // one per node
  CHECK(s.links_by_kind.at("storage") == 2 + 2);                       // nodes' and servers' cables
  CHECK(tree.network_switch_count() == fabric_switches);               // not a fabric switch
  const auto write = tree.route_storage(13, 1, 0, false);              // GPU 13 is on node 1
  REQUIRE(write.hops == 2); // the node's storage NICs -> storage switch -> server
  CHECK(tree.edge(write.links[0] / 2).kind == dcsim::LinkKind::Storage);
  CHECK(tree.edge(write.links[0] / 2).bandwidth_bytes_per_s == 2 * 25e9); // two NICs, one cable
  CHECK(tree.link_name(write.links[0]) == "storage_nic1->storage_switch");
  CHECK(tree.link_name(write.links[1]) == "storage_switch->storage1");
  CHECK(write.latency_s == Approx(2e-6 + 1e-6));
  const auto read = tree.route_storage(13, 1, 0, true);
  CHECK(tree.link_name(read.links[0]) == "storage1->storage_switch");
  // GPU traffic still goes through the fabric: a route between the nodes never meets storage.
  const auto across = tree.route(0, 8, 0);
  for (int i = 0; i < across.hops; ++i)
    CHECK(tree.edge(across.links[i] / 2).kind != dcsim::LinkKind::Storage);
}
