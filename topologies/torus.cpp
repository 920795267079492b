#include "torus.hpp"

#include <stdexcept>

namespace dcsim {

std::string Torus::check(const TorusParams& p)
{
  if (p.dimensions.size() < 2 || p.dimensions.size() > 3)
    return "a torus has 2 or 3 dimensions, not " + std::to_string(p.dimensions.size());
  long long routers = 1;
  for (int d : p.dimensions) {
    if (d < 1)
      return "torus dimension " + std::to_string(d) + " is not positive";
    routers *= d;
    if (routers > kMaxRouters)
      return "the torus has more than " + std::to_string(kMaxRouters) + " routers; expected smaller dimensions";
  }
  if (p.nodes.nodes > routers * p.nodes_per_router)
    return std::to_string(p.nodes.nodes) + " nodes exceed the torus's " + std::to_string(routers * p.nodes_per_router) +
           " (routers x nodes_per_router)";
  return "";
}

Torus::Torus(const TorusParams& p) : params_(p)
{
  if (const std::string error = check(p); !error.empty())
    throw std::invalid_argument(error);
  build_nodes(p.nodes);
  int routers = 1;
  for (int d : p.dimensions)
    routers *= d;
  for (int i = 0; i < routers; ++i)
    routers_.push_back(add_vertex(VertexKind::Router, i, "router" + std::to_string(i)));
  for (int nic = 0; nic < nic_count(); ++nic)
    connect_nic(nic, routers_[router_of_nic(nic)], p.link_latency_s);
  // Router index = x + X*(y + Y*z); link each router to its + neighbour along every dimension.
  int stride = 1;
  for (int d : p.dimensions) {
    for (int i = 0; i < routers; ++i) {
      const int coordinate = (i / stride) % d;
      if (d == 1 || (d == 2 && coordinate == 1))
        continue;
      const int neighbour = i + ((coordinate + 1) % d - coordinate) * stride;
      add_edge(routers_[i], routers_[neighbour], LinkKind::Fabric, p.link_bandwidth_bytes_per_s, p.link_latency_s);
    }
    stride *= d;
  }
}

void Torus::route_network(Route& r, int src_nic, int dst_nic, std::uint64_t flow_hash) const
{
  const VertexId from = routers_[router_of_nic(src_nic)];
  const VertexId to = routers_[router_of_nic(dst_nic)];
  add_hop(r, nic_switch_edge_[src_nic], nic_vertex(src_nic));
  route_shortest(r, from, to, flow_hash);
  add_hop(r, nic_switch_edge_[dst_nic], to);
}

std::string Torus::describe() const
{
  std::string dims;
  for (size_t i = 0; i < params_.dimensions.size(); ++i)
    dims += (i ? "x" : "") + std::to_string(params_.dimensions[i]);
  return dims + " torus, " + std::to_string(params_.nodes_per_router) + " node(s) per router";
}

} // namespace dcsim
