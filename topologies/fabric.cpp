#include "fabric.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace dcsim {

const char* to_string(VertexKind kind)
{
  switch (kind) {
    case VertexKind::Gpu: return "gpu";
    case VertexKind::ScaleUpSwitch: return "scale_up_switch";
    case VertexKind::Nic: return "nic";
    case VertexKind::Leaf: return "leaf";
    case VertexKind::Spine: return "spine";
    case VertexKind::Core: return "core";
    case VertexKind::Router: return "router";
    case VertexKind::Storage: return "storage";
    case VertexKind::StorageNic: return "storage_nic";
    case VertexKind::StorageSwitch: return "storage_switch";
  }
  return "?";
}

const char* to_string(LinkKind kind)
{
  switch (kind) {
    case LinkKind::ScaleUp: return "scale_up";
    case LinkKind::HostToNic: return "gpu_nic";
    case LinkKind::NicToSwitch: return "nic_switch";
    case LinkKind::Fabric: return "fabric";
    case LinkKind::Global: return "global";
    case LinkKind::Storage: return "storage";
  }
  return "?";
}

const char* to_string(UpPortChoice choice)
{
  switch (choice) {
    case UpPortChoice::DModK: return "D-mod-K routing";
    case UpPortChoice::Ecmp: return "ECMP";
    case UpPortChoice::Adaptive: return "adaptive routing";
  }
  return "?";
}

VertexId Fabric::add_vertex(VertexKind kind, int index, std::string name)
{
  const VertexId v = boost::add_vertex(graph_);
  graph_[v] = FabricVertex{kind, index, std::move(name)};
  if (kind == VertexKind::Gpu)
    gpus_.push_back(v);
  return v;
}

int Fabric::add_edge(VertexId a, VertexId b, LinkKind kind, double bandwidth_bytes_per_s, double latency_s)
{
  const int id = static_cast<int>(edges_.size());
  const auto added = boost::add_edge(a, b, FabricEdge{kind, bandwidth_bytes_per_s, latency_s, true, id}, graph_);
  edges_.push_back(added.first);
  edge_ends_.push_back({a, latency_s});
  return id;
}

int Fabric::nic_of_gpu(int gpu) const
{
  const int node = gpu / nodes_.gpus_per_node;
  const int local = gpu % nodes_.gpus_per_node;
  return node * nodes_.nics_per_node + local * nodes_.nics_per_node / nodes_.gpus_per_node;
}

VertexId Fabric::switch_of_nic(int nic) const
{
  const auto e = edges_[nic_switch_edge_[nic]];
  const VertexId a = boost::source(e, graph_);
  return a == nics_[nic] ? boost::target(e, graph_) : a;
}

void Fabric::build_nodes(const NodeParams& p)
{
  nodes_ = p;
  if (domain_gpus() % p.gpus_per_node != 0)
    throw std::invalid_argument("a scale-up domain of " + std::to_string(domain_gpus()) +
                                " GPUs does not hold whole nodes of " + std::to_string(p.gpus_per_node));
  const int total = p.nodes * p.gpus_per_node;
  for (int d = 0; d * domain_gpus() < total; ++d)
    domain_switches_.push_back(add_vertex(VertexKind::ScaleUpSwitch, d, "domain" + std::to_string(d) + ".switch"));
  for (int n = 0; n < p.nodes; ++n) {
    std::vector<VertexId> node_nics;
    for (int k = 0; k < p.nics_per_node; ++k) {
      const int nic = n * p.nics_per_node + k;
      node_nics.push_back(add_vertex(VertexKind::Nic, nic, "node" + std::to_string(n) + ".nic" + std::to_string(k)));
      nics_.push_back(node_nics.back());
    }
    for (int g = 0; g < p.gpus_per_node; ++g) {
      const int gpu = n * p.gpus_per_node + g;
      const VertexId v = add_vertex(VertexKind::Gpu, gpu, "gpu" + std::to_string(gpu));
      // Half the GPU-to-GPU latency on each side of the domain switch.
      gpu_switch_edge_.push_back(add_edge(v, domain_switches_[gpu / domain_gpus()], LinkKind::ScaleUp,
                                          p.scale_up_bandwidth_bytes_per_s, p.scale_up_latency_s / 2));
      gpu_nic_edge_.push_back(add_edge(v, node_nics[g * p.nics_per_node / p.gpus_per_node], LinkKind::HostToNic,
                                       p.nic_bandwidth_bytes_per_s, p.nic_latency_s / 2));
    }
  }
  nic_switch_edge_.assign(nics_.size(), -1);
}

