// Placement policies: which nodes a job gets, worked by hand on a cluster of 16 nodes in leaf
// blocks of 4 and pods of 2 blocks; random placement against the hypergeometric mean; and what
// placement does to two training jobs sharing an oversubscribed fat-tree.
#include "scheduler/gpu_allocator.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

using namespace dcsim;

namespace {

/// 16 nodes: block = node / 4, pod = node / 8.
NodeLocality blocks_of_four()
{
  NodeLocality l;
  for (int node = 0; node < 16; ++node) {
    l.block.push_back(node / 4);
    l.pod.push_back(node / 8);
  }
  l.blocks = 4;
  l.pods = 2;
  return l;
}

std::vector<int> nodes_of(const std::optional<Placement>& p) { return p ? p->nodes() : std::vector<int>{}; }

} // namespace

TEST_CASE("placement: topology-aware fills one block when it can, else one pod, with as few blocks as possible")
{
  GpuAllocator a(16, 8, topology_aware_placement(), blocks_of_four());
  CHECK(nodes_of(a.allocate(16)) == std::vector<int>{0, 1});     // every block fits: the first
  CHECK(nodes_of(a.allocate(8)) == std::vector<int>{2});         // one node: in the fullest block
  CHECK(nodes_of(a.allocate(24)) == std::vector<int>{4, 5, 6});  // block 0 has 1 left: block 1 (best fit)
  // Free: 3 | 7 | 8-11 | 12-15. Six nodes fit no block; pod 1 holds 8: block 2 whole, 2 of block 3.
  CHECK(nodes_of(a.allocate(48)) == std::vector<int>{8, 9, 10, 11, 12, 13});
  // Free: 3 | 7 | - | 14-15. Four nodes fit no pod: pod 0 (nodes 3 and 7), then pod 1.
  CHECK(nodes_of(a.allocate(32)) == std::vector<int>{3, 7, 14, 15});
  CHECK(a.free_gpus() == 0);

  // The same requests placed consecutively: the 3-node job straddles blocks 0 and 1, the 6-node
  // one takes nodes 6-11 (blocks 1 and 2), and the 4-node job finds no run of 4 free nodes.
  GpuAllocator c(16, 8, consecutive_placement(), blocks_of_four());
  CHECK(nodes_of(c.allocate(16)) == std::vector<int>{0, 1});
  CHECK(nodes_of(c.allocate(8)) == std::vector<int>{2});
  CHECK(nodes_of(c.allocate(24)) == std::vector<int>{3, 4, 5});
  CHECK(nodes_of(c.allocate(48)) == std::vector<int>{6, 7, 8, 9, 10, 11});
  CHECK(nodes_of(c.allocate(32)) == std::vector<int>{12, 13, 14, 15});
}

TEST_CASE("placement: a small job goes to the fullest node, in the block with the fewest whole free nodes")
{
  GpuAllocator a(16, 8, topology_aware_placement(), blocks_of_four());
  REQUIRE(a.allocate(8 * 3)); // nodes 0-2
  const auto half = a.allocate(4);
  CHECK(half->first_gpu() == 24); // node 3: block 0 has no other whole node
  CHECK(a.allocate(2)->first_gpu() == 28); // node 3 again: the fullest node with room
  CHECK(a.allocate(4)->first_gpu() == 32); // node 3 has 2 left: node 4
}

TEST_CASE("placement: reservations (EASY) take the run of nodes that frees first, or the nodes that free first")
{
  const std::vector<double> free_at = {5, 1, 3, 1, 9};
  CHECK(consecutive_placement().reserve(free_at, 2) == std::vector<int>{1, 2}); // nodes 1-2 by t=3
  CHECK(topology_aware_placement().reserve(free_at, 2) == std::vector<int>{1, 3}); // both by t=1
  // Reserved nodes stay free for the reservation's owner.
  GpuAllocator a(16, 8, topology_aware_placement(), blocks_of_four());
  const Placement reserved = Placement::on_nodes({0, 1, 2, 3}, 32, 8);
  CHECK(nodes_of(a.allocate(16, &reserved)) == std::vector<int>{4, 5});
  CHECK(a.allocate(4, &reserved)->first_gpu() == 48); // node 6: blocks 1's fullest with room, not 0-3
}

