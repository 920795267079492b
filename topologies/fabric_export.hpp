// Writing a fabric for other tools: Graphviz DOT and GraphML (yEd, Gephi, networkx).
#pragma once

#include "fabric.hpp"

#include <ostream>

namespace dcsim {

/// Vertices labelled with their names, edges with their kind and bandwidth (GB/s).
void write_dot(std::ostream& out, const Fabric& fabric);
/// Vertex attributes name and kind; edge attributes kind, bandwidth_bytes_per_s, latency_s, up.
void write_graphml(std::ostream& out, const Fabric& fabric);

} // namespace dcsim
