#include "fabric.hpp"

namespace dcsim {

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
  const auto [e, inserted] = boost::add_edge(a, b, FabricEdge{kind, bandwidth_bytes_per_s, latency_s, true, id}, graph_);
  (void)inserted;
  edges_.push_back(e);
  return id;
}

int Fabric::directed(int edge_id, VertexId from) const
{
  return 2 * edge_id + (boost::source(edges_[edge_id], graph_) == from ? 0 : 1);
}

void Fabric::add_hop(Route& route, int edge_id, VertexId from) const
{
  route.add(directed(edge_id, from), graph_[edges_[edge_id]].latency_s);
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
