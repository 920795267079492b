#include "results/topology_report.hpp"

namespace dcsim {

nlohmann::json topology_json(const Fabric& fabric)
{
  return topology_json(fabric, analyse_fabric(fabric), node_locality(fabric));
}

nlohmann::json topology_json(const Fabric& fabric, const FabricSummary& s, const NodeLocality& locality)
{
  return {{"description", fabric.describe()},
          {"gpus", s.gpus},
          {"nodes", s.nodes},
          {"nics", s.nics},
          {"switches", s.switches},
          {"vertices_by_kind", s.vertices_by_kind},
          {"links", s.links},
          {"links_by_kind", s.links_by_kind},
          {"bisection_bandwidth_bytes_per_s", s.bisection_bandwidth_bytes_per_s},
          {"diameter_hops", s.diameter_hops},
          {"average_hops", s.average_hops},
          {"ecmp_paths", {{"min", s.ecmp_paths_min}, {"mean", s.ecmp_paths_mean}, {"max", s.ecmp_paths_max}}},
          {"routes_checked", s.routes_checked},
          {"routes_not_shortest", s.routes_not_shortest},
          {"leaf_blocks", locality.blocks},
          {"pods", locality.pods}};
}

} // namespace dcsim
