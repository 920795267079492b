#include "fat_tree.hpp"

#include <cmath>
#include <stdexcept>

namespace dcsim {

namespace {

int ceil_div(long long a, long long b) { return static_cast<int>((a + b - 1) / b); }

int down_ports(int radix, double oversubscription)
{
  return std::max(1, static_cast<int>(std::lround(radix * oversubscription / (1.0 + oversubscription))));
}

/// Fills the tier counts for radix `r`; returns an error sentence or "".
std::string fit(const FatTreeParams& p, int r, FatTreeShape& s)
{
  s = FatTreeShape{};
  s.radix = r;
  const long long ports = static_cast<long long>(p.nodes.nodes) * p.nodes.nics_per_node;
  s.leaf_down = down_ports(r, p.oversubscription);
  s.leaf_up = r - s.leaf_down;
  if (p.tiers > 1 && s.leaf_up < 1)
    return "radix " + std::to_string(r) + " leaves no uplink at oversubscription " + std::to_string(p.oversubscription);
  s.leaves = ceil_div(ports, s.leaf_down);
  if (p.tiers == 1) {
    if (s.leaves > 1)
      return "a single switch of radix " + std::to_string(r) + " holds " + std::to_string(s.leaf_down) +
             " NICs, not " + std::to_string(ports) + "; expected more tiers or a larger radix";
    return "";
  }
  if (p.tiers == 2) {
    s.spines = s.leaf_up;
    s.leaves_per_pod = s.leaves;
    if (s.leaves > r)
      return "2 tiers of radix " + std::to_string(r) + " connect at most " + std::to_string(r * s.leaf_down) +
             " NICs, not " + std::to_string(ports) + "; expected tiers: 3 or a larger radix";
    return "";
  }
  s.leaves_per_pod = down_ports(r, p.spine_oversubscription);
  s.aggregation_up = r - s.leaves_per_pod;
  if (s.aggregation_up < 1)
    return "radix " + std::to_string(r) + " leaves aggregation switches no uplink";
  s.pods = ceil_div(s.leaves, s.leaves_per_pod);
  s.spines = s.pods * s.leaf_up;
  s.cores = s.leaf_up * s.aggregation_up;
  if (s.pods > r)
    return "3 tiers of radix " + std::to_string(r) + " connect at most " +
           std::to_string(static_cast<long long>(r) * s.leaves_per_pod * s.leaf_down) + " NICs, not " +
           std::to_string(ports) + "; expected a larger radix";
  return "";
}

} // namespace

FatTreeShape FatTreeShape::plan(const FatTreeParams& p)
{
  FatTreeShape shape;
  if (p.tiers < 1 || p.tiers > 3) {
    shape.error = "tiers " + std::to_string(p.tiers) + " is not supported; expected 1, 2 or 3";
    return shape;
  }
  if (p.radix > 0 && (p.radix < 2 || p.radix % 2 != 0)) {
    shape.error = "radix " + std::to_string(p.radix) + " is not an even number of ports >= 2";
    return shape;
  }
  if (p.radix > 0) {
    shape.error = fit(p, p.radix, shape);
  } else {
    for (int r : {8, 16, 32, 64, 128, 256}) {
      shape.error = fit(p, r, shape);
      if (shape.error.empty())
        break;
    }
  }
  if (shape.error.empty() && p.tiers > 1) {
    shape.uplink_bandwidth_bytes_per_s =
        p.link_bandwidth_bytes_per_s > 0
            ? p.link_bandwidth_bytes_per_s
            : shape.leaf_down * p.nodes.nic_bandwidth_bytes_per_s / (p.oversubscription * shape.leaf_up);
    shape.core_link_bandwidth_bytes_per_s =
        p.tiers == 3 ? shape.leaves_per_pod * shape.uplink_bandwidth_bytes_per_s /
                           (p.spine_oversubscription * shape.aggregation_up)
                     : 0;
  }
  return shape;
}

FatTree::FatTree(const FatTreeParams& params) : params_(params), shape_(FatTreeShape::plan(params))
{
  if (!shape_.error.empty())
    throw std::invalid_argument(shape_.error);
  build_nodes(params.nodes);
  build_switches();
}

void FatTree::build_switches()
{
  const auto& s = shape_;
  const double latency = params_.link_latency_s;
  for (int l = 0; l < s.leaves; ++l)
    leaves_.push_back(add_vertex(VertexKind::Leaf, l, "leaf" + std::to_string(l)));
  for (int nic = 0; nic < nic_count(); ++nic)
    connect_nic(nic, leaves_[leaf_of_nic(nic)], latency);
  if (params_.tiers == 1)
    return;
  for (int a = 0; a < s.spines; ++a)
    spines_.push_back(add_vertex(VertexKind::Spine, a, (params_.tiers == 2 ? "spine" : "agg") + std::to_string(a)));
  leaf_up_edge_.assign(s.leaves, {});
  for (int l = 0; l < s.leaves; ++l) {
    const int pod = l / s.leaves_per_pod;
    for (int j = 0; j < s.leaf_up; ++j)
      leaf_up_edge_[l].push_back(add_edge(leaves_[l], spines_[pod * s.leaf_up + j], LinkKind::Fabric,
                                          s.uplink_bandwidth_bytes_per_s, latency));
  }
  if (params_.tiers == 2)
    return;
  for (int c = 0; c < s.cores; ++c)
    cores_.push_back(add_vertex(VertexKind::Core, c, "core" + std::to_string(c)));
  spine_up_edge_.assign(s.spines, {});
  for (int a = 0; a < s.spines; ++a) {
    const int j = a % s.leaf_up; // aggregation index inside its pod = core group
    for (int c = 0; c < s.aggregation_up; ++c)
      spine_up_edge_[a].push_back(add_edge(spines_[a], cores_[j * s.aggregation_up + c], LinkKind::Fabric,
                                           s.core_link_bandwidth_bytes_per_s, latency));
  }
}

bool FatTree::route_up_down(Route& r, int src_leaf, int dst_leaf, int j, int c) const
{
  const auto& s = shape_;
  const int src_pod = src_leaf / s.leaves_per_pod;
  const int dst_pod = dst_leaf / s.leaves_per_pod;
  const int src_agg = src_pod * s.leaf_up + j;
  const int dst_agg = dst_pod * s.leaf_up + j;
  if (!is_up(leaf_up_edge_[src_leaf][j]) || !is_up(leaf_up_edge_[dst_leaf][j]))
    return false;
  if (src_pod != dst_pod && (!is_up(spine_up_edge_[src_agg][c]) || !is_up(spine_up_edge_[dst_agg][c])))
    return false;
  add_hop(r, leaf_up_edge_[src_leaf][j], leaves_[src_leaf]);
  if (src_pod != dst_pod) {
    add_hop(r, spine_up_edge_[src_agg][c], spines_[src_agg]);
    add_hop(r, spine_up_edge_[dst_agg][c], cores_[j * s.aggregation_up + c]);
  }
  add_hop(r, leaf_up_edge_[dst_leaf][j], spines_[dst_agg]);
  return true;
}

void FatTree::route_network(Route& r, int src_nic, int dst_nic, std::uint64_t flow_hash) const
{
  const auto& s = shape_;
  const int src_leaf = leaf_of_nic(src_nic);
  const int dst_leaf = leaf_of_nic(dst_nic);
  add_hop(r, nic_switch_edge_[src_nic], nic_vertex(src_nic));
  if (src_leaf != dst_leaf) {
    // Adaptive routing takes the D-mod-K path: its trunks make every member the same resource.
    const bool hashed = params_.routing == UpPortChoice::Ecmp;
    const std::uint64_t selector = hashed ? flow_hash : static_cast<std::uint64_t>(dst_nic);
    const int j0 = static_cast<int>(selector % s.leaf_up);
    const int groups = params_.tiers == 3 ? s.aggregation_up : 1;
    const int c0 = static_cast<int>((selector / s.leaf_up) % groups);
    bool routed = false;
    for (int dj = 0; dj < s.leaf_up && !routed; ++dj)
      for (int dc = 0; dc < groups && !routed; ++dc)
        routed = route_up_down(r, src_leaf, dst_leaf, (j0 + dj) % s.leaf_up, (c0 + dc) % groups);
    if (!routed)
      throw std::runtime_error("no path from NIC " + std::to_string(src_nic) + " to NIC " + std::to_string(dst_nic) +
                               ": every up-port is down");
  }
  add_hop(r, nic_switch_edge_[dst_nic], leaves_[dst_leaf]);
}

std::string FatTree::describe() const
{
  std::string out = std::to_string(params_.tiers) + "-tier fat-tree, radix " + std::to_string(shape_.radix) + ", " +
                    std::to_string(shape_.leaves) + " leaves";
  if (params_.tiers >= 2)
    out += ", " + std::to_string(shape_.spines) + (params_.tiers == 2 ? " spines" : " aggregation");
  if (params_.tiers == 3)
    out += ", " + std::to_string(shape_.cores) + " cores";
  char ratio[64];
  std::snprintf(ratio, sizeof ratio, ", oversubscription %.3g:1", params_.oversubscription);
  return out + ratio + ", " + to_string(params_.routing);
}

std::vector<std::vector<int>> FatTree::adaptive_trunks() const
{
  std::vector<std::vector<int>> trunks;
  if (params_.routing != UpPortChoice::Adaptive)
    return trunks;
  add_switch_trunks(trunks, leaves_, leaf_up_edge_);
  // A pod's aggregation switches share its traffic to and from the cores evenly: each leaf
  // spreads over all of them, each of them over all its cores.
  for (int pod = 0; pod < shape_.pods && !spine_up_edge_.empty(); ++pod) {
    std::vector<std::pair<int, VertexId>> cables;
    for (int a = pod * shape_.leaf_up; a < (pod + 1) * shape_.leaf_up; ++a)
      for (int e : spine_up_edge_[a])
        cables.emplace_back(e, spines_[a]);
    add_trunk_pair(trunks, cables);
  }
  return trunks;
}

} // namespace dcsim
