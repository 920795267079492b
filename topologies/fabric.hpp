// The datacenter as a graph: GPUs, NICs, scale-up (NVLink) switches, fabric switches and
// storage servers as vertices; cables as edges with a bandwidth, a latency and an up/down
// state. Every topology generator produces a Fabric; the platform builder turns it into SimGrid
// links, the engine asks it for routes, and `dcsim topology` analyses it.
//
// Each undirected edge is two directed links (one per direction, full duplex), numbered
// 2*edge (from the edge's source vertex to its target) and 2*edge+1 (the reverse).
//
// Routes between GPUs of one scale-up domain cross its switch; other routes leave through the
// source GPU's NIC, cross the network (route_network(), one method per topology) and enter
// through the destination GPU's NIC.
#pragma once

#include <boost/graph/adjacency_list.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace dcsim {

enum class VertexKind { Gpu, ScaleUpSwitch, Nic, Leaf, Spine, Core, Router, Storage, StorageNic, StorageSwitch };

/// Lower-case name of a vertex kind ("leaf", "spine", ...), for reports.
const char* to_string(VertexKind kind);

struct FabricVertex {
  VertexKind kind = VertexKind::Gpu;
  int index = 0; ///< index among vertices of the same kind
  std::string name;
};

enum class LinkKind { ScaleUp, HostToNic, NicToSwitch, Fabric, Global, Storage };

const char* to_string(LinkKind kind);

struct FabricEdge {
  LinkKind kind = LinkKind::Fabric;
  double bandwidth_bytes_per_s = 0; ///< per direction
  double latency_s = 0;
  bool up = true;
  int id = 0; ///< dense edge index; directed links are 2*id and 2*id+1
};

using FabricGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, FabricVertex, FabricEdge>;
using VertexId = FabricGraph::vertex_descriptor;

/// A path through the fabric as directed link ids, with its summed latency.
struct Route {
  static constexpr int kMaxHops = 48;
  std::array<int, kMaxHops> links; ///< only the first `hops` are set
  int hops = 0;
  double latency_s = 0;

  void add(int directed_link, double latency) { links[hops++] = directed_link, latency_s += latency; }
};

/// How a Clos fabric (fat-tree, rail-optimized) picks among a switch's up-ports.
enum class UpPortChoice {
  DModK,    ///< by destination, as InfiniBand subnet managers route fat-trees: shifts never collide
  Ecmp,     ///< by a hash of the flow, as Ethernet/RoCE switches do: flows may collide on a port
  Adaptive, ///< packet by packet, by port load (InfiniBand adaptive routing, Spectrum-X): see Fabric::adaptive_trunks
};

/// "D-mod-K routing", "ECMP" or "adaptive routing", for describe().
const char* to_string(UpPortChoice choice);

/// What every topology puts at its edge: nodes of GPUs behind NICs, GPUs grouped into scale-up
/// (NVLink) domains of `domain_gpus` (a multiple of the node's GPUs, e.g. 72 for NVL72).
struct NodeParams {
  int nodes = 1;
  int gpus_per_node = 8;
  int domain_gpus = 0;                        ///< GPUs per scale-up domain; 0 = one node
  double scale_up_bandwidth_bytes_per_s = 0;  ///< per GPU per direction into its domain switch
  double scale_up_latency_s = 0;              ///< GPU to GPU through the domain switch
  int nics_per_node = 8;
  double nic_bandwidth_bytes_per_s = 0;
  double nic_latency_s = 0;                   ///< NIC processing, once per NIC traversed
};

/// A storage network of its own: each node's `nics` storage NICs (as one cable of their summed
/// bandwidth) into one non-blocking storage switch that the storage servers hang off. Its
/// vertices are no fabric switches: GPU traffic never crosses it, and `dcsim topology` leaves it
/// out of the fabric's figures.
struct StorageNetwork {
  int nics = 0; ///< per node; 0: none, storage hangs off the fabric's top tier
  double nic_bandwidth_bytes_per_s = 0;
  double latency_s = 0;
};

class Fabric {
public:
  /// Largest router/switch count and router-to-router cable count a generator accepts: beyond
  /// them building and routing take minutes, so a typo such as `dimensions: [1000000, 4, 4]` is
  /// refused at once instead of looking like a hang.
  static constexpr long long kMaxRouters = 65536;
  static constexpr long long kMaxRouterCables = 1 << 20;
  /// Largest switch radix a fat-tree or rail-optimized fabric accepts. The largest switches sold
  /// have 512 ports (51.2 Tb/s at 100 Gb/s a port); a radix builds that many spines even for one
  /// leaf, so `radix: 64000000` took minutes to refuse.
  static constexpr long long kMaxSwitchRadix = 4096;