int Fabric::connect_nic(int nic, VertexId fabric_switch, double latency_s)
{
  nic_switch_edge_[nic] = add_edge(nics_[nic], fabric_switch, LinkKind::NicToSwitch, nodes_.nic_bandwidth_bytes_per_s,
                                   latency_s);
  return nic_switch_edge_[nic];
}

void Fabric::add_trunk_pair(std::vector<std::vector<int>>& trunks,
                            const std::vector<std::pair<int, VertexId>>& cables) const
{
  std::vector<int> up, down;
  for (const auto& [edge, lower] : cables) {
    up.push_back(directed(edge, lower));
    down.push_back(directed(edge, lower) ^ 1);
  }
  trunks.push_back(std::move(up));
  trunks.push_back(std::move(down));
}

void Fabric::add_switch_trunks(std::vector<std::vector<int>>& trunks, const std::vector<VertexId>& switches,
                               const std::vector<std::vector<int>>& up_edges) const
{
  for (size_t i = 0; i < up_edges.size(); ++i) {
    std::vector<std::pair<int, VertexId>> cables;
    for (int e : up_edges[i])
      cables.emplace_back(e, switches[i]);
    add_trunk_pair(trunks, cables);
  }
}

int Fabric::directed(int edge_id, VertexId from) const
{
  return 2 * edge_id + (edge_ends_[edge_id].source == from ? 0 : 1);
}

void Fabric::add_hop(Route& route, int edge_id, VertexId from) const
{
  if (route.hops >= Route::kMaxHops)
    throw std::logic_error("route longer than Route::kMaxHops");
  route.add(directed(edge_id, from), edge_ends_[edge_id].latency_s);
}

void Fabric::route_through_nics(Route& r, int src, int dst, std::uint64_t flow_hash) const
{
  const int src_nic = nic_of_gpu(src);
  const int dst_nic = nic_of_gpu(dst);
  add_hop(r, gpu_nic_edge_[src], gpu_vertex(src));
  route_network(r, src_nic, dst_nic, flow_hash);
  add_hop(r, gpu_nic_edge_[dst], nics_[dst_nic]);
}

Route Fabric::route(int src, int dst, std::uint64_t flow_hash) const
{
  Route r;
  if (same_domain(src, dst)) {
    add_hop(r, gpu_switch_edge_[src], gpu_vertex(src));
    add_hop(r, gpu_switch_edge_[dst], domain_switches_[domain_of_gpu(dst)]);
    return r;
  }
  route_through_nics(r, src, dst, flow_hash);
  return r;
}

void Fabric::add_storage(int servers, double bandwidth_bytes_per_s, double latency_s, const StorageNetwork& network)
{
  if (network.nics > 0 && servers > 0) {
    storage_switch_ = add_vertex(VertexKind::StorageSwitch, 0, "storage_switch");
    for (int node = 0; node < node_count(); ++node) {
      storage_nics_.push_back(add_vertex(VertexKind::StorageNic, node, "storage_nic" + std::to_string(node)));
      storage_nic_edge_.push_back(add_edge(storage_nics_.back(), storage_switch_, LinkKind::Storage,
                                           network.nics * network.nic_bandwidth_bytes_per_s, network.latency_s));
    }
    for (int i = 0; i < servers; ++i) {
      storage_.push_back(add_vertex(VertexKind::Storage, i, "storage" + std::to_string(i)));
      storage_edge_.push_back(add_edge(storage_.back(), storage_switch_, LinkKind::Storage, bandwidth_bytes_per_s,
                                       latency_s));
    }
    switch_slot_.clear();
    distance_cache_.clear();
    return;
  }
  // The highest tier present: cores, else spines, else leaves, else routers.
  std::vector<VertexId> top;
  for (VertexKind kind : {VertexKind::Core, VertexKind::Spine, VertexKind::Leaf, VertexKind::Router}) {
    for (auto v : boost::make_iterator_range(boost::vertices(graph_)))
      if (graph_[v].kind == kind)
        top.push_back(v);
    if (!top.empty())
      break;
  }
  if (top.empty() && servers > 0)
    throw std::invalid_argument("the fabric has no switch to attach storage to");
  for (int i = 0; i < servers; ++i) {
    storage_.push_back(add_vertex(VertexKind::Storage, i, "storage" + std::to_string(i)));
    storage_edge_.push_back(add_edge(storage_.back(), top[i % top.size()], LinkKind::Storage, bandwidth_bytes_per_s,
                                     latency_s));
  }
  switch_slot_.clear();
  distance_cache_.clear();
}

