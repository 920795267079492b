// The fabric between the nodes as a scenario describes it (`cluster.fabric`): its topology and
// that topology's shape, routing, and what is out of service or below its rate. Read by
// config/cluster_reader.cpp; turned into a Fabric by platform/fabric_builder.cpp.
#pragma once

#include "config/scenario_error.hpp"

#include <string>
#include <vector>

namespace dcsim {

enum class TopologyKind { FatTree, RailOptimized, Dragonfly, Torus, File };
enum class RoutingKind { DModK, Ecmp, Adaptive };

struct FatTreeConfig {
  int tiers = 2;
  int radix = 0;                       ///< switch ports; 0 = smallest standard radix that fits
  double oversubscription = 1.0;       ///< downlink : uplink bandwidth at the leaves
  double spine_oversubscription = 1.0; ///< the same at the aggregation tier (3 tiers)
};

/// One 2-tier fat-tree per rail (NIC index), as in DGX SuperPOD: NIC i of every node of a rail
/// group sits on that group's rail-i leaf; the rail-i leaves of all groups share rail-i spines.
struct RailOptimizedConfig {
  int rail_group_nodes = 32;     ///< nodes per rail group (scalable unit)
  double oversubscription = 1.0; ///< at the rail leaves
};

struct DragonflyConfig {
  int groups = 0;
  int routers_per_group = 0;
  int nodes_per_router = 0;
  int global_links_per_router = 0;
  double global_link_bandwidth_bytes_per_s = 0; ///< 0 = link_bandwidth
};

struct TorusConfig {
  std::vector<int> dimensions; ///< routers along each dimension (2 or 3 of them)
  int nodes_per_router = 1;
};

/// A fabric read from a CSV file: one row per host (node), then the switch it hangs from at
/// every tier, top tier first (e.g. Alibaba Lingjun's ip,DSW,PSW,ASW).
struct FileTopologyConfig {
  std::string path;
  std::vector<std::string> tier_names;           ///< top tier first
  std::vector<std::vector<std::string>> switches; ///< per host: switch name per tier
  std::vector<double> tier_bandwidth_bytes_per_s; ///< cables from each tier to the one above, top first
};

struct FabricConfig {
  TopologyKind topology = TopologyKind::FatTree;
  double link_latency_s = 600e-9;        ///< per switch-to-switch or NIC-to-switch cable
  double link_bandwidth_bytes_per_s = 0; ///< switch-to-switch links; 0 = derived (fat-tree) or the NIC rate
  RoutingKind routing = RoutingKind::DModK;
  /// Queue pairs two GPUs talk over across the network, each hashed onto its own path where routes
  /// are chosen by flow hash (`routing: ecmp`, dragonfly, torus, file): NCCL duplicates the
  /// channels its ring search finds (src/graph/connect.cc), so each NIC carries two connections to
  /// a peer, one queue pair each (NCCL_IB_QPS_PER_CONNECTION, default 1, multiplies them).
  int qps_per_pair = 2;
  /// Switches that reduce in the network (InfiniBand SHARP): multi-node all-reduces may then run
  /// NCCL's NVLS algorithm across nodes (sim/collectives/nvls.cpp).
  bool in_network_reduction = false;
  FatTreeConfig fat_tree;
  RailOptimizedConfig rail;
  DragonflyConfig dragonfly;
  TorusConfig torus;
  FileTopologyConfig file;
  /// Switches and cables out of service for the whole run (`down`): a switch's name, or the two
  /// ends of a cable (every cable between them). Routes go around them.
  struct Down {
    std::string a, b; ///< b empty: the switch a
  };
  std::vector<Down> down;
  SourceLocation down_location; ///< of the `down` key, for errors found once the fabric is built
  /// Cables running below their rate for the whole run (`degraded`: a link trained at a lower
  /// speed, a flapping or error-ridden cable): every cable of a switch or NIC, or every cable
  /// between two vertices, at a fraction of its rate or at a given rate.
  struct Degraded {
    std::string a, b;                 ///< b empty: every cable of a
    double fraction = 0;              ///< of each cable's rate; 0: bandwidth_bytes_per_s instead
    double bandwidth_bytes_per_s = 0; ///< per direction
    SourceLocation location;          ///< of the item's `cable` key
    std::string key_path;             ///< e.g. "cluster.fabric.degraded.0.cable"
  };
  std::vector<Degraded> degraded;
};

/// Whether the fabric picks among equal-cost paths by flow hash (ECMP; dragonflies, tori and
/// file fabrics always do), so that queue pairs (`qps_per_pair`) take paths of their own.
inline bool routes_by_flow_hash(const FabricConfig& fabric)
{
  const bool clos = fabric.topology == TopologyKind::FatTree || fabric.topology == TopologyKind::RailOptimized;
  return !clos || fabric.routing == RoutingKind::Ecmp;
}

} // namespace dcsim
