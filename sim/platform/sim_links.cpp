#include "platform/sim_links.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

namespace dcsim {

namespace {

class UnionFind {
public:
  explicit UnionFind(int n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  int find(int x)
  {
    while (parent_[x] != x)
      x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void unite(int a, int b) { parent_[find(a)] = find(b); }

private:
  std::vector<int> parent_;
};

bool route_end(VertexKind kind) { return kind == VertexKind::Gpu || kind == VertexKind::Storage; }

/// Each directed link's bandwidth as a member of its unit: a trunk's summed rate for a trunk
/// member, its own rate otherwise.
std::vector<double> unit_bandwidths(const Fabric& fabric, UnionFind& sets)
{
  std::vector<double> rate(fabric.directed_link_count());
  for (int l = 0; l < fabric.directed_link_count(); ++l)
    rate[l] = fabric.edge(l / 2).bandwidth_bytes_per_s;
  for (const std::vector<int>& trunk : fabric.adaptive_trunks()) {
    double sum = 0;
    for (int l : trunk)
      sum += fabric.edge(l / 2).up ? rate[l] : 0.0;
    for (int l : trunk) {
      sets.unite(l, trunk.front());
      if (sum > 0) // a trunk whose cables are all down carries nothing: keep the rates
        rate[l] = sum;
    }
  }
  return rate;
}

} // namespace

SimLinks merge_links(const Fabric& fabric)
{
  const FabricGraph& g = fabric.graph();
  const int links = fabric.directed_link_count();
  UnionFind sets(links);
  const std::vector<double> unit_rate = unit_bandwidths(fabric, sets);
  // Directed link id of a cable walked away from `from` (see Fabric::directed: the orientation
  // is the cable's as stored, not the one an out-edge iterator reports).
  const auto leaving = [&](FabricGraph::edge_descriptor e, VertexId from) {
    const int id = g[e].id;
    return 2 * id + (boost::source(fabric.edge_descriptor(id), g) == from ? 0 : 1);
  };
  for (auto v : boost::make_iterator_range(boost::vertices(g))) {
    if (route_end(g[v].kind) || boost::out_degree(v, g) != 2)
      continue;
    auto [first, last] = boost::out_edges(v, g);
    const auto a = *first;
    const auto b = *std::next(first);
    const VertexId u = boost::target(a, g);
    const VertexId w = boost::target(b, g);
    sets.unite(leaving(a, u), leaving(b, v)); // u -> v -> w
    sets.unite(leaving(b, w), leaving(a, v)); // w -> v -> u
  }
  SimLinks out;
  out.of_link.assign(links, -1);
  std::vector<int> merged_of_root(links, -1);
  for (int l = 0; l < links; ++l) {
    int& merged = merged_of_root[sets.find(l)];
    if (merged < 0) {
      merged = static_cast<int>(out.bandwidth_bytes_per_s.size());
      out.bandwidth_bytes_per_s.push_back(std::numeric_limits<double>::infinity());
    }
    out.of_link[l] = merged;
    double& bandwidth = out.bandwidth_bytes_per_s[merged];
    bandwidth = std::min(bandwidth, unit_rate[l]);
  }
  return out;
}

} // namespace dcsim