  virtual ~Fabric() = default;

  const FabricGraph& graph() const { return graph_; }
  int gpu_count() const { return static_cast<int>(gpus_.size()); }
  int nic_count() const { return static_cast<int>(nics_.size()); }
  int node_count() const { return nodes_.nodes; }
  int gpus_per_node() const { return nodes_.gpus_per_node; }
  int node_of_gpu(int gpu) const { return gpu / nodes_.gpus_per_node; }
  int domain_of_gpu(int gpu) const { return gpu / domain_gpus(); }
  bool same_domain(int a, int b) const { return domain_of_gpu(a) == domain_of_gpu(b); }
  int nic_of_gpu(int gpu) const;
  int node_of_nic(int nic) const { return nic / nodes_.nics_per_node; }
  VertexId gpu_vertex(int gpu) const { return gpus_[gpu]; }
  VertexId nic_vertex(int nic) const { return nics_[nic]; }
  /// The switch a NIC is cabled to.
  VertexId switch_of_nic(int nic) const;
  int edge_count() const { return static_cast<int>(edges_.size()); }
  int directed_link_count() const { return 2 * edge_count(); }
  const FabricEdge& edge(int edge_id) const { return graph_[edges_[edge_id]]; }
  FabricGraph::edge_descriptor edge_descriptor(int edge_id) const { return edges_[edge_id]; }
  /// Human-readable name of a directed link, e.g. "leaf3->spine1".
  std::string link_name(int directed_link) const;

  /// Path from GPU `src` to GPU `dst`; `flow_hash` picks one of several equal-cost paths.
  /// @throw std::runtime_error when failed links leave no path.
  virtual Route route(int src, int dst, std::uint64_t flow_hash) const;
  /// Groups of directed links that adaptive routing keeps equally loaded. Spraying packets over
  /// every up-port by load spreads a switch's (a pod's) upward traffic evenly over its uplinks,
  /// and the traffic coming down to it evenly over its downlinks, so in the fluid limit each group
  /// shares its bandwidth among its flows as one link of the members' summed rate would (no
  /// member is busier than the others). Empty unless the fabric routes adaptively.
  virtual std::vector<std::vector<int>> adaptive_trunks() const { return {}; }
  /// Short description, e.g. "2-tier fat-tree, radix 64, ...".
  virtual std::string describe() const = 0;

  /// Adds `servers` storage servers, each cabled (`bandwidth_bytes_per_s`) to one of the
  /// top-tier switches in turn, where every node can reach them; or, with a storage `network`,
  /// to its switch.
  void add_storage(int servers, double bandwidth_bytes_per_s, double latency_s, const StorageNetwork& network = {});
  /// Whether storage has a network of its own (checkpoints then leave the GPUs' NICs alone).
  bool separate_storage_network() const { return !storage_nic_edge_.empty(); }
  int storage_count() const { return static_cast<int>(storage_.size()); }
  VertexId storage_vertex(int server) const { return storage_[server]; }
  /// Path from GPU `gpu` to storage server `server` (or back, when `to_gpu`).
  Route route_storage(int gpu, int server, std::uint64_t flow_hash, bool to_gpu) const;

  /// Takes a cable down or up; routes computed afterwards avoid down cables.
  virtual void set_edge_up(int edge_id, bool up);
  /// Sets a cable's rate (per direction): a degraded cable runs below what it was built with.
  void set_edge_bandwidth(int edge_id, double bandwidth_bytes_per_s)
  {
    graph_[edges_[edge_id]].bandwidth_bytes_per_s = bandwidth_bytes_per_s;
  }
  /// Every cable of a vertex (edge ids).
  std::vector<int> edges_of(VertexId vertex) const;
  /// The first NIC that cables taken down leave without a path to most of the others (its own
  /// cable down, or its switch outside the largest group of switches still joined; among equal
  /// groups, NIC 0's), or -1.
  int first_cut_off_nic() const;
  /// The first storage server cabled to the fabric that cables taken down leave unreachable
  /// from the NICs (its cable down, or its switch outside the NICs' group of switches), or -1.
  /// Servers on a storage network of their own are not checked.
  int first_cut_off_storage() const;
  /// The switch storage server `server` is cabled to.
  VertexId storage_switch_of(int server) const;
  /// The vertex named `name` ("spine3"), if any.
  std::optional<VertexId> find_vertex(const std::string& name) const;
  /// The cables between two vertices (edge ids; several in parallel, or none).
  std::vector<int> edges_between(VertexId a, VertexId b) const;

