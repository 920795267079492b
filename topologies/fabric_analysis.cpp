#include "fabric_analysis.hpp"

#include <boost/graph/push_relabel_max_flow.hpp>

#include <algorithm>
#include <limits>

namespace dcsim {

namespace {

using FlowTraits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
using FlowGraph = boost::adjacency_list<
    boost::vecS, boost::vecS, boost::directedS, boost::no_property,
    boost::property<boost::edge_capacity_t, double,
                    boost::property<boost::edge_residual_capacity_t, double,
                                    boost::property<boost::edge_reverse_t, FlowTraits::edge_descriptor>>>>;

void add_arc(FlowGraph& g, std::size_t u, std::size_t v, double capacity)
{
  auto capacity_map = boost::get(boost::edge_capacity, g);
  auto reverse_map = boost::get(boost::edge_reverse, g);
  const auto forward = boost::add_edge(u, v, g).first;
  const auto backward = boost::add_edge(v, u, g).first;
  capacity_map[forward] = capacity;
  capacity_map[backward] = 0;
  reverse_map[forward] = backward;
  reverse_map[backward] = forward;
}

bool is_network_cable(LinkKind kind)
{
  return kind == LinkKind::NicToSwitch || kind == LinkKind::Fabric || kind == LinkKind::Global;
}

struct HopStats {
  int diameter = 0;
  double average = 0;
  double paths_min = 0, paths_mean = 0, paths_max = 0;
};

/// BFS over switches from every NIC-attached switch (sampled when there are many), counting
/// shortest paths. Pairs are weighted by the NICs behind each switch.
HopStats hop_stats(const Fabric& fabric, int max_sources)
{
  const auto& g = fabric.graph();
  // Compact indices for switches; BFS arrays are sized by switches, not by all vertices.
  std::vector<int> slot(boost::num_vertices(g), -1);
  std::vector<VertexId> switches;
  for (auto v : boost::make_iterator_range(boost::vertices(g)))
    if (Fabric::is_switch(g[v].kind)) {
      slot[v] = static_cast<int>(switches.size());
      switches.push_back(v);
    }
  std::vector<int> nics_behind(switches.size(), 0);
  for (int nic = 0; nic < fabric.nic_count(); ++nic)
    ++nics_behind[slot[fabric.switch_of_nic(nic)]];
  std::vector<int> sources; // slots of NIC-attached switches
  for (size_t i = 0; i < switches.size(); ++i)
    if (nics_behind[i] > 0)
      sources.push_back(static_cast<int>(i));
  const size_t stride = std::max<size_t>(1, sources.size() / std::max(1, max_sources));
  HopStats stats;
  stats.paths_min = std::numeric_limits<double>::infinity();
  double weight_sum = 0, hop_sum = 0, pair_count = 0, path_sum = 0;
  std::vector<int> dist(switches.size());
  std::vector<double> paths(switches.size());
  std::vector<int> order;
  for (size_t si = 0; si < sources.size(); si += stride) {
    const int s = sources[si];
    std::fill(dist.begin(), dist.end(), -1);
    std::fill(paths.begin(), paths.end(), 0.0);
    order.assign(1, s);
    dist[s] = 0;
    paths[s] = 1;
    for (size_t head = 0; head < order.size(); ++head) {
      const int v = order[head];
      for (auto e : boost::make_iterator_range(boost::out_edges(switches[v], g))) {
        const int u = slot[boost::target(e, g)];
        if (u < 0 || !g[e].up)
          continue;
        if (dist[u] < 0) {
          dist[u] = dist[v] + 1;
          order.push_back(u);
        }
        if (dist[u] == dist[v] + 1)
          paths[u] += paths[v];
      }
    }
    for (int t : sources) {
      if (dist[t] < 0)
        continue;
      const double w = double(nics_behind[s]) * nics_behind[t];
      weight_sum += w;
      hop_sum += w * (4 + dist[t]);
      stats.diameter = std::max(stats.diameter, 4 + dist[t]);
      if (t != s) {
        stats.paths_min = std::min(stats.paths_min, paths[t]);
        stats.paths_max = std::max(stats.paths_max, paths[t]);
        path_sum += paths[t];
        ++pair_count;
      }
    }
  }
  stats.average = weight_sum > 0 ? hop_sum / weight_sum : 0;
  stats.paths_mean = pair_count > 0 ? path_sum / pair_count : 1;
  if (pair_count == 0)
    stats.paths_min = stats.paths_max = 1;
  return stats;
}

/// Routes every GPU to the same GPU of the next node (the ring pattern of collectives) and
/// compares the network part of each route (NVLink hops of rail-aware routes aside) with the
/// shortest path through the graph.
void check_routes(const Fabric& fabric, FabricSummary& s)
{
  const int per_node = fabric.gpus_per_node();
  for (int gpu = 0; gpu < fabric.gpu_count(); ++gpu) {
    const int dst = (gpu + per_node) % fabric.gpu_count();
    if (fabric.same_domain(gpu, dst))
      continue;
    const Route r = fabric.route(gpu, dst, mix_hash(gpu, dst, 0));
    int network_hops = 0;
    for (int i = 0; i < r.hops; ++i)
      network_hops += fabric.edge(r.links[i] / 2).kind != LinkKind::ScaleUp;
    const int shortest = 4 + fabric.switch_distance(fabric.switch_of_nic(fabric.nic_of_gpu(gpu)),
                                                    fabric.switch_of_nic(fabric.nic_of_gpu(dst)));
    ++s.routes_checked;
    s.routes_not_shortest += network_hops > shortest;
  }
}

} // namespace

double max_flow_between(const Fabric& fabric, const std::vector<int>& from_nics, const std::vector<int>& to_nics)
{
  const auto& g = fabric.graph();
  const std::size_t n = boost::num_vertices(g);
  FlowGraph flow(n + 2);
  const std::size_t source = n, sink = n + 1;
  for (int e = 0; e < fabric.edge_count(); ++e) {
    const FabricEdge& edge = fabric.edge(e);
    if (!edge.up || !is_network_cable(edge.kind))
      continue;
    const auto d = fabric.edge_descriptor(e);
    add_arc(flow, boost::source(d, g), boost::target(d, g), edge.bandwidth_bytes_per_s);
    add_arc(flow, boost::target(d, g), boost::source(d, g), edge.bandwidth_bytes_per_s);
  }
  const double unlimited = std::numeric_limits<double>::max() / 4;
  for (int nic : from_nics)
    add_arc(flow, source, fabric.nic_vertex(nic), unlimited);
  for (int nic : to_nics)
    add_arc(flow, fabric.nic_vertex(nic), sink, unlimited);
  return boost::push_relabel_max_flow(flow, source, sink);
}

FabricSummary analyse_fabric(const Fabric& fabric, const AnalysisOptions& options)
{
  FabricSummary s;
  const auto& g = fabric.graph();
  s.gpus = fabric.gpu_count();
  s.nodes = fabric.node_count();
  s.nics = fabric.nic_count();
  for (auto v : boost::make_iterator_range(boost::vertices(g))) {
    ++s.vertices_by_kind[to_string(g[v].kind)];
    s.switches += Fabric::is_switch(g[v].kind);
  }
  s.links = fabric.edge_count();
  for (int e = 0; e < fabric.edge_count(); ++e)
    ++s.links_by_kind[to_string(fabric.edge(e).kind)];
  if (options.bisection && s.nics >= 2) {
    std::vector<int> first, second;
    for (int nic = 0; nic < s.nics; ++nic)
      (nic < s.nics / 2 ? first : second).push_back(nic);
    s.bisection_bandwidth_bytes_per_s = max_flow_between(fabric, first, second);
  }
  const HopStats hops = hop_stats(fabric, options.max_bfs_sources);
  s.diameter_hops = hops.diameter;
  s.average_hops = hops.average;
  s.ecmp_paths_min = hops.paths_min;
  s.ecmp_paths_mean = hops.paths_mean;
  s.ecmp_paths_max = hops.paths_max;
  check_routes(fabric, s);
  return s;
}

} // namespace dcsim
