// Folded-Clos ("fat-tree") fabrics of one, two or three switch tiers, with oversubscription at
// the first and second tiers.
//
// Shape (radix R; oversubscription o = downlink : uplink bandwidth of a tier):
//   leaf:    D1 = round(R*o1/(1+o1)) ports down to NICs, U1 = R - D1 up; uplink bandwidth
//            D1*nic/(o1*U1) unless given, so the ratio is exactly o1.
//   2 tiers: U1 spines, each linked once to every leaf (at most R leaves).
//   3 tiers: pods of D2 = round(R*o2/(1+o2)) leaves and U1 aggregation switches (U2 = R - D2 up
//            ports each); aggregation j of every pod links to the U2 cores of group j (at most
//            R pods). With o1 = o2 = 1 this is the k-ary fat-tree of Al-Fares et al. (SIGCOMM
//            2008): k^3/4 hosts, 5k^2/4 switches.
// Routing goes up to the lowest common tier and down again. Up-ports are picked either by
// destination (D-mod-K, the static fat-tree routing of InfiniBand subnet managers: port =
// destination NIC mod U1, then (destination / U1) mod U2; shift patterns such as rings never
// collide) or by hashing the flow (ECMP, as Ethernet/RoCE fabrics do; collisions happen). Both
// are deterministic; a port whose cable is down is skipped for the next one. Adaptive routing
// spreads packets over all up-ports by load: each leaf's uplinks, each leaf's downlinks, and (3
// tiers) each pod's core uplinks and downlinks are then trunks (Fabric::adaptive_trunks).
#pragma once

#include "fabric.hpp"

#include <string>
#include <vector>

namespace dcsim {

struct FatTreeParams {
  NodeParams nodes;
  int tiers = 2;
  int radix = 0;                         ///< 0: smallest of 8, 16, 32, 64, 128, 256 that fits
  double oversubscription = 1.0;         ///< leaf tier
  double spine_oversubscription = 1.0;   ///< aggregation tier (3 tiers)
  double link_latency_s = 0;             ///< per cable
  double link_bandwidth_bytes_per_s = 0; ///< switch-to-switch; 0: derived from oversubscription
  UpPortChoice routing = UpPortChoice::DModK;
};

/// The switch counts a FatTreeParams leads to, or why it cannot be built.
struct FatTreeShape {
  int radix = 0;
  int leaf_down = 0, leaf_up = 0;
  int leaves = 0;
  int spines = 0;         ///< 2 tiers: spines; 3 tiers: aggregation switches
  int cores = 0;          ///< 3 tiers only
  int pods = 1;
  int leaves_per_pod = 0;
  int aggregation_up = 0; ///< 3 tiers: up-ports of an aggregation switch (cores per group)
  double uplink_bandwidth_bytes_per_s = 0;
  double core_link_bandwidth_bytes_per_s = 0;
  std::string error; ///< non-empty when the parameters do not fit

  /// Computes the shape; sets `error` (one sentence, "...; expected ...") when impossible.
  static FatTreeShape plan(const FatTreeParams& params);
};

class FatTree : public Fabric {
public:
  /// @throw std::invalid_argument when FatTreeShape::plan reports an error.
  explicit FatTree(const FatTreeParams& params);

  std::string describe() const override;
  std::vector<std::vector<int>> adaptive_trunks() const override;
  const FatTreeShape& shape() const { return shape_; }

protected:
  void route_network(Route& route, int src_nic, int dst_nic, std::uint64_t flow_hash) const override;

private:
  void build_switches();
  int leaf_of_nic(int nic) const { return nic / shape_.leaf_down; }
  bool route_up_down(Route& r, int src_leaf, int dst_leaf, int j, int c) const;

  FatTreeParams params_;
  FatTreeShape shape_;
  std::vector<VertexId> leaves_, spines_, cores_;
  std::vector<std::vector<int>> leaf_up_edge_;  ///< [leaf][j] -> spine j / aggregation j of its pod
  std::vector<std::vector<int>> spine_up_edge_; ///< 3 tiers: [aggregation][c] -> core c of its group
};

} // namespace dcsim
