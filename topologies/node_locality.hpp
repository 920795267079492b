// Which nodes sit close together in the fabric, for placing jobs: a *block* is the nodes whose
// NICs are cabled to the same set of switches (a fat-tree leaf, a rail group's leaves, a
// dragonfly or torus router); a *pod* is the blocks that stay connected without the top tier
// (a three-tier fat-tree's pod under its aggregation switches, a dragonfly group; one pod for
// two-tier fat-trees and rail-optimized fabrics, where every leaf reaches every spine). Traffic
// inside a block never leaves its switches; traffic inside a pod never crosses the top tier,
// which is where oversubscription and global links make bandwidth scarce.
#pragma once

#include <vector>

namespace dcsim {

class Fabric;

struct NodeLocality {
  std::vector<int> block; ///< per node; blocks numbered in order of their first node
  std::vector<int> pod;   ///< per node; pods numbered in order of their first node
  /// Per node: the network switches its NICs are cabled to (vertex ids), sorted.
  std::vector<std::vector<int>> switches;
  int blocks = 0;
  int pods = 0;

  /// Every node its own block and switch, all in one pod: what a caller without a fabric assumes.
  static NodeLocality flat(int nodes);
  /// Distinct blocks and pods among `nodes`.
  int blocks_spanned(const std::vector<int>& nodes) const;
  int pods_spanned(const std::vector<int>& nodes) const;
  /// Distinct network switches cabled to the NICs of `nodes` (what a switch failure may interrupt).
  int switches_spanned(const std::vector<int>& nodes) const { return static_cast<int>(switches_of(nodes).size()); }
  /// Those switches, sorted.
  std::vector<int> switches_of(const std::vector<int>& nodes) const;
};

/// Blocks and pods of `fabric`'s nodes, from its cables (the same rule for every topology).
NodeLocality node_locality(const Fabric& fabric);

} // namespace dcsim
