// Dragonfly fabrics (Kim et al., ISCA 2008): groups of routers, all-to-all local links inside a
// group, global links between groups. Each router serves `nodes_per_router` nodes (all their
// NICs) and has `global_links_per_router` global ports; the a*h global ports of a group are
// spread evenly over the other g-1 groups (a*h must be a multiple of g-1), the k-th link between
// groups i and j using port ((j - i - 1) mod g) + k(g - 1) of group i.
// Routing is minimal (at most local, global, local hop between routers) over shortest paths,
// with equal-cost choices by flow hash.
#pragma once

#include "fabric.hpp"

#include <string>
#include <vector>

namespace dcsim {

struct DragonflyParams {
  NodeParams nodes;
  int groups = 0;
  int routers_per_group = 0;
  int nodes_per_router = 0;
  int global_links_per_router = 0;
  double local_link_bandwidth_bytes_per_s = 0;
  double global_link_bandwidth_bytes_per_s = 0;
  double link_latency_s = 0;
};

class Dragonfly : public Fabric {
public:
  explicit Dragonfly(const DragonflyParams& params);
  std::string describe() const override;
  /// Why these parameters cannot be built, or "".
  static std::string check(const DragonflyParams& params);

protected:
  void route_network(Route& route, int src_nic, int dst_nic, std::uint64_t flow_hash) const override;

private:
  int router_of_nic(int nic) const { return nic / nodes_.nics_per_node / params_.nodes_per_router; }

  DragonflyParams params_;
  std::vector<VertexId> routers_; ///< [group * routers_per_group + r]
};

} // namespace dcsim
