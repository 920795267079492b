// Folded-Clos ("fat-tree") fabrics of one, two or three switch tiers, with oversubscription at
// the first tier, behind nodes of GPUs that share a scale-up switch and a few NICs.
//
// Shape (radix R, oversubscription o = leaf downlink : uplink bandwidth):
//   leaf:   D = round(R*o/(1+o)) ports down to NICs, U = R - D ports up;
//           uplink bandwidth D*nic/(o*U) unless given, so the ratio is exactly o.
//   2 tiers: U spines, each linked once to every leaf (at most R leaves).
//   3 tiers: pods of R/2 leaves and U aggregation switches; aggregation j of every pod links to
//            the R/2 cores of group j (at most R pods). With o = 1 this is the k-ary fat-tree
//            of Al-Fares et al. (SIGCOMM 2008): k^3/4 hosts, 5k^2/4 switches.
// Routing goes up to the lowest common tier and down again. The up-ports are picked either by
// destination (D-mod-K, the static fat-tree routing of InfiniBand subnet managers: port =
// destination NIC mod uplinks, then (destination / uplinks) mod cores at the next tier; shift
// patterns such as rings never collide) or by hashing the flow (ECMP, as Ethernet/RoCE fabrics
// do; collisions happen). Both are deterministic.
#pragma once

#include "fabric.hpp"

#include <optional>
#include <string>
#include <vector>

namespace dcsim {

struct FatTreeParams {
  int nodes = 1;
  int gpus_per_node = 8;
  double scale_up_bandwidth_bytes_per_s = 0; ///< per GPU per direction into the node switch
  double scale_up_latency_s = 0;             ///< GPU to GPU through the node switch
  int nics_per_node = 8;
  double nic_bandwidth_bytes_per_s = 0;
  double nic_latency_s = 0;                  ///< NIC processing, added once per NIC traversed
  int tiers = 2;
  int radix = 0;                             ///< 0: smallest of 8, 16, 32, 64, 128, 256 that fits
  double oversubscription = 1.0;
  double link_latency_s = 0;                 ///< per cable
  double link_bandwidth_bytes_per_s = 0;     ///< switch-to-switch; 0: derived from oversubscription
  bool ecmp = false;                         ///< hash-based up-port choice instead of D-mod-K
};

/// The switch counts a FatTreeParams leads to, or why it cannot be built.
struct FatTreeShape {
  int radix = 0;
  int leaf_down = 0;
  int leaf_up = 0;
  int leaves = 0;
  int spines = 0;        ///< 2 tiers: spines; 3 tiers: aggregation switches
  int cores = 0;         ///< 3 tiers only
  int pods = 1;
  int leaves_per_pod = 0;
  double uplink_bandwidth_bytes_per_s = 0;
  std::string error;     ///< non-empty when the parameters do not fit

  /// Computes the shape; sets `error` (one sentence, "...; expected ...") when impossible.
  static FatTreeShape plan(const FatTreeParams& params);
};

class FatTree : public Fabric {
public:
  /// @throw std::invalid_argument when FatTreeShape::plan reports an error.
  explicit FatTree(const FatTreeParams& params);

  Route route(int src, int dst, std::uint64_t flow_hash) const override;
  std::string describe() const override;
  const FatTreeShape& shape() const { return shape_; }

private:
  void build_nodes();
  void build_switches();
  int leaf_of_nic(int nic) const { return nic / shape_.leaf_down; }
  int nic_of_gpu(int gpu) const;

  FatTreeParams params_;
  FatTreeShape shape_;
  std::vector<VertexId> leaves_, spines_, cores_, nics_;
  std::vector<int> gpu_switch_edge_, gpu_nic_edge_, nic_leaf_edge_;
  std::vector<std::vector<int>> leaf_up_edge_;  ///< [leaf][j] -> spine j / aggregation j of its pod
  std::vector<std::vector<int>> spine_up_edge_; ///< 3 tiers: [aggregation][c] -> core c of its group
};

} // namespace dcsim