TEST_CASE("placement: scattered nodes are reproducible per seed and span blocks as random draws do")
{
  const auto draw = [](std::uint64_t seed) {
    GpuAllocator a(16, 8, scattered_placement(), blocks_of_four(), seed);
    return nodes_of(a.allocate(32));
  };
  CHECK(draw(7) == draw(7));
  CHECK(draw(7) != draw(8));
  // Four of 16 nodes at random: each block is missed with probability C(12,4)/C(16,4) = 495/1820,
  // so the mean number of blocks spanned is 4 (1 - 495/1820) = 2.912. 4,000 draws: standard error
  // ~0.011, bound 0.05.
  GpuAllocator a(16, 8, scattered_placement(), blocks_of_four(), 1);
  const NodeLocality l = blocks_of_four();
  double sum = 0;
  const int draws = 4000;
  for (int i = 0; i < draws; ++i) {
    const std::optional<Placement> p = a.allocate(32);
    REQUIRE(p);
    const std::set<int> distinct(p->nodes().begin(), p->nodes().end());
    CHECK(distinct.size() == 4);
    CHECK(std::is_sorted(p->nodes().begin(), p->nodes().end()));
    sum += l.blocks_spanned(p->nodes());
    a.release(*p);
  }
  INFO("mean blocks spanned " << sum / draws);
  CHECK(sum / draws == Approx(4 * (1 - 495.0 / 1820)).margin(0.05));
}

namespace {

// Two data-parallel jobs of 6 nodes each on 12 DGX-H100-like nodes, on a fat-tree of radix 32 at
// 3:1: 24 NIC ports per leaf = 3 nodes, 8 uplinks of 50 GB/s = one node's NICs. One micro-batch
// per replica, so the gradient all-reduce (a ring per rail over the 6 nodes) sets the pace.
std::string two_jobs(const std::string& placement)
{
  const std::string job = "    gpus: 48\n"
                          "    model: {hidden: 4096, layers: 8, heads: 32, seq_len: 2048, vocab: 32000}\n"
                          "    parallelism: {tensor: 8, data: 6}\n"
                          "    batch: {global: 6, micro: 1}\n"
                          "    iterations: 3\n";
  return "name: placement-test\n"
         "seed: 3\n"
         "cluster:\n"
         "  nodes: 12\n"
         "  node: {gpu: H100-SXM-80GB, gpus: 8, scale_up: {bandwidth: 450GB/s, latency: 1us},\n"
         "         nics: {count: 8, bandwidth: 400Gb/s, latency: 2us}}\n"
         "  fabric: {topology: fat-tree, tiers: 2, radix: 32, oversubscription: 3, link_latency: 500ns}\n"
         "scheduler: {policy: fifo, placement: " + placement + "}\n"
         "jobs:\n"
         "  - name: a\n" + job + "  - name: b\n" + job;
}

double iteration(const nlohmann::json& result, int job) { return result["jobs"][job]["iteration_time_s"].get<double>(); }

} // namespace

TEST_CASE("placement: jobs packed by leaf keep their rings under their leaves; scattered ones share the uplinks")
{
  const nlohmann::json packed = test::run_scenario_text(two_jobs("topology_aware"));
  const nlohmann::json alone = test::run_scenario_text(two_jobs("topology_aware"), {"cluster.nodes=6"});
  const nlohmann::json scattered = test::run_scenario_text(two_jobs("scattered"));
  INFO(packed["jobs"].dump() << "\n" << scattered["jobs"].dump());
  // Packed: a on blocks 0-1, b on blocks 2-3; each ring leaves a leaf once per rail (8 flows on 8
  // uplinks), and no cable carries both jobs: each runs exactly as fast as alone.
  CHECK(packed["jobs"][0]["nodes"] == "0-5");
  CHECK(packed["jobs"][1]["nodes"] == "6-11");
  CHECK(packed["jobs"][0]["fabric_blocks"] == 2);
  CHECK(iteration(packed, 0) == Approx(iteration(alone, 0)).epsilon(1e-9));
  CHECK(iteration(packed, 1) == Approx(iteration(alone, 0)).epsilon(1e-9));
  // Scattered (seed 3): both jobs over all four leaves, several ring hops per leaf crossing the
  // same uplinks: each job's iteration is longer.
  CHECK(scattered["jobs"][0]["fabric_blocks"].get<int>() == 4);
  CHECK(scattered["jobs"][1]["fabric_blocks"].get<int>() == 4);
  CHECK(iteration(scattered, 0) > 1.05 * iteration(alone, 0));
  CHECK(iteration(scattered, 1) > 1.05 * iteration(alone, 0));
  CHECK(scattered["scheduler"]["placement"] == "scattered");
}
