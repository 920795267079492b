#include "fabric_export.hpp"

#include <boost/graph/graphml.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/property_map/function_property_map.hpp>

#include <cstdio>

namespace dcsim {

void write_dot(std::ostream& out, const Fabric& fabric)
{
  const auto& g = fabric.graph();
  boost::write_graphviz(
      out, g,
      [&](std::ostream& o, VertexId v) { o << "[label=\"" << g[v].name << "\",kind=\"" << to_string(g[v].kind) << "\"]"; },
      [&](std::ostream& o, FabricGraph::edge_descriptor e) {
        char bandwidth[32];
        std::snprintf(bandwidth, sizeof bandwidth, "%.4g", g[e].bandwidth_bytes_per_s / 1e9);
        o << "[label=\"" << bandwidth << " GB/s\",kind=\"" << to_string(g[e].kind) << "\""
          << (g[e].up ? "" : ",style=dashed") << "]";
      });
}

void write_graphml(std::ostream& out, const Fabric& fabric)
{
  const auto& g = fabric.graph();
  boost::dynamic_properties dp;
  dp.property("name", boost::make_function_property_map<VertexId>([&](VertexId v) { return g[v].name; }));
  dp.property("kind", boost::make_function_property_map<VertexId>(
                          [&](VertexId v) { return std::string(to_string(g[v].kind)); }));
  using Edge = FabricGraph::edge_descriptor;
  dp.property("link_kind", boost::make_function_property_map<Edge>(
                               [&](Edge e) { return std::string(to_string(g[e].kind)); }));
  dp.property("bandwidth_bytes_per_s",
              boost::make_function_property_map<Edge>([&](Edge e) { return g[e].bandwidth_bytes_per_s; }));
  dp.property("latency_s", boost::make_function_property_map<Edge>([&](Edge e) { return g[e].latency_s; }));
  dp.property("up", boost::make_function_property_map<Edge>([&](Edge e) { return g[e].up; }));
  boost::write_graphml(out, g, dp, true);
}

} // namespace dcsim
