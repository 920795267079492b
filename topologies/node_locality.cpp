#include "node_locality.hpp"

#include "fabric.hpp"

#include <algorithm>
#include <map>
#include <numeric>

namespace dcsim {

namespace {

struct UnionFind {
  std::vector<size_t> parent;
  explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), size_t{0}); }
  size_t find(size_t x)
  {
    while (parent[x] != x)
      x = parent[x] = parent[parent[x]];
    return x;
  }
  void join(size_t a, size_t b) { parent[find(a)] = find(b); }
};

/// Numbers distinct keys densely in order of first appearance.
template <class Key> std::vector<int> dense_ids(const std::vector<Key>& keys, int& count)
{
  std::map<Key, int> ids;
  std::vector<int> out;
  out.reserve(keys.size());
  for (const Key& k : keys)
    out.push_back(ids.emplace(k, static_cast<int>(ids.size())).first->second);
  count = static_cast<int>(ids.size());
  return out;
}

int distinct(const std::vector<int>& of_node, const std::vector<int>& nodes)
{
  std::vector<int> ids;
  ids.reserve(nodes.size());
  for (int n : nodes)
    ids.push_back(of_node.at(n));
  std::sort(ids.begin(), ids.end());
  return static_cast<int>(std::unique(ids.begin(), ids.end()) - ids.begin());
}

} // namespace

NodeLocality NodeLocality::flat(int nodes)
{
  NodeLocality l;
  l.block.resize(nodes);
  std::iota(l.block.begin(), l.block.end(), 0);
  l.pod.assign(nodes, 0);
  for (int n = 0; n < nodes; ++n)
    l.switches.push_back({n});
  l.blocks = nodes;
  l.pods = nodes > 0 ? 1 : 0;
  return l;
}

int NodeLocality::blocks_spanned(const std::vector<int>& nodes) const { return distinct(block, nodes); }
int NodeLocality::pods_spanned(const std::vector<int>& nodes) const { return distinct(pod, nodes); }

std::vector<int> NodeLocality::switches_of(const std::vector<int>& nodes) const
{
  std::vector<int> ids;
  for (int n : nodes)
    ids.insert(ids.end(), switches.at(n).begin(), switches.at(n).end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

NodeLocality node_locality(const Fabric& fabric)
{
  const FabricGraph& g = fabric.graph();
  // Switches joined by cables that do not go through the top tier or a global link.
  UnionFind below_top(boost::num_vertices(g));
  for (auto [e, end] = boost::edges(g); e != end; ++e) {
    const VertexId a = boost::source(*e, g), b = boost::target(*e, g);
    const auto lower_switch = [&](VertexId v) { return Fabric::is_switch(g[v].kind) && g[v].kind != VertexKind::Core; };
    if (g[*e].kind != LinkKind::Global && lower_switch(a) && lower_switch(b))
      below_top.join(a, b);
  }
  const int nodes = fabric.node_count();
  const int nics_per_node = fabric.nic_count() / std::max(1, nodes);
  std::vector<std::vector<VertexId>> first_hop(nodes);
  for (int node = 0; node < nodes; ++node) {
    for (int k = 0; k < nics_per_node; ++k)
      first_hop[node].push_back(fabric.switch_of_nic(node * nics_per_node + k));
    std::sort(first_hop[node].begin(), first_hop[node].end());
    first_hop[node].erase(std::unique(first_hop[node].begin(), first_hop[node].end()), first_hop[node].end());
  }
  NodeLocality l;
  l.block = dense_ids(first_hop, l.blocks);
  for (const auto& hops : first_hop)
    l.switches.emplace_back(hops.begin(), hops.end());
  // A node whose NICs reach several components (one per rail plane) joins them into one pod.
  for (const auto& switches : first_hop)
    for (VertexId s : switches)
      below_top.join(s, switches.front());
  std::vector<size_t> pod_root(nodes);
  for (int node = 0; node < nodes; ++node)
    pod_root[node] = first_hop[node].empty() ? static_cast<size_t>(-1) : below_top.find(first_hop[node].front());
  l.pod = dense_ids(pod_root, l.pods);
  return l;
}

} // namespace dcsim
