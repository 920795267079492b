#include "platform/fabric_builder.hpp"

#include "dragonfly.hpp"
#include "fat_tree.hpp"
#include "file_fabric.hpp"
#include "rail_optimized.hpp"
#include "torus.hpp"

#include "config/scenario_error.hpp"
#include "units/units.hpp"

#include <optional>
#include <stdexcept>

namespace dcsim {

namespace {

NodeParams node_params(const ClusterConfig& c)
{
  NodeParams p;
  p.nodes = c.nodes;
  p.gpus_per_node = c.node.gpus;
  p.domain_gpus = c.node.scale_up_domain_gpus;
  p.scale_up_bandwidth_bytes_per_s = c.node.scale_up.bandwidth_bytes_per_s;
  p.scale_up_latency_s = c.node.scale_up.latency_s;
  p.nics_per_node = c.node.nics.count;
  p.nic_bandwidth_bytes_per_s = c.node.nics.bandwidth_bytes_per_s;
  p.nic_latency_s = c.node.nics.latency_s;
  return p;
}

/// Switch-to-switch bandwidth where nothing derives it: the configured one, else the NIC rate.
double link_bandwidth(const ClusterConfig& c)
{
  return c.fabric.link_bandwidth_bytes_per_s > 0 ? c.fabric.link_bandwidth_bytes_per_s
                                                 : c.node.nics.bandwidth_bytes_per_s;
}

UpPortChoice up_port_choice(RoutingKind routing)
{
  switch (routing) {
    case RoutingKind::DModK: return UpPortChoice::DModK;
    case RoutingKind::Ecmp: return UpPortChoice::Ecmp;
    case RoutingKind::Adaptive: return UpPortChoice::Adaptive;
  }
  return UpPortChoice::DModK;
}

FatTreeParams fat_tree_params(const ClusterConfig& c)
{
  FatTreeParams p;
  p.nodes = node_params(c);
  p.tiers = c.fabric.fat_tree.tiers;
  p.radix = c.fabric.fat_tree.radix;
  p.oversubscription = c.fabric.fat_tree.oversubscription;
  p.spine_oversubscription = c.fabric.fat_tree.spine_oversubscription;
  p.link_latency_s = c.fabric.link_latency_s;
  p.link_bandwidth_bytes_per_s = c.fabric.link_bandwidth_bytes_per_s;
  p.routing = up_port_choice(c.fabric.routing);
  return p;
}

RailOptimizedParams rail_params(const ClusterConfig& c)
{
  RailOptimizedParams p;
  p.nodes = node_params(c);
  p.rail_group_nodes = c.fabric.rail.rail_group_nodes;
  p.radix = c.fabric.fat_tree.radix > 0 ? c.fabric.fat_tree.radix : 64;
  p.oversubscription = c.fabric.rail.oversubscription;
  p.link_latency_s = c.fabric.link_latency_s;
  p.link_bandwidth_bytes_per_s = c.fabric.link_bandwidth_bytes_per_s;
  p.routing = up_port_choice(c.fabric.routing);
  return p;
}

DragonflyParams dragonfly_params(const ClusterConfig& c)
{
  const auto& d = c.fabric.dragonfly;
  DragonflyParams p;
  p.nodes = node_params(c);
  p.groups = d.groups;
  p.routers_per_group = d.routers_per_group;
  p.nodes_per_router = d.nodes_per_router;
  p.global_links_per_router = d.global_links_per_router;
  p.local_link_bandwidth_bytes_per_s = link_bandwidth(c);
  p.global_link_bandwidth_bytes_per_s =
      d.global_link_bandwidth_bytes_per_s > 0 ? d.global_link_bandwidth_bytes_per_s : link_bandwidth(c);
  p.link_latency_s = c.fabric.link_latency_s;
  return p;
}

TorusParams torus_params(const ClusterConfig& c)
{
  TorusParams p;
  p.nodes = node_params(c);
  p.dimensions = c.fabric.torus.dimensions;
  p.nodes_per_router = c.fabric.torus.nodes_per_router;
  p.link_bandwidth_bytes_per_s = link_bandwidth(c);
  p.link_latency_s = c.fabric.link_latency_s;
  return p;
}

FileFabricParams file_params(const ClusterConfig& c)
{
  FileFabricParams p;
  p.nodes = node_params(c);
  p.tier_names = c.fabric.file.tier_names;
  p.switches = c.fabric.file.switches;
  p.tier_bandwidth_bytes_per_s = c.fabric.file.tier_bandwidth_bytes_per_s;
  p.link_bandwidth_bytes_per_s = link_bandwidth(c);
  p.link_latency_s = c.fabric.link_latency_s;
  return p;
}

} // namespace

namespace {

std::unique_ptr<Fabric> build_network(const ClusterConfig& c)
{
  switch (c.fabric.topology) {
    case TopologyKind::FatTree: return std::make_unique<FatTree>(fat_tree_params(c));
    case TopologyKind::RailOptimized: return std::make_unique<RailOptimized>(rail_params(c));
    case TopologyKind::Dragonfly: return std::make_unique<Dragonfly>(dragonfly_params(c));
    case TopologyKind::Torus: return std::make_unique<Torus>(torus_params(c));
    case TopologyKind::File: return std::make_unique<FileFabric>(file_params(c));
  }
  throw std::invalid_argument("unknown topology");
}

} // namespace

namespace {

/// The cables a `down` or `degraded` item names: every cable of one vertex (a NIC's: its cable
/// to the switch), or every cable between two. Vertices are network switches, or with `nics`
/// NICs too; `fail` throws a ScenarioError at the item for a name that is neither, or for two
/// that no cable joins.
template <typename Fail>
std::vector<int> named_cables(const Fabric& fabric, const std::string& a, const std::string& b, bool nics, Fail fail)
{
  const auto vertex = [&](const std::string& name) {
    const std::optional<VertexId> v = fabric.find_vertex(name);
    const VertexKind kind = v ? fabric.graph()[*v].kind : VertexKind::Gpu;
    if (!v || !(Fabric::is_switch(kind) || (nics && kind == VertexKind::Nic)))
      fail("\"" + name + "\" is not a network switch" + (nics ? " or NIC" : "") + " of this fabric (" +
           fabric.describe() + "); expected " + (nics ? "a name" : "a switch's name") +
           " as `dcsim topology --dot` prints it, e.g. " + (nics ? "spine0, leaf1 or node0.nic0" : "leaf0 or spine0"));
    return *v;
  };
  const VertexId first = vertex(a);
  std::vector<int> cables;
  if (!b.empty()) {
    cables = fabric.edges_between(first, vertex(b));
    if (cables.empty())
      fail("no cable joins " + a + " and " + b + "; expected the two ends of a cable");
    return cables;
  }
  for (int edge : fabric.edges_of(first))
    if (fabric.edge(edge).kind != LinkKind::HostToNic) // a NIC's port is its cable to the switch
      cables.push_back(edge);
  return cables;
}

/// Takes `fabric.down`'s switches and cables out of service.
void take_down(Fabric& fabric, const FabricConfig& config)
{
  const auto fail = [&](const std::string& message) {
    throw ScenarioError({{config.down_location, "cluster.fabric.down", message}});
  };
  for (const FabricConfig::Down& d : config.down)
    for (int edge : named_cables(fabric, d.a, d.b, false, fail))
      fabric.set_edge_up(edge, false);
  // Routes go around lost spines, not around a node's only way in: refuse a loss that cuts nodes off.
  if (const int nic = fabric.first_cut_off_nic(); nic >= 0 && !config.down.empty())
    fail("cuts node " + std::to_string(fabric.node_of_nic(nic)) + " off the rest of the fabric (its NIC " +
         std::to_string(nic) + "'s switch is down or unreachable); expected switches and cables whose loss leaves "
         "every node's NICs connected");
}

/// Slows `fabric.degraded`'s cables to their fraction or rate.
void degrade(Fabric& fabric, const FabricConfig& config)
{
  for (const FabricConfig::Degraded& d : config.degraded) {
    const auto fail = [&](const std::string& message) {
      throw ScenarioError({{d.location, d.key_path, message}});
    };
    for (int edge : named_cables(fabric, d.a, d.b, true, fail)) {
      const double rate = fabric.edge(edge).bandwidth_bytes_per_s;
      if (d.fraction > 0) {
        fabric.set_edge_bandwidth(edge, rate * d.fraction);
        continue;
      }
      if (d.bandwidth_bytes_per_s > rate * (1 + 1e-12))
        fail("bandwidth " + format_rate(d.bandwidth_bytes_per_s) + " is above the rate of " + fabric.link_name(2 * edge) +
             ", " + format_rate(rate) + "; expected a degraded rate, at most the cable's");
      fabric.set_edge_bandwidth(edge, d.bandwidth_bytes_per_s);
    }
  }
}

} // namespace

std::unique_ptr<Fabric> build_fabric(const ClusterConfig& c)
{
  auto fabric = build_network(c);
  const StorageNetworkConfig& net = c.storage.network;
  fabric->add_storage(c.storage.servers, c.storage.bandwidth_per_server_bytes_per_s, c.fabric.link_latency_s,
                      StorageNetwork{net.nics, net.nic_bandwidth_bytes_per_s, net.latency_s});
  take_down(*fabric, c.fabric);
  degrade(*fabric, c.fabric);
  return fabric;
}

std::string storage_cut_off(const Fabric& fabric)
{
  const int server = fabric.first_cut_off_storage();
  if (server < 0)
    return "";
  return "cuts storage server " + std::to_string(server) + " off the nodes (it is cabled to " +
         fabric.graph()[fabric.storage_switch_of(server)].name +
         "), and checkpoints are written to every server; expected switches and cables whose loss leaves every "
         "storage server reachable, or a storage network of its own (cluster.storage.network)";
}

std::string check_fabric(const ClusterConfig& c)
{
  switch (c.fabric.topology) {
    case TopologyKind::FatTree: return FatTreeShape::plan(fat_tree_params(c)).error;
    case TopologyKind::RailOptimized: return RailOptimized::check(rail_params(c));
    case TopologyKind::Dragonfly: return Dragonfly::check(dragonfly_params(c));
    case TopologyKind::Torus: return Torus::check(torus_params(c));
    case TopologyKind::File:
      if (c.fabric.file.switches.size() != static_cast<size_t>(c.nodes))
        return "the topology file lists " + std::to_string(c.fabric.file.switches.size()) + " hosts but nodes is " +
               std::to_string(c.nodes) + "; expected nodes: " + std::to_string(c.fabric.file.switches.size());
      return "";
  }
  return "unknown topology";
}

} // namespace dcsim
