// Placement: which GPU each rank of a job runs on.
#include "engine/job_layout.hpp"
#include "engine/placement.hpp"

#include <catch2/catch.hpp>

using namespace dcsim;

TEST_CASE("placement: consecutive GPUs and whole nodes in a given order", "[engine]")
{
  const Placement straddling = Placement::consecutive(13, 4, 8); // GPUs 13-16: nodes 1 and 2
  CHECK(straddling.nodes() == std::vector<int>{1, 2});
  CHECK(straddling.gpu(0) == 13);
  CHECK(straddling.gpu(3) == 16);
  CHECK(straddling.uses_gpu(16));
  CHECK_FALSE(straddling.uses_gpu(17));
  CHECK_FALSE(straddling.uses_gpu(12));

  const Placement nodes = Placement::on_nodes({7, 2, 5}, 20, 8); // the last node in part
  CHECK(nodes.gpu(0) == 56);
  CHECK(nodes.gpu(8) == 16);
  CHECK(nodes.gpu(19) == 43);
  CHECK(nodes.uses_gpu(43));
  CHECK_FALSE(nodes.uses_gpu(44));
  CHECK(nodes.nodes_of_ranks(6, 4) == std::vector<int>{7, 2});
  CHECK(nodes.node_ranges() == "2,5,7");
  CHECK(Placement::on_nodes({3, 4, 5, 9}, 32, 8).node_ranges() == "3-5,9");
  CHECK_THROWS(Placement::on_nodes({1, 2}, 8, 8)); // one node too many
  CHECK_THROWS(Placement::on_nodes({1}, 9, 8));    // one too few
}

TEST_CASE("placement: a job's layout follows its nodes (TP inside a node, DP and PP across)", "[engine]")
{
  ParallelismConfig p;
  p.tensor = 8, p.data = 2, p.pipeline = 2;
  const JobLayout layout(p, Placement::on_nodes({9, 4, 6, 1}, 32, 8));
  CHECK(layout.tensor_group(0, 1, 0) == std::vector<int>{32, 33, 34, 35, 36, 37, 38, 39}); // node 4
  CHECK(layout.data_group(3, 1) == std::vector<int>{51, 11});                            // nodes 6, 1
  CHECK(layout.nodes_of_stage(0) == std::vector<int>{9, 4});
  CHECK(layout.nodes_of_stage(1) == std::vector<int>{6, 1});
  CHECK(layout.first_gpu() == 72);
}
