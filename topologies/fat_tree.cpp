#include "fat_tree.hpp"

#include <cmath>
#include <stdexcept>

namespace dcsim {

namespace {

int ceil_div(long long a, long long b) { return static_cast<int>((a + b - 1) / b); }

/// Fills the tier counts for radix `r`; returns an error sentence or "".
std::string fit(const FatTreeParams& p, int r, FatTreeShape& s)
{
  s = FatTreeShape{};
  s.radix = r;
  const long long ports = static_cast<long long>(p.nodes) * p.nics_per_node;
  s.leaf_down = std::max(1, static_cast<int>(std::lround(r * p.oversubscription / (1.0 + p.oversubscription))));
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
  s.leaves_per_pod = r / 2;
  s.pods = ceil_div(s.leaves, s.leaves_per_pod);
  s.spines = s.pods * s.leaf_up;
  s.cores = s.leaf_up * (r / 2);
  if (s.pods > r)
    return "3 tiers of radix " + std::to_string(r) + " connect at most " +
           std::to_string(static_cast<long long>(r) * (r / 2) * s.leaf_down) + " NICs, not " + std::to_string(ports) +
           "; expected a larger radix";
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
  if (p.radix > 0) {
    shape.error = fit(p, p.radix, shape);
    if (p.radix < 2 || p.radix % 2 != 0)
      shape.error = "radix " + std::to_string(p.radix) + " is not an even number of ports >= 2";
  } else {
    std::string last_error;
    for (int r : {8, 16, 32, 64, 128, 256}) {
      last_error = fit(p, r, shape);
      if (last_error.empty())
        break;
    }
    shape.error = last_error;
  }
  if (shape.error.empty() && p.tiers > 1) {
    shape.uplink_bandwidth_bytes_per_s =
        p.link_bandwidth_bytes_per_s > 0
            ? p.link_bandwidth_bytes_per_s
            : shape.leaf_down * p.nic_bandwidth_bytes_per_s / (p.oversubscription * shape.leaf_up);
  }
  return shape;
}

FatTree::FatTree(const FatTreeParams& params) : params_(params), shape_(FatTreeShape::plan(params))
{
  if (!shape_.error.empty())
    throw std::invalid_argument(shape_.error);
  gpus_per_node_ = params.gpus_per_node;
  build_nodes();
  build_switches();
}

int FatTree::nic_of_gpu(int gpu) const
{
  const int node = gpu / params_.gpus_per_node;
  const int local = gpu % params_.gpus_per_node;
  return node * params_.nics_per_node + local * params_.nics_per_node / params_.gpus_per_node;
}

void FatTree::build_nodes()
{
  const auto& p = params_;
  for (int n = 0; n < p.nodes; ++n) {
    const VertexId nvswitch = add_vertex(VertexKind::NodeSwitch, n, "node" + std::to_string(n) + ".switch");
    std::vector<VertexId> node_nics;
    for (int k = 0; k < p.nics_per_node; ++k) {
      const int nic = n * p.nics_per_node + k;
      node_nics.push_back(add_vertex(VertexKind::Nic, nic, "node" + std::to_string(n) + ".nic" + std::to_string(k)));
      nics_.push_back(node_nics.back());
    }
    for (int g = 0; g < p.gpus_per_node; ++g) {
      const int gpu = n * p.gpus_per_node + g;
      const VertexId v = add_vertex(VertexKind::Gpu, gpu, "gpu" + std::to_string(gpu));
      // Half the GPU-to-GPU latency on each side of the node switch.
      gpu_switch_edge_.push_back(add_edge(v, nvswitch, LinkKind::ScaleUp, p.scale_up_bandwidth_bytes_per_s,
                                          p.scale_up_latency_s / 2));
      const int nic_local = g * p.nics_per_node / p.gpus_per_node;
      gpu_nic_edge_.push_back(add_edge(v, node_nics[nic_local], LinkKind::HostToNic, p.nic_bandwidth_bytes_per_s,
                                       p.nic_latency_s / 2));
    }
  }
}

void FatTree::build_switches()
{
  const auto& p = params_;
  const auto& s = shape_;
  for (int l = 0; l < s.leaves; ++l)
    leaves_.push_back(add_vertex(VertexKind::Leaf, l, "leaf" + std::to_string(l)));
  for (int nic = 0; nic < static_cast<int>(nics_.size()); ++nic)
    nic_leaf_edge_.push_back(add_edge(nics_[nic], leaves_[leaf_of_nic(nic)], LinkKind::NicToLeaf,
                                      p.nic_bandwidth_bytes_per_s, p.link_latency_s));
  if (p.tiers == 1)
    return;
  for (int a = 0; a < s.spines; ++a)
    spines_.push_back(add_vertex(VertexKind::Spine, a, (p.tiers == 2 ? "spine" : "agg") + std::to_string(a)));
  leaf_up_edge_.assign(s.leaves, {});
  for (int l = 0; l < s.leaves; ++l) {
    const int pod = l / s.leaves_per_pod;
    for (int j = 0; j < s.leaf_up; ++j)
      leaf_up_edge_[l].push_back(add_edge(leaves_[l], spines_[pod * s.leaf_up + j], LinkKind::Fabric,
                                          s.uplink_bandwidth_bytes_per_s, p.link_latency_s));
  }
  if (p.tiers == 2)
    return;
  const int group = s.radix / 2;
  for (int c = 0; c < s.cores; ++c)
    cores_.push_back(add_vertex(VertexKind::Core, c, "core" + std::to_string(c)));
  spine_up_edge_.assign(s.spines, {});
  for (int a = 0; a < s.spines; ++a) {
    const int j = a % s.leaf_up; // aggregation index inside its pod = core group
    for (int c = 0; c < group; ++c)
      spine_up_edge_[a].push_back(add_edge(spines_[a], cores_[j * group + c], LinkKind::Fabric,
                                           s.uplink_bandwidth_bytes_per_s, p.link_latency_s));
  }
}

Route FatTree::route(int src, int dst, std::uint64_t flow_hash) const
{
  Route r;
  const auto& s = shape_;
  if (node_of_gpu(src) == node_of_gpu(dst)) {
    add_hop(r, gpu_switch_edge_[src], gpu_vertex(src));
    add_hop(r, gpu_switch_edge_[dst], boost::target(edges_[gpu_switch_edge_[dst]], graph_));
    return r;
  }
  const int src_nic = nic_of_gpu(src);
  const int dst_nic = nic_of_gpu(dst);
  const int src_leaf = leaf_of_nic(src_nic);
  const int dst_leaf = leaf_of_nic(dst_nic);
  add_hop(r, gpu_nic_edge_[src], gpu_vertex(src));
  add_hop(r, nic_leaf_edge_[src_nic], nics_[src_nic]);
  if (src_leaf != dst_leaf) {
    const std::uint64_t selector = params_.ecmp ? flow_hash : static_cast<std::uint64_t>(dst_nic);
    const int j = static_cast<int>(selector % s.leaf_up);
    const int src_pod = src_leaf / s.leaves_per_pod;
    const int dst_pod = dst_leaf / s.leaves_per_pod;
    add_hop(r, leaf_up_edge_[src_leaf][j], leaves_[src_leaf]);
    if (src_pod != dst_pod) {
      const int c = static_cast<int>((selector / s.leaf_up) % (s.radix / 2));
      const int src_agg = src_pod * s.leaf_up + j;
      const int dst_agg = dst_pod * s.leaf_up + j;
      add_hop(r, spine_up_edge_[src_agg][c], spines_[src_agg]);
      add_hop(r, spine_up_edge_[dst_agg][c], cores_[j * (s.radix / 2) + c]);
    }
    add_hop(r, leaf_up_edge_[dst_leaf][j], spines_[dst_pod * s.leaf_up + j]);
  }
  add_hop(r, nic_leaf_edge_[dst_nic], leaves_[dst_leaf]);
  add_hop(r, gpu_nic_edge_[dst], nics_[dst_nic]);
  return r;
}

std::string FatTree::describe() const
{
  char buf[160];
  std::snprintf(buf, sizeof buf, "%d-tier fat-tree, radix %d, %d leaves, %d %s%s, oversubscription %.3g:1, %s",
                params_.tiers, shape_.radix, shape_.leaves, shape_.spines, params_.tiers == 3 ? "aggregation" : "spine",
                params_.tiers == 3 ? (", " + std::to_string(shape_.cores) + " core").c_str() : "",
                params_.oversubscription, params_.ecmp ? "ECMP" : "D-mod-K routing");
  return buf;
}

} // namespace dcsim
