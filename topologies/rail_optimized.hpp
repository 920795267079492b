// Rail-optimized multi-plane fabrics (NVIDIA DGX SuperPOD style): NIC i of every node belongs to
// rail i. Nodes form rail groups (scalable units); each group has one leaf per rail holding NIC
// i of all its nodes, and the rail-i leaves of every group share the rail-i spines. Each rail is
// therefore its own 2-tier fat-tree ("plane").
//
// Routing is rail-aware, like NCCL's PXN: traffic to a GPU whose NIC is on another rail first
// crosses NVLink to the local GPU on the destination's rail, then stays in that rail's plane.
// Inside a plane, the spine is chosen by destination (D-mod-K) or flow hash (ECMP), or packets
// spread over all of them by load (adaptive routing: each leaf's uplinks and its downlinks are
// then trunks, Fabric::adaptive_trunks).
#pragma once

#include "fabric.hpp"

#include <string>
#include <vector>

namespace dcsim {

struct RailOptimizedParams {
  NodeParams nodes;
  int rail_group_nodes = 32;             ///< leaf down-ports used per rail leaf
  int radix = 64;                        ///< leaf ports (down: rail_group_nodes, up: the rest, scaled by oversubscription)
  double oversubscription = 1.0;
  double link_latency_s = 0;
  double link_bandwidth_bytes_per_s = 0; ///< leaf-spine; 0: rail_group_nodes * nic / (oversubscription * spines)
  UpPortChoice routing = UpPortChoice::DModK;
};

class RailOptimized : public Fabric {
public:
  /// @throw std::invalid_argument when the shape does not fit the radix.
  explicit RailOptimized(const RailOptimizedParams& params);

  Route route(int src, int dst, std::uint64_t flow_hash) const override;
  std::string describe() const override;
  std::vector<std::vector<int>> adaptive_trunks() const override;
  int spines_per_rail() const { return spines_per_rail_; }
  int groups() const { return groups_; }

  /// Why these parameters cannot be built, or "".
  static std::string check(const RailOptimizedParams& params);

protected:
  void route_network(Route& route, int src_nic, int dst_nic, std::uint64_t flow_hash) const override;

private:
  int rail_of_nic(int nic) const { return nic % params_.nodes.nics_per_node; }
  int group_of_nic(int nic) const { return nic / params_.nodes.nics_per_node / params_.rail_group_nodes; }

  RailOptimizedParams params_;
  int rails_ = 0, groups_ = 0, spines_per_rail_ = 0;
  std::vector<VertexId> leaves_;                ///< [group * rails + rail]
  std::vector<VertexId> spines_;                ///< [rail * spines_per_rail + s]
  std::vector<std::vector<int>> leaf_up_edge_;  ///< [leaf][s]
};

} // namespace dcsim