Route Fabric::route_storage(int gpu, int server, std::uint64_t flow_hash, bool to_gpu) const
{
  Route r;
  if (separate_storage_network()) { // the node's storage NICs, the storage switch, the server
    const int node = node_of_gpu(gpu);
    add_hop(r, storage_nic_edge_[node], storage_nics_[node]);
    add_hop(r, storage_edge_[server], storage_switch_);
  } else {
    route_storage_through_fabric(r, gpu, server, flow_hash);
  }
  if (to_gpu) { // the same cables, walked backwards
    std::reverse(r.links.begin(), r.links.begin() + r.hops);
    for (int i = 0; i < r.hops; ++i)
      r.links[i] ^= 1;
  }
  return r;
}

void Fabric::route_storage_through_fabric(Route& r, int gpu, int server, std::uint64_t flow_hash) const
{
  const int nic = nic_of_gpu(gpu);
  const VertexId storage_switch = storage_switch_of(server);
  add_hop(r, gpu_nic_edge_[gpu], gpu_vertex(gpu));
  add_hop(r, nic_switch_edge_[nic], nics_[nic]);
  route_shortest(r, switch_of_nic(nic), storage_switch, flow_hash);
  add_hop(r, storage_edge_[server], storage_switch);
}

void Fabric::set_edge_up(int edge_id, bool up)
{
  graph_[edges_[edge_id]].up = up;
  distance_cache_.clear();
}

bool Fabric::is_switch(VertexKind kind)
{
  return kind == VertexKind::Leaf || kind == VertexKind::Spine || kind == VertexKind::Core ||
         kind == VertexKind::Router;
}

int Fabric::network_switch_count() const
{
  int count = 0;
  for (const VertexId v : boost::make_iterator_range(boost::vertices(graph_)))
    count += is_switch(graph_[v].kind) ? 1 : 0;
  return count;
}

int Fabric::network_cable_count() const
{
  int count = 0;
  for (int e = 0; e < edge_count(); ++e) {
    const LinkKind kind = edge(e).kind;
    count += kind == LinkKind::NicToSwitch || kind == LinkKind::Fabric || kind == LinkKind::Global ? 1 : 0;
  }
  return count;
}

int Fabric::switch_slot(VertexId v) const
{
  if (switch_slot_.size() != boost::num_vertices(graph_)) {
    switch_slot_.assign(boost::num_vertices(graph_), -1);
    int next = 0;
    for (auto u : boost::make_iterator_range(boost::vertices(graph_)))
      if (is_switch(graph_[u].kind))
        switch_slot_[u] = next++;
  }
  return switch_slot_[v];
}

const std::vector<int>& Fabric::distances_to(VertexId to) const
{
  auto found = distance_cache_.find(to);
  if (found != distance_cache_.end())
    return found->second;
  switch_slot(to); // builds the index
  const int switches = *std::max_element(switch_slot_.begin(), switch_slot_.end()) + 1;
  std::vector<int> dist(std::max(switches, 1), -1);
  std::vector<VertexId> frontier{to};
  dist[switch_slot_[to]] = 0;
  for (size_t head = 0; head < frontier.size(); ++head) {
    const VertexId v = frontier[head];
    for (auto e : boost::make_iterator_range(boost::out_edges(v, graph_))) {
      const VertexId u = boost::target(e, graph_);
      const int slot = switch_slot_[u];
      if (!graph_[e].up || slot < 0 || dist[slot] >= 0)
        continue;
      dist[slot] = dist[switch_slot_[v]] + 1;
      frontier.push_back(u);
    }
  }
  return distance_cache_.emplace(to, std::move(dist)).first->second;
}

int Fabric::switch_distance(VertexId from, VertexId to) const
{
  const int slot = switch_slot(from);
  return slot < 0 || switch_slot(to) < 0 ? -1 : distances_to(to)[slot];
}

