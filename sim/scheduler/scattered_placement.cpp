// Any free nodes, drawn at random from the scenario's seed: what a scheduler that ignores the
// fabric hands out once a busy cluster is fragmented (or a cloud allocation of unrelated
// machines). The job's ranks fill its nodes in node order, as a hostfile sorted by name would.
#include "scheduler/placement_policy.hpp"

#include "random/seeded.hpp"

#include <algorithm>

namespace dcsim {

namespace {

int draw(std::mt19937_64& rng, int n) { return std::min(n - 1, static_cast<int>(uniform01(rng) * n)); }

class Scattered final : public PlacementPolicy {
public:
  PlacementKind kind() const override { return PlacementKind::Scattered; }
  std::string name() const override { return "scattered"; }

  std::vector<int> pick_nodes(const ClusterView& view, int count, std::mt19937_64& rng) const override
  {
    std::vector<int> free;
    for (int node = 0; node < view.nodes(); ++node)
      if (view.whole_free(node))
        free.push_back(node);
    if (static_cast<int>(free.size()) < count)
      return {};
    for (int i = 0; i < count; ++i) // the first `count` of a Fisher-Yates shuffle
      std::swap(free[i], free[i + draw(rng, static_cast<int>(free.size()) - i)]);
    free.resize(count);
    std::sort(free.begin(), free.end());
    return free;
  }

  int pick_node(const ClusterView&, const std::vector<int>& candidates, std::mt19937_64& rng) const override
  {
    return candidates[draw(rng, static_cast<int>(candidates.size()))];
  }
};

} // namespace

const PlacementPolicy& scattered_placement()
{
  static const Scattered policy;
  return policy;
}

} // namespace dcsim
