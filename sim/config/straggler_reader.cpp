// The scenario's `stragglers` section: slow nodes, listed or drawn from the seed.
#include "config/internal/readers.hpp"
#include "random/seeded.hpp"

#include <algorithm>
#include <cmath>

namespace dcsim::internal {

StragglerConfig read_stragglers(MapReader& stragglers, int cluster_nodes, std::uint64_t seed)
{
  StragglerConfig out;
  // 1 is no straggler; beyond 10x a node is broken, not slow (and a restart's business).
  out.slowdown = stragglers.number("slowdown", std::nullopt, 1.0, 10.0);
  const bool listed = stragglers.has("nodes");
  const bool drawn = stragglers.has("fraction");
  if (listed == drawn) {
    stragglers.error(listed ? "fraction" : "nodes", listed ? "and nodes are both given; expected one of them"
                                                           : "is missing; expected nodes: [indices] or fraction: "
                                                             "share of nodes drawn from the seed");
    return out;
  }
  if (drawn) {
    const double fraction = stragglers.number("fraction", std::nullopt, 0.0, 1.0);
    const int count = static_cast<int>(std::lround(fraction * cluster_nodes));
    std::mt19937_64 rng = seeded_engine(seed, 0x57A6);
    out.nodes = seeded_permutation(cluster_nodes, rng);
    out.nodes.resize(count);
    std::sort(out.nodes.begin(), out.nodes.end());
    return out;
  }
  for (double node : stragglers.numbers("nodes")) {
    if (node != std::floor(node) || node < 0 || node >= cluster_nodes) {
      stragglers.error("nodes", plain_number(node) + " is not a node of the cluster; expected integers in [0, " +
                                    std::to_string(cluster_nodes - 1) + "]");
      return out;
    }
    out.nodes.push_back(static_cast<int>(node));
  }
  std::sort(out.nodes.begin(), out.nodes.end());
  out.nodes.erase(std::unique(out.nodes.begin(), out.nodes.end()), out.nodes.end());
  return out;
}

} // namespace dcsim::internal