void Fabric::route_shortest(Route& r, VertexId from, VertexId to, std::uint64_t flow_hash) const
{
  const std::vector<int>& dist = distances_to(to);
  if (switch_distance(from, to) < 0)
    throw std::runtime_error("no path from " + graph_[from].name + " to " + graph_[to].name);
  VertexId v = from;
  std::vector<std::pair<int, VertexId>> next; // (edge id, neighbour) one hop closer
  for (int step = 0; v != to; ++step) {
    next.clear();
    for (auto e : boost::make_iterator_range(boost::out_edges(v, graph_))) {
      const VertexId u = boost::target(e, graph_);
      const int slot = switch_slot_[u];
      if (graph_[e].up && slot >= 0 && dist[slot] == dist[switch_slot_[v]] - 1)
        next.emplace_back(graph_[e].id, u);
    }
    const auto& [edge_id, u] = next[mix_hash(flow_hash, step, v) % next.size()];
    add_hop(r, edge_id, v);
    v = u;
  }
}

Fabric::SwitchGroups Fabric::switch_groups() const
{
  // Union-find over vertex ids, through up cables between switches.
  std::vector<VertexId> parent(boost::num_vertices(graph_));
  std::iota(parent.begin(), parent.end(), VertexId{0});
  const auto find = [&](VertexId v) {
    while (parent[v] != v)
      v = parent[v] = parent[parent[v]];
    return v;
  };
  for (auto e : boost::make_iterator_range(boost::edges(graph_))) {
    const VertexId a = boost::source(e, graph_), b = boost::target(e, graph_);
    if (graph_[e].up && is_switch(graph_[a].kind) && is_switch(graph_[b].kind))
      parent[find(a)] = find(b);
  }
  SwitchGroups g;
  g.of.resize(parent.size());
  for (VertexId v = 0; v < parent.size(); ++v)
    g.of[v] = find(v);
  std::unordered_map<VertexId, int> nics_in;
  for (int nic = 0; nic < nic_count(); ++nic)
    if (is_up(nic_switch_edge_[nic]))
      ++nics_in[g.of[switch_of_nic(nic)]];
  // The group with the most NICs; among equals, the lowest-numbered NIC's.
  int most = 0;
  for (int nic = 0; nic < nic_count(); ++nic) {
    if (!is_up(nic_switch_edge_[nic]))
      continue;
    const VertexId group = g.of[switch_of_nic(nic)];
    if (nics_in[group] > most) {
      most = nics_in[group];
      g.main = group;
      g.any_nic = true;
    }
  }
  return g;
}

int Fabric::first_cut_off_nic() const
{
  const SwitchGroups g = switch_groups();
  for (int nic = 0; nic < nic_count(); ++nic)
    if (!is_up(nic_switch_edge_[nic]) || !g.any_nic || g.of[switch_of_nic(nic)] != g.main)
      return nic;
  return -1;
}

int Fabric::first_cut_off_storage() const
{
  if (separate_storage_network())
    return -1;
  const SwitchGroups g = switch_groups();
  for (int server = 0; server < storage_count(); ++server)
    if (!is_up(storage_edge_[server]) || !g.any_nic || g.of[storage_switch_of(server)] != g.main)
      return server;
  return -1;
}

VertexId Fabric::storage_switch_of(int server) const
{
  const auto e = edges_[storage_edge_[server]];
  return boost::source(e, graph_) == storage_[server] ? boost::target(e, graph_) : boost::source(e, graph_);
}

std::optional<VertexId> Fabric::find_vertex(const std::string& name) const
{
  for (auto v : boost::make_iterator_range(boost::vertices(graph_)))
    if (graph_[v].name == name)
      return v;
  return std::nullopt;
}

std::vector<int> Fabric::edges_between(VertexId a, VertexId b) const
{
  std::vector<int> out;
  for (auto e : boost::make_iterator_range(boost::out_edges(a, graph_)))
    if (boost::target(e, graph_) == b)
      out.push_back(graph_[e].id);
  return out;
}

std::vector<int> Fabric::edges_of(VertexId vertex) const
{
  std::vector<int> out;
  for (auto e : boost::make_iterator_range(boost::out_edges(vertex, graph_)))
    out.push_back(graph_[e].id);
  return out;
}

std::string Fabric::link_name(int directed_link) const
{
  const auto e = edges_[directed_link / 2];
  VertexId a = boost::source(e, graph_);
  VertexId b = boost::target(e, graph_);
  if (directed_link % 2 == 1)
    std::swap(a, b);
  return graph_[a].name + "->" + graph_[b].name;
}

std::uint64_t mix_hash(std::uint64_t a, std::uint64_t b, std::uint64_t c)
{
  // splitmix64 finalizer over a simple combination: cheap and well spread.
  std::uint64_t x = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL) * 0xC2B2AE3D27D4EB4FULL ^ c;
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return x;
}

} // namespace dcsim
