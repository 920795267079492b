// The same job (scenarios/1024gpu.yaml: GPT-3 175B, TP8 PP8 DP16) on fabrics of different
// bisection: its data-parallel communication must grow as bisection shrinks, and two fabrics of
// equal bisection whose rings stay on their rails (fat-tree, rail-optimized) must agree.
// Data-parallel overlap is switched off so the whole reduce-scatter + all-gather time shows.
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

namespace {

double data_parallel_seconds(const std::string& scenario, std::vector<std::string> overrides)
{
  overrides.insert(overrides.end(), {"jobs.0.iterations=2", "jobs.0.parallelism.overlap_grad_reduce=false",
                                     "jobs.0.parallelism.overlap_param_gather=false"});
  const auto r = dcsim::test::run_scenario(scenario, overrides);
  return r["jobs"][0]["breakdown_s"]["data_parallel_comm"].get<double>();
}

} // namespace

TEST_CASE("topologies: data-parallel time grows as bisection shrinks; rail-optimized matches fat-tree", "[topologies][slow]")
{
  const double full = data_parallel_seconds("scenarios/1024gpu.yaml", {});
  const double half = data_parallel_seconds("scenarios/1024gpu.yaml", {"cluster.fabric.oversubscription=2"});
  const double quarter = data_parallel_seconds("scenarios/1024gpu.yaml", {"cluster.fabric.oversubscription=4"});
  const double rails = data_parallel_seconds("scenarios/fabric-rail-optimized.yaml", {});
  std::printf("\ndata-parallel time per iteration: 1:1 %.1f ms, 2:1 %.1f ms, 4:1 %.1f ms, rail-optimized %.1f ms\n",
              1e3 * full, 1e3 * half, 1e3 * quarter, 1e3 * rails);
  CHECK(half > 1.2 * full);
  CHECK(quarter >= half);
  CHECK(rails == Approx(full).epsilon(0.01));
}
