// The datacenter as a graph: GPUs, NICs, node switches and fabric switches as vertices; cables as
// edges with a bandwidth and a latency. Every topology generator produces a Fabric; the platform
// builder turns it into SimGrid links, and the engine asks it for routes.
//
// Each undirected edge is two directed links (one per direction, full duplex), numbered
// 2*edge (from the lower-numbered end "source" to "target") and 2*edge+1 (the reverse).
#pragma once

#include <boost/graph/adjacency_list.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace dcsim {

enum class VertexKind { Gpu, NodeSwitch, Nic, Leaf, Spine, Core, Storage };

struct FabricVertex {
  VertexKind kind = VertexKind::Gpu;
  int index = 0; ///< index among vertices of the same kind
  std::string name;
};

enum class LinkKind { ScaleUp, HostToNic, NicToLeaf, Fabric };

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
  static constexpr int kMaxHops = 16;
  std::array<int, kMaxHops> links{};
  int hops = 0;
  double latency_s = 0;

  void add(int directed_link, double latency) { links[hops++] = directed_link, latency_s += latency; }
};

/// A built fabric: the graph plus what routing needs. Topology generators subclass it and
/// implement route(); everything else is shared.
class Fabric {
public:
  virtual ~Fabric() = default;

  const FabricGraph& graph() const { return graph_; }
  int gpu_count() const { return static_cast<int>(gpus_.size()); }
  int gpus_per_node() const { return gpus_per_node_; }
  int node_of_gpu(int gpu) const { return gpu / gpus_per_node_; }
  VertexId gpu_vertex(int gpu) const { return gpus_[gpu]; }
  int directed_link_count() const { return 2 * static_cast<int>(edges_.size()); }
  const FabricEdge& edge(int edge_id) const { return graph_[edges_[edge_id]]; }
  /// Human-readable name of a directed link, e.g. "leaf3->spine1".
  std::string link_name(int directed_link) const;

  /// Path from GPU `src` to GPU `dst`. `flow_hash` picks one of several equal-cost paths.
  virtual Route route(int src, int dst, std::uint64_t flow_hash) const = 0;
  /// Short description, e.g. "2-tier fat-tree, radix 64, 1:1".
  virtual std::string describe() const = 0;

protected:
  VertexId add_vertex(VertexKind kind, int index, std::string name);
  /// Adds a cable; returns its edge id.
  int add_edge(VertexId a, VertexId b, LinkKind kind, double bandwidth_bytes_per_s, double latency_s);
  /// Directed link id for traversing edge `edge_id` starting from vertex `from`.
  int directed(int edge_id, VertexId from) const;
  void add_hop(Route& route, int edge_id, VertexId from) const;

  FabricGraph graph_;
  std::vector<VertexId> gpus_;
  std::vector<FabricGraph::edge_descriptor> edges_;
  int gpus_per_node_ = 1;
};

/// Deterministic mix of three values (for ECMP path choice): same inputs, same path, any platform.
std::uint64_t mix_hash(std::uint64_t a, std::uint64_t b, std::uint64_t c);

} // namespace dcsim
