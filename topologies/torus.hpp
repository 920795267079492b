// 2-D and 3-D tori: routers on a grid with wrap-around links along every dimension, each router
// serving `nodes_per_router` nodes. A dimension of size 2 has one link between its two routers,
// of size 1 none. Routing takes a shortest path; where several exist (both directions around an
// even ring, or the order of dimensions) the flow hash picks one.
#pragma once

#include "fabric.hpp"

#include <string>
#include <vector>

namespace dcsim {

struct TorusParams {
  NodeParams nodes;
  std::vector<int> dimensions;
  int nodes_per_router = 1;
  double link_bandwidth_bytes_per_s = 0;
  double link_latency_s = 0;
};

class Torus : public Fabric {
public:
  explicit Torus(const TorusParams& params);
  std::string describe() const override;
  static std::string check(const TorusParams& params);

protected:
  void route_network(Route& route, int src_nic, int dst_nic, std::uint64_t flow_hash) const override;

private:
  int router_of_nic(int nic) const { return nic / nodes_.nics_per_node / params_.nodes_per_router; }

  TorusParams params_;
  std::vector<VertexId> routers_;
};

} // namespace dcsim
