#include "dragonfly.hpp"

#include <stdexcept>

namespace dcsim {

std::string Dragonfly::check(const DragonflyParams& p)
{
  if (p.groups < 2 || p.routers_per_group < 1 || p.nodes_per_router < 1 || p.global_links_per_router < 1)
    return "a dragonfly needs groups >= 2 and at least one router, node and global link per router";
  const long long ports = static_cast<long long>(p.routers_per_group) * p.global_links_per_router;
  if (ports % (p.groups - 1) != 0)
    return "routers_per_group x global_links_per_router = " + std::to_string(ports) +
           " global ports per group cannot be spread evenly over " + std::to_string(p.groups - 1) +
           " other groups; expected a multiple of groups - 1";
  const long long routers = static_cast<long long>(p.groups) * p.routers_per_group;
  // Routers of a group are all-to-all connected; each global port is one end of a global cable.
  const long long cables = p.groups * (static_cast<long long>(p.routers_per_group) * (p.routers_per_group - 1) / 2) +
                           routers * p.global_links_per_router / 2;
  if (routers > kMaxRouters || cables > kMaxRouterCables)
    return "groups x routers_per_group = " + std::to_string(routers) + " routers with " + std::to_string(cables) +
           " router cables is more than dcsim builds; expected at most " + std::to_string(kMaxRouters) +
           " routers and " + std::to_string(kMaxRouterCables) + " cables";
  const long long capacity = routers * p.nodes_per_router;
  if (p.nodes.nodes > capacity)
    return std::to_string(p.nodes.nodes) + " nodes exceed the dragonfly's " + std::to_string(capacity) +
           " (groups x routers_per_group x nodes_per_router)";
  return "";
}

Dragonfly::Dragonfly(const DragonflyParams& p) : params_(p)
{
  if (const std::string error = check(p); !error.empty())
    throw std::invalid_argument(error);
  build_nodes(p.nodes);
  const int a = p.routers_per_group;
  for (int g = 0; g < p.groups; ++g)
    for (int r = 0; r < a; ++r)
      routers_.push_back(add_vertex(VertexKind::Router, g * a + r,
                                    "group" + std::to_string(g) + ".router" + std::to_string(r)));
  for (int nic = 0; nic < nic_count(); ++nic)
    connect_nic(nic, routers_[router_of_nic(nic)], p.link_latency_s);
  for (int g = 0; g < p.groups; ++g)
    for (int r = 0; r < a; ++r)
      for (int q = r + 1; q < a; ++q)
        add_edge(routers_[g * a + r], routers_[g * a + q], LinkKind::Fabric, p.local_link_bandwidth_bytes_per_s,
                 p.link_latency_s);
  const int h = p.global_links_per_router;
  const int per_pair = a * h / (p.groups - 1);
  for (int i = 0; i < p.groups; ++i)
    for (int j = i + 1; j < p.groups; ++j)
      for (int k = 0; k < per_pair; ++k) {
        const int port_i = (j - i - 1 + p.groups) % p.groups + k * (p.groups - 1);
        const int port_j = (i - j - 1 + p.groups) % p.groups + k * (p.groups - 1);
        add_edge(routers_[i * a + port_i / h], routers_[j * a + port_j / h], LinkKind::Global,
                 p.global_link_bandwidth_bytes_per_s, p.link_latency_s);
      }
}

void Dragonfly::route_network(Route& r, int src_nic, int dst_nic, std::uint64_t flow_hash) const
{
  const VertexId from = routers_[router_of_nic(src_nic)];
  const VertexId to = routers_[router_of_nic(dst_nic)];
  add_hop(r, nic_switch_edge_[src_nic], nic_vertex(src_nic));
  route_shortest(r, from, to, flow_hash);
  add_hop(r, nic_switch_edge_[dst_nic], to);
}

std::string Dragonfly::describe() const
{
  char buf[200];
  std::snprintf(buf, sizeof buf, "dragonfly, %d groups x %d routers, %d nodes per router, %d global links per router",
                params_.groups, params_.routers_per_group, params_.nodes_per_router, params_.global_links_per_router);
  return buf;
}

} // namespace dcsim