  /// Network switches (leaf, spine, core, router): what routes may cross.
  static bool is_switch(VertexKind kind);
  /// Network switches in the fabric (scale-up switches are part of their nodes).
  int network_switch_count() const;
  /// The fabric's cables: NIC to switch and switch to switch (each with two transceivers); not
  /// the scale-up or GPU-to-NIC ones inside nodes, nor storage's.
  int network_cable_count() const;
  /// Hop distance from switch `from` to switch `to` through switches and up cables (-1:
  /// unreachable). One BFS per destination on first use, cached until a cable changes state.
  int switch_distance(VertexId from, VertexId to) const;

protected:
  /// Network part of a route: from NIC `src_nic` (its cable to the switch included) to NIC
  /// `dst_nic` (its cable included).
  virtual void route_network(Route& route, int src_nic, int dst_nic, std::uint64_t flow_hash) const = 0;

  VertexId add_vertex(VertexKind kind, int index, std::string name);
  /// Adds a cable; returns its edge id.
  int add_edge(VertexId a, VertexId b, LinkKind kind, double bandwidth_bytes_per_s, double latency_s);
  /// Creates GPUs, scale-up switches and NICs (NICs not yet cabled to the network).
  void build_nodes(const NodeParams& params);
  /// Cables NIC `nic` to `fabric_switch`; returns the edge id.
  int connect_nic(int nic, VertexId fabric_switch, double latency_s);
  /// Directed link id for traversing edge `edge_id` starting from vertex `from`.
  int directed(int edge_id, VertexId from) const;
  void add_hop(Route& route, int edge_id, VertexId from) const;
  int domain_gpus() const { return nodes_.domain_gpus > 0 ? nodes_.domain_gpus : nodes_.gpus_per_node; }
  bool is_up(int edge_id) const { return graph_[edges_[edge_id]].up; }
  /// Appends two adaptive trunks: the upward and the downward directions of `cables` (each an
  /// edge id and its lower end).
  void add_trunk_pair(std::vector<std::vector<int>>& trunks, const std::vector<std::pair<int, VertexId>>& cables) const;
  /// add_trunk_pair for each switch `switches[i]` and its uplinks `up_edges[i]`.
  void add_switch_trunks(std::vector<std::vector<int>>& trunks, const std::vector<VertexId>& switches,
                         const std::vector<std::vector<int>>& up_edges) const;
  /// Appends the GPU->NIC and NIC->GPU hops around a network route.
  void route_through_nics(Route& route, int src, int dst, std::uint64_t flow_hash) const;
  /// A shortest path between two switches over up cables, among equal-cost next hops chosen by
  /// `flow_hash` (ECMP). Distances to each destination are computed on first use (one BFS) and
  /// cached until a cable changes state. @throw std::runtime_error when unreachable.
  void route_shortest(Route& route, VertexId from, VertexId to, std::uint64_t flow_hash) const;
  /// GPU -> its NIC -> the fabric -> the top-tier switch storage server `server` hangs off.
  void route_storage_through_fabric(Route& route, int gpu, int server, std::uint64_t flow_hash) const;

  FabricGraph graph_;
  NodeParams nodes_;
  std::vector<VertexId> gpus_, nics_, domain_switches_, storage_;
  std::vector<int> storage_edge_;
  std::vector<VertexId> storage_nics_; ///< per node, with a storage network
  std::vector<int> storage_nic_edge_;  ///< per node: its storage NICs' cable to the storage switch
  VertexId storage_switch_ = 0;
  std::vector<FabricGraph::edge_descriptor> edges_;
  /// Per edge id, what routing reads at every hop, kept flat: at 65K GPUs the graph's own edge
  /// records are scattered in memory and two lookups a hop were a tenth of a run.
  struct EdgeEnds {
    VertexId source = 0;
    double latency_s = 0;
  };
  std::vector<EdgeEnds> edge_ends_;
  std::vector<int> gpu_switch_edge_, gpu_nic_edge_, nic_switch_edge_;

private:
  /// Switches joined by up cables: a representative per vertex (itself for non-switches), and
  /// the representative of the group holding the most NICs (NIC 0's among equals).
  struct SwitchGroups {
    std::vector<VertexId> of;
    VertexId main = 0;
    bool any_nic = false;
  };
  SwitchGroups switch_groups() const;
  /// Distances from every switch (compact index) to `to`.
  const std::vector<int>& distances_to(VertexId to) const;
  int switch_slot(VertexId v) const;

  mutable std::vector<int> switch_slot_;                             ///< vertex -> compact switch index, -1 otherwise
  mutable std::unordered_map<VertexId, std::vector<int>> distance_cache_;
};

/// Deterministic mix of three values (for ECMP path choice): same inputs, same path, any platform.
std::uint64_t mix_hash(std::uint64_t a, std::uint64_t b, std::uint64_t c);

} // namespace dcsim
