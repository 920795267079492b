// Lowest-numbered GPUs first: a job within a node takes the first node with room, a larger job
// the first run of consecutive free nodes. Node numbers follow the fabric's leaves, so a job
// lands in as few leaf blocks as its start offset allows -- unless the free nodes are scattered,
// when it waits for a run to free up (its reservation is the run that frees first).
#include "scheduler/placement_policy.hpp"

#include <algorithm>
#include <cmath>

namespace dcsim {

namespace {

class Consecutive final : public PlacementPolicy {
public:
  PlacementKind kind() const override { return PlacementKind::Consecutive; }
  std::string name() const override { return "consecutive"; }

  std::vector<int> pick_nodes(const ClusterView& view, int count, std::mt19937_64&) const override
  {
    int run = 0;
    for (int node = 0; node < view.nodes(); ++node) {
      run = view.whole_free(node) ? run + 1 : 0;
      if (run == count) {
        std::vector<int> nodes(count);
        for (int i = 0; i < count; ++i)
          nodes[i] = node - count + 1 + i;
        return nodes;
      }
    }
    return {};
  }

  int pick_node(const ClusterView&, const std::vector<int>& candidates, std::mt19937_64&) const override
  {
    return candidates.front();
  }
  bool takes_first_candidate() const override { return true; }

  std::vector<int> reserve(const std::vector<double>& free_at, int count) const override
  {
    const int nodes = static_cast<int>(free_at.size());
    double best_s = INFINITY;
    int best_first = 0;
    for (int first = 0; first + count <= nodes; ++first) {
      const double at = *std::max_element(free_at.begin() + first, free_at.begin() + first + count);
      if (at < best_s)
        best_s = at, best_first = first;
    }
    std::vector<int> out(std::max(0, std::min(count, nodes)));
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = best_first + static_cast<int>(i);
    return out;
  }
};

} // namespace

const PlacementPolicy& consecutive_placement()
{
  static const Consecutive policy;
  return policy;
}

} // namespace dcsim
