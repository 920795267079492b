// What `dcsim topology --json` writes and `dcsim.topology()` returns: the fabric's counts,
// bisection, hops and paths (topologies/fabric_analysis.hpp), and how its nodes group into leaf
// blocks and pods (topologies/node_locality.hpp).
#pragma once

#include "fabric.hpp"
#include "fabric_analysis.hpp"
#include "node_locality.hpp"

#include <nlohmann/json.hpp>

namespace dcsim {

/// From an analysis already made (analysing a 65,536-GPU fabric takes seconds).
nlohmann::json topology_json(const Fabric& fabric, const FabricSummary& summary, const NodeLocality& locality);
/// Analyses the fabric, then as above.
nlohmann::json topology_json(const Fabric& fabric);

} // namespace dcsim
