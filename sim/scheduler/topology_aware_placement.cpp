// Nodes close together in the fabric (topologies/node_locality.hpp), in the spirit of Slurm's
// topology/tree plugin: a job of whole nodes goes into one leaf block if any has room (the
// fullest that does: best fit, so emptier blocks stay whole for larger jobs), else into one pod,
// spanning as few blocks as possible (the largest free blocks whole, then the fullest block that
// holds the rest), else over as few pods as possible in the same way. A job within a node goes
// to the fullest node with room, in the block with the fewest whole free nodes, so that small
// jobs fill fragments instead of breaking up free blocks.
#include "scheduler/placement_policy.hpp"

#include <algorithm>
#include <tuple>

namespace dcsim {

namespace {

struct Group {
  int id = 0;
  int free = 0;
};
struct Take {
  int id = 0;
  int count = 0;
};

/// How many to take from which groups so that `count` span as few groups as possible: one group
/// that holds them all (the fullest such), else the group with most free whole, and so on; empty when
/// the groups hold fewer than `count`.
std::vector<Take> split(std::vector<Group> groups, int count)
{
  std::vector<Take> out;
  int remaining = count;
  while (remaining > 0) {
    int fit = -1, largest = -1;
    for (int i = 0; i < static_cast<int>(groups.size()); ++i) {
      if (groups[i].free <= 0)
        continue;
      if (groups[i].free >= remaining && (fit < 0 || groups[i].free < groups[fit].free))
        fit = i;
      if (largest < 0 || groups[i].free > groups[largest].free)
        largest = i;
    }
    if (fit >= 0) {
      out.push_back({groups[fit].id, remaining});
      return out;
    }
    if (largest < 0)
      return {};
    out.push_back({groups[largest].id, groups[largest].free});
    remaining -= groups[largest].free;
    groups[largest].free = 0;
  }
  return out;
}

class TopologyAware final : public PlacementPolicy {
public:
  PlacementKind kind() const override { return PlacementKind::TopologyAware; }
  std::string name() const override { return "topology_aware"; }

  std::vector<int> pick_nodes(const ClusterView& view, int count, std::mt19937_64&) const override
  {
    const NodeLocality& where = view.locality;
    std::vector<std::vector<int>> free_in_block(where.blocks);
    for (int node = 0; node < view.nodes(); ++node)
      if (view.whole_free(node))
        free_in_block[where.block[node]].push_back(node);
    std::vector<std::vector<Group>> blocks_of_pod(where.pods);
    std::vector<Group> pods(where.pods), all_blocks;
    for (int p = 0; p < where.pods; ++p)
      pods[p].id = p;
    for (int b = 0; b < where.blocks; ++b) {
      if (free_in_block[b].empty())
        continue;
      const Group block{b, static_cast<int>(free_in_block[b].size())};
      const int pod = where.pod[free_in_block[b].front()];
      blocks_of_pod[pod].push_back(block);
      all_blocks.push_back(block);
      pods[pod].free += block.free;
    }
    std::vector<Take> blocks = split(all_blocks, count);
    if (blocks.size() > 1) { // no single block: as few pods as possible, then blocks within each
      blocks.clear();
      for (const Take& pod : split(pods, count))
        for (const Take& block : split(blocks_of_pod[pod.id], pod.count))
          blocks.push_back(block);
    }
    std::vector<int> nodes;
    for (const Take& block : blocks)
      nodes.insert(nodes.end(), free_in_block[block.id].begin(), free_in_block[block.id].begin() + block.count);
    if (static_cast<int>(nodes.size()) != count)
      return {};
    // Ranks fill a block before the next: neighbours in the parallel layout stay under one leaf.
    std::sort(nodes.begin(), nodes.end(), [&](int a, int b) {
      return std::tie(where.pod[a], where.block[a], a) < std::tie(where.pod[b], where.block[b], b);
    });
    return nodes;
  }

  int pick_node(const ClusterView& view, const std::vector<int>& candidates, std::mt19937_64&) const override
  {
    std::vector<int> whole_free_in_block(view.locality.blocks, 0);
    for (int node = 0; node < view.nodes(); ++node)
      whole_free_in_block[view.locality.block[node]] += view.whole_free(node) ? 1 : 0;
    const auto key = [&](int node) {
      return std::make_tuple(view.free_gpus[node], whole_free_in_block[view.locality.block[node]], node);
    };
    return *std::min_element(candidates.begin(), candidates.end(), [&](int a, int b) { return key(a) < key(b); });
  }
};

} // namespace

const PlacementPolicy& topology_aware_placement()
{
  static const TopologyAware policy;
  return policy;
}

} // namespace dcsim
