#include "rail_optimized.hpp"

#include <cmath>
#include <stdexcept>

namespace dcsim {

std::string RailOptimized::check(const RailOptimizedParams& p)
{
  const int groups = (p.nodes.nodes + p.rail_group_nodes - 1) / p.rail_group_nodes;
  if (p.rail_group_nodes >= p.radix)
    return "a rail leaf of radix " + std::to_string(p.radix) + " cannot hold " + std::to_string(p.rail_group_nodes) +
           " nodes and uplinks; expected rail_group below the radix";
  if (groups > 1 && groups > p.radix)
    return std::to_string(groups) + " rail groups exceed the spine radix " + std::to_string(p.radix) +
           "; expected at most " + std::to_string(p.radix * p.rail_group_nodes) + " nodes";
  return "";
}

RailOptimized::RailOptimized(const RailOptimizedParams& p) : params_(p)
{
  if (const std::string error = check(p); !error.empty())
    throw std::invalid_argument(error);
  build_nodes(p.nodes);
  rails_ = p.nodes.nics_per_node;
  groups_ = (p.nodes.nodes + p.rail_group_nodes - 1) / p.rail_group_nodes;
  const int leaf_up = static_cast<int>(std::lround(p.rail_group_nodes / p.oversubscription));
  spines_per_rail_ = groups_ > 1 ? std::max(1, std::min(leaf_up, p.radix - p.rail_group_nodes)) : 0;
  for (int g = 0; g < groups_; ++g)
    for (int r = 0; r < rails_; ++r)
      leaves_.push_back(add_vertex(VertexKind::Leaf, g * rails_ + r,
                                   "group" + std::to_string(g) + ".rail" + std::to_string(r) + ".leaf"));
  for (int nic = 0; nic < nic_count(); ++nic)
    connect_nic(nic, leaves_[group_of_nic(nic) * rails_ + rail_of_nic(nic)], p.link_latency_s);
  if (spines_per_rail_ == 0)
    return;
  const double bandwidth = p.link_bandwidth_bytes_per_s > 0
                               ? p.link_bandwidth_bytes_per_s
                               : p.rail_group_nodes * p.nodes.nic_bandwidth_bytes_per_s /
                                     (p.oversubscription * spines_per_rail_);
  for (int r = 0; r < rails_; ++r)
    for (int s = 0; s < spines_per_rail_; ++s)
      spines_.push_back(add_vertex(VertexKind::Spine, r * spines_per_rail_ + s,
                                   "rail" + std::to_string(r) + ".spine" + std::to_string(s)));
  leaf_up_edge_.assign(leaves_.size(), {});
  for (int g = 0; g < groups_; ++g)
    for (int r = 0; r < rails_; ++r)
      for (int s = 0; s < spines_per_rail_; ++s)
        leaf_up_edge_[g * rails_ + r].push_back(add_edge(leaves_[g * rails_ + r], spines_[r * spines_per_rail_ + s],
                                                         LinkKind::Fabric, bandwidth, p.link_latency_s));
}

Route RailOptimized::route(int src, int dst, std::uint64_t flow_hash) const
{
  Route r;
  const int dst_rail = rail_of_nic(nic_of_gpu(dst));
  if (same_domain(src, dst) || rail_of_nic(nic_of_gpu(src)) == dst_rail) {
    r = Fabric::route(src, dst, flow_hash);
    return r;
  }
  // PXN: hop over NVLink to the source node's GPU on the destination's rail.
  const int node = node_of_gpu(src);
  int proxy = node * nodes_.gpus_per_node;
  while (rail_of_nic(nic_of_gpu(proxy)) != dst_rail)
    ++proxy;
  add_hop(r, gpu_switch_edge_[src], gpu_vertex(src));
  add_hop(r, gpu_switch_edge_[proxy], domain_switches_[domain_of_gpu(proxy)]);
  route_through_nics(r, proxy, dst, flow_hash);
  return r;
}

void RailOptimized::route_network(Route& r, int src_nic, int dst_nic, std::uint64_t flow_hash) const
{
  const int src_leaf = group_of_nic(src_nic) * rails_ + rail_of_nic(src_nic);
  const int dst_leaf = group_of_nic(dst_nic) * rails_ + rail_of_nic(dst_nic);
  add_hop(r, nic_switch_edge_[src_nic], nic_vertex(src_nic));
  if (src_leaf != dst_leaf) {
    if (rail_of_nic(src_nic) != rail_of_nic(dst_nic) || spines_per_rail_ == 0)
      throw std::runtime_error("rails are separate planes: no path from NIC " + std::to_string(src_nic) +
                               " to NIC " + std::to_string(dst_nic));
    // Adaptive routing takes the D-mod-K path: its trunks make every member the same resource.
    const bool hashed = params_.routing == UpPortChoice::Ecmp;
    const std::uint64_t selector = hashed ? flow_hash : static_cast<std::uint64_t>(dst_nic / rails_);
    bool routed = false;
    for (int k = 0; k < spines_per_rail_ && !routed; ++k) {
      const int s = static_cast<int>((selector + k) % spines_per_rail_);
      if (!is_up(leaf_up_edge_[src_leaf][s]) || !is_up(leaf_up_edge_[dst_leaf][s]))
        continue;
      add_hop(r, leaf_up_edge_[src_leaf][s], leaves_[src_leaf]);
      add_hop(r, leaf_up_edge_[dst_leaf][s], spines_[rail_of_nic(src_nic) * spines_per_rail_ + s]);
      routed = true;
    }
    if (!routed)
      throw std::runtime_error("no path from NIC " + std::to_string(src_nic) + ": every rail spine is down");
  }
  add_hop(r, nic_switch_edge_[dst_nic], leaves_[dst_leaf]);
}

std::string RailOptimized::describe() const
{
  char buf[200];
  std::snprintf(buf, sizeof buf, "rail-optimized, %d rails x %d groups of %d nodes, %d spines per rail, %s", rails_,
                groups_, params_.rail_group_nodes, spines_per_rail_, to_string(params_.routing));
  return buf;
}

std::vector<std::vector<int>> RailOptimized::adaptive_trunks() const
{
  std::vector<std::vector<int>> trunks;
  if (params_.routing != UpPortChoice::Adaptive)
    return trunks;
  add_switch_trunks(trunks, leaves_, leaf_up_edge_);
  return trunks;
}

} // namespace dcsim
