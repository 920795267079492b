#include "config/internal/readers.hpp"
#include "config/profile_loader.hpp"
#include "hardware/gpu_catalog.hpp"

#include "fabric.hpp"
#include "file_fabric.hpp"
#include "platform/fabric_builder.hpp"

#include <cmath>

namespace dcsim::internal {

namespace {

const NameTable<TopologyKind> kTopologies = {{"fat-tree", TopologyKind::FatTree},
                                             {"rail-optimized", TopologyKind::RailOptimized},
                                             {"dragonfly", TopologyKind::Dragonfly},
                                             {"torus", TopologyKind::Torus},
                                             {"file", TopologyKind::File}};

const NameTable<RoutingKind> kRouting = {
    {"dmodk", RoutingKind::DModK}, {"ecmp", RoutingKind::Ecmp}, {"adaptive", RoutingKind::Adaptive}};

GpuSpec read_inline_gpu(MapReader gpu)
{
  GpuSpec spec;
  spec.name = gpu.text("name", "custom-gpu");
  spec.peak_bf16_flop_per_s = gpu.quantity("peak_bf16", Dimension::FlopPerSecond);
  spec.peak_fp16_flop_per_s = gpu.quantity("peak_fp16", Dimension::FlopPerSecond, spec.peak_bf16_flop_per_s);
  spec.peak_fp8_flop_per_s = gpu.quantity("peak_fp8", Dimension::FlopPerSecond, 0.0, true);
  spec.peak_tf32_flop_per_s = gpu.quantity("peak_tf32", Dimension::FlopPerSecond, spec.peak_bf16_flop_per_s / 2);
  spec.hbm_bytes = gpu.quantity("hbm_bytes", Dimension::Bytes);
  spec.hbm_bandwidth_bytes_per_s = gpu.quantity("hbm_bandwidth", Dimension::BytesPerSecond);
  spec.sm_count = static_cast<int>(gpu.integer("sm_count", 132));
  spec.tdp_watts = gpu.number("tdp_watts", 700, 1, 1e5);
  spec.default_profile = gpu.text("profile", "h100-sxm");
  spec.host_link_bytes_per_s = gpu.quantity("host_link_bandwidth", Dimension::BytesPerSecond, kPcieGen5BytesPerS);
  spec.source = "inline spec in the scenario";
  gpu.finish();
  return spec;
}

GpuSpec read_gpu(MapReader& node)
{
  const YAML::Node gpu = node.raw("gpu");
  if (gpu.IsMap())
    return read_inline_gpu(MapReader(gpu, node.path_of("gpu"), node.context()));
  if (!gpu.IsDefined() || !gpu.IsScalar()) {
    node.error("gpu", "is missing; expected a catalog name (" + join_choices(gpu_names()) + ") or an inline spec");
    return {};
  }
  const std::string name = gpu.Scalar();
  if (auto spec = find_gpu(name))
    return *spec;
  std::string message = "unknown GPU \"" + name + "\"";
  const std::string near = closest_name(name, gpu_names());
  if (!near.empty())
    message += " (did you mean \"" + near + "\"?)";
  node.error("gpu", message + "; expected " + join_choices(gpu_names()) + " or an inline spec");
  return {};
}

/// A link's latency: network latencies are nanoseconds to milliseconds, so more than a second is
/// a unit slip ("2" for "2us"), which would otherwise make every collective take seconds.
double link_latency(MapReader& reader, const std::string& key, double fallback_s)
{
  return reader.quantity_at_most(key, Dimension::Seconds, fallback_s, true, 1.0, "1s",
                                 "a link latency; did you mean microseconds, e.g. \"2us\"?");
}

/// The slowest link dcsim takes: 1 Mb/s. Slower is a unit slip ("7" is 7 bytes/s), which would
/// stretch one iteration over years and end as a million failures or the 10-year limit.
constexpr double kMinLinkBytesPerS = 1e6 / 8;
const char* const kSlowLinkWhy = "a link's bandwidth; plain numbers are bytes/s, did you mean e.g. \"400Gb/s\"?";

double link_bandwidth(MapReader& reader, const std::string& key, std::optional<double> fallback = std::nullopt)
{
  return reader.quantity_at_least(key, Dimension::BytesPerSecond, fallback, kMinLinkBytesPerS, "1Mb/s", kSlowLinkWhy);
}

NodeConfig read_node(MapReader node)
{
  NodeConfig out;
  out.gpu = read_gpu(node);
  out.gpus = static_cast<int>(node.integer("gpus", 8));
  if (auto up = node.child("scale_up")) {
    out.scale_up.bandwidth_bytes_per_s = link_bandwidth(*up, "bandwidth");
    out.scale_up.latency_s = link_latency(*up, "latency", 1e-6);
    out.scale_up_domain_gpus = static_cast<int>(up->integer("domain", out.gpus));
    if (out.scale_up_domain_gpus % out.gpus != 0)
      up->error("domain", std::to_string(out.scale_up_domain_gpus) + " GPUs is not a whole number of " +
                              std::to_string(out.gpus) + "-GPU nodes; expected a multiple of gpus");
    up->finish();
  } else {
    node.error("scale_up", "is missing; expected {bandwidth: ..., latency: ...} per GPU through the node switch");
  }
  if (auto nics = node.child("nics")) {
    out.nics.count = static_cast<int>(nics->integer("count", out.gpus));
    out.nics.bandwidth_bytes_per_s = link_bandwidth(*nics, "bandwidth");
    out.nics.latency_s = link_latency(*nics, "latency", 1e-6);
    nics->finish();
    if (out.gpus % out.nics.count != 0 && out.nics.count % out.gpus != 0)
      node.error("nics", std::to_string(out.nics.count) + " NICs cannot be shared evenly by " +
                             std::to_string(out.gpus) + " GPUs; expected a divisor or multiple of gpus");
  } else {
    node.error("nics", "is missing; expected {count: ..., bandwidth: ..., latency: ...}");
  }
  node.finish();
  return out;
}

std::vector<double> number_list(MapReader& reader, const std::string& key, double min_value)
{
  const YAML::Node node = reader.raw(key);
  std::vector<double> values;
  const auto read_one = [&](const YAML::Node& item) {
    double v = 0;
    try {
      v = item.as<double>();
    } catch (const YAML::Exception&) {
      reader.error(key, "\"" + (item.IsScalar() ? item.Scalar() : std::string("?")) +
                            "\" is not a number; expected numbers >= " + plain_number(min_value));
      return;
    }
    if (!(v >= min_value)) // also NaN
      reader.error(key, item.Scalar() + " is out of range; expected numbers >= " + plain_number(min_value));
    values.push_back(v);
  };
  if (node.IsSequence())
    for (const auto& item : node)
      read_one(item);
  else if (node.IsScalar())
    read_one(node);
  return values;
}

void read_fat_tree(MapReader& fabric, FatTreeConfig& out)
{
  out.tiers = static_cast<int>(fabric.integer("tiers", 2));
  out.radix = static_cast<int>(fabric.integer("radix", 0, 0, Fabric::kMaxSwitchRadix));
  if (fabric.has("oversubscription")) {
    const auto ratios = number_list(fabric, "oversubscription", 0.01);
    if (ratios.size() > 2)
      fabric.error("oversubscription", "has " + std::to_string(ratios.size()) +
                                           " values; expected one ratio or [leaf, aggregation]");
    if (!ratios.empty())
      out.oversubscription = ratios[0];
    if (ratios.size() > 1)
      out.spine_oversubscription = ratios[1];
  }
}

void read_dragonfly(MapReader& fabric, DragonflyConfig& out)
{
  out.groups = static_cast<int>(fabric.integer("groups", std::nullopt, 2));
  out.routers_per_group = static_cast<int>(fabric.integer("routers_per_group"));
  out.nodes_per_router = static_cast<int>(fabric.integer("nodes_per_router"));
  out.global_links_per_router = static_cast<int>(fabric.integer("global_links_per_router"));
  // Absent: the fabric's link bandwidth (0 stands for that in the struct; a written 0 is an error).
  out.global_link_bandwidth_bytes_per_s = link_bandwidth(fabric, "global_link_bandwidth", 0.0);
}

void read_torus(MapReader& fabric, TorusConfig& out)
{
  for (double d : number_list(fabric, "dimensions", 1)) {
    if (d != std::floor(d) || d > Fabric::kMaxRouters)
      fabric.error("dimensions", plain_number(d) + " is not a router count; expected whole numbers from 1 to " +
                                     std::to_string(Fabric::kMaxRouters));
    else
      out.dimensions.push_back(static_cast<int>(d));
  }
  if (out.dimensions.size() < 2 || out.dimensions.size() > 3)
    fabric.error("dimensions", "has " + std::to_string(out.dimensions.size()) +
                                   " values; expected 2 or 3 router counts, e.g. [8, 8, 16]");
  // The longest shortest route crosses half of each ring, plus the GPU-NIC-router cables at
  // both ends; routes hold at most Route::kMaxHops links (found by fuzzing: [4000, 4, 4]).
  int longest = 4;
  for (int d : out.dimensions)
    longest += d / 2;
  if (longest > Route::kMaxHops)
    fabric.error("dimensions", "make routes of up to " + std::to_string(longest) + " links (half of each ring, plus " +
                                   "4 at the ends); expected at most " + std::to_string(Route::kMaxHops) +
                                   ": smaller rings, e.g. a third dimension");
  out.nodes_per_router = static_cast<int>(fabric.integer("nodes_per_router", 1));
}

void read_topology_file_key(MapReader& fabric, FileTopologyConfig& out)
{
  const std::string name = fabric.text("file");
  if (name.empty())
    return;
  out.path = resolve_path(name, fabric.context().file);
  if (out.path.empty()) {
    fabric.error("file", "topology file \"" + name + "\" not found; expected a CSV of host,tier...,tor rows");
    fabric.has("tier_bandwidth"); // checked against the file's tiers: not an unknown key without it
    return;
  }
  std::vector<TopologyFileError> errors;
  FileFabricParams parsed = read_topology_file(out.path, errors);
  for (const auto& e : errors)
    fabric.context().diagnostics->add({out.path, e.line, e.line > 0 ? 1 : 0}, "", e.message);
  out.tier_names = std::move(parsed.tier_names);
  out.switches = std::move(parsed.switches);
  if (fabric.has("tier_bandwidth")) {
    const YAML::Node list = fabric.raw("tier_bandwidth");
    if (!list.IsSequence() || (!out.tier_names.empty() && list.size() + 1 != out.tier_names.size())) {
      fabric.error("tier_bandwidth", "expected a list of " + std::to_string(out.tier_names.size() - 1) +
                                         " bandwidths, one per cable tier from the top");
      return;
    }
    for (const auto& item : list) {
      try {
        const double bytes_per_s = parse_quantity(item.Scalar(), Dimension::BytesPerSecond);
        if (bytes_per_s < kMinLinkBytesPerS)
          fabric.error("tier_bandwidth", "\"" + item.Scalar() + "\" is less than 1Mb/s (" + kSlowLinkWhy +
                                             "); expected at least 1Mb/s");
        out.tier_bandwidth_bytes_per_s.push_back(bytes_per_s);
      } catch (const UnitError& e) {
        fabric.error("tier_bandwidth", e.what());
      }
    }
  }
}

/// `down: [SWITCH, [END, END], ...]`: switches and cables out of service. The names are checked
/// against the fabric when it is built (build_fabric).
void read_down(MapReader& fabric, FabricConfig& out)
{
  if (!fabric.has("down"))
    return;
  const YAML::Node list = fabric.raw("down");
  const std::string expected = "; expected a list of switch names and [END, END] cables, e.g. [spine0, [leaf1, spine2]]";
  if (!list.IsSequence()) {
    fabric.error("down", "is not a list" + expected);
    return;
  }
  out.down_location = fabric.location_of("down");
  for (const auto& item : list) {
    if (item.IsScalar() && !item.Scalar().empty()) {
      out.down.push_back({item.Scalar(), ""});
    } else if (item.IsSequence() && item.size() == 2 && item[0].IsScalar() && item[1].IsScalar()) {
      out.down.push_back({item[0].Scalar(), item[1].Scalar()});
    } else {
      fabric.error("down", "has an item that is neither a name nor a pair of names" + expected);
      return;
    }
  }
}

/// `degraded: [{cable: NAME | [END, END], fraction: F | bandwidth: RATE}, ...]`. The names are
/// checked against the fabric when it is built (build_fabric), each at its item's line.
void read_degraded(MapReader& fabric, FabricConfig& out)
{
  if (!fabric.has("degraded"))
    return;
  const YAML::Node list = fabric.raw("degraded");
  if (!list.IsSequence()) {
    fabric.error("degraded", "is not a list; expected items {cable: NAME or [END, END], fraction: F or bandwidth: RATE}");
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    MapReader item(list[i], fabric.path_of("degraded") + "." + std::to_string(i), fabric.context());
    FabricConfig::Degraded d;
    d.key_path = item.path_of("cable");
    d.location = item.location_of("cable");
    const bool named = item.has("cable");
    const YAML::Node cable = named ? item.raw("cable") : YAML::Node();
    if (named && cable.IsScalar() && !cable.Scalar().empty()) {
      d.a = cable.Scalar();
    } else if (named && cable.IsSequence() && cable.size() == 2 && cable[0].IsScalar() && cable[1].IsScalar()) {
      d.a = cable[0].Scalar(), d.b = cable[1].Scalar();
    } else {
      item.error("cable", std::string(named ? "is neither a name nor a pair of names" : "is missing") +
                              "; expected a switch or NIC name (spine3, node5.nic2) or the ends of a cable [leaf0, spine1]");
    }
    const std::string expected = "; expected one of them: fraction of the cable's rate (0.5) or its new rate (200Gb/s)";
    if (item.has("fraction") && item.has("bandwidth"))
      item.error("bandwidth", "is given with fraction" + expected);
    else if (item.has("bandwidth"))
      d.bandwidth_bytes_per_s = link_bandwidth(item, "bandwidth");
    else if (item.has("fraction"))
      d.fraction = item.number("fraction", std::nullopt, 0.001, 1.0);
    else
      item.error("fraction", "is missing, and so is bandwidth" + expected);
    item.finish();
    out.degraded.push_back(d);
  }
}

/// Each queue pair beyond the first costs a SimGrid host per GPU (platform/platform.hpp); NCCL
/// itself allows 128 per connection, but past a few dozen per pair the hashed paths are already
/// as even as adaptive routing.
constexpr long long kMaxQpsPerPair = 32;

FabricConfig read_fabric(MapReader fabric)
{
  FabricConfig out;
  out.topology = fabric.choice("topology", kTopologies, TopologyKind::FatTree);
  out.link_latency_s = link_latency(fabric, "link_latency", 600e-9);
  // Absent: the NIC bandwidth (0 stands for that in the struct; a written 0 is an error).
  out.link_bandwidth_bytes_per_s = link_bandwidth(fabric, "link_bandwidth", 0.0);
  out.routing = fabric.choice("routing", kRouting, RoutingKind::DModK);
  // Dragonflies and tori route minimally by flow hash; their adaptive routing (UGAL, Valiant)
  // also takes longer paths, which trunks of equal members cannot describe.
  const bool clos = out.topology == TopologyKind::FatTree || out.topology == TopologyKind::RailOptimized;
  if (out.routing == RoutingKind::Adaptive && !clos)
    fabric.error("routing", "adaptive is modelled on fat-tree and rail-optimized fabrics only; expected dmodk or "
                            "ecmp (this topology routes shortest paths by flow hash either way)");
  out.qps_per_pair = static_cast<int>(fabric.integer("qps_per_pair", 2, 1, kMaxQpsPerPair));
  out.in_network_reduction = fabric.boolean("in_network_reduction", false);
  if (out.in_network_reduction && !clos)
    fabric.error("in_network_reduction", "is modelled on fat-tree and rail-optimized fabrics only (SHARP's "
                                         "reduction trees); expected false for this topology");
  switch (out.topology) {
    case TopologyKind::FatTree:
      read_fat_tree(fabric, out.fat_tree);
      break;
    case TopologyKind::RailOptimized:
      out.rail.rail_group_nodes = static_cast<int>(fabric.integer("rail_group", 32));
      out.fat_tree.radix = static_cast<int>(fabric.integer("radix", 64, 2, Fabric::kMaxSwitchRadix));
      out.rail.oversubscription = fabric.number("oversubscription", 1.0, 0.01, 1000.0);
      break;
    case TopologyKind::Dragonfly:
      read_dragonfly(fabric, out.dragonfly);
      break;
    case TopologyKind::Torus:
      read_torus(fabric, out.torus);
      break;
    case TopologyKind::File:
      read_topology_file_key(fabric, out.file);
      break;
  }
  read_down(fabric, out);
  read_degraded(fabric, out);
  fabric.finish();
  return out;
}

GpuProfile read_profile(MapReader& cluster, const GpuSpec& gpu)
{
  Diagnostics& diagnostics = *cluster.context().diagnostics;
  if (cluster.has("calibration")) {
    const std::string name = cluster.text("calibration");
    if (auto builtin = builtin_profile(name))
      return *builtin;
    const std::string path = resolve_path(name, cluster.context().file);
    if (path.empty()) {
      cluster.error("calibration", "file \"" + name + "\" not found; expected a profile file or one of " +
                                       join_choices(builtin_profile_names()));
      return {};
    }
    return load_profile_file(path, diagnostics);
  }
  if (auto builtin = builtin_profile(gpu.default_profile))
    return *builtin;
  cluster.error("calibration", "no shipped profile \"" + gpu.default_profile + "\" for " + gpu.name +
                                   "; expected calibration: PROFILE.yaml");
  return {};
}

void check_fabric_fits(MapReader& where, const ClusterConfig& c)
{
  const std::string error = check_fabric(c);
  if (!error.empty()) {
    const bool fat_tree = c.fabric.topology == TopologyKind::FatTree;
    where.error(fat_tree ? (c.fabric.fat_tree.radix > 0 ? "radix" : "tiers") : "topology", error);
    return;
  }
  // The switches and cables `down` and `degraded` name exist only once the fabric is built: build
  // it now, so that `dcsim validate` reports a wrong name as `run` would (only when there are names).
  if (c.fabric.down.empty() && c.fabric.degraded.empty())
    return;
  try {
    build_fabric(c);
  } catch (const ScenarioError& e) {
    for (const Diagnostic& d : e.diagnostics())
      where.context().diagnostics->add(d.location, d.key_path, d.message);
  }
}

// Beyond these sizes a platform takes minutes and gigabytes to build (a 262,144-GPU 3-tier
// fat-tree: ~2 min for `dcsim topology` on 2 cores), so a typo such as `gpus: 80000` is refused
// at once instead of looking like a hang.
constexpr long long kMaxClusterGpus = 262144;
constexpr long long kMaxStorageServers = 65536;

void check_cluster_size(MapReader& cluster, const ClusterConfig& c)
{
  const long long gpus = static_cast<long long>(c.nodes) * c.node.gpus;
  if (gpus > kMaxClusterGpus)
    cluster.error("nodes", std::to_string(c.nodes) + " nodes x " + std::to_string(c.node.gpus) + " GPUs = " +
                               std::to_string(gpus) + " GPUs is more than dcsim simulates; expected at most " +
                               std::to_string(kMaxClusterGpus) + " GPUs");
}

} // namespace

ClusterConfig read_cluster(MapReader& cluster, Diagnostics& diagnostics)
{
  ClusterConfig out;
  const size_t errors_before = diagnostics.size();
  std::optional<MapReader> fabric = cluster.child("fabric");
  if (fabric)
    out.fabric = read_fabric(*fabric);
  // A file-described fabric says how many hosts there are. One that could not be read has been
  // reported already; then a missing `nodes` is not a second error.
  const auto hosts_in_file = static_cast<long long>(out.fabric.file.switches.size());
  const bool file_unread = out.fabric.topology == TopologyKind::File && hosts_in_file == 0;
  out.nodes = static_cast<int>(cluster.integer(
      "nodes", hosts_in_file > 0 ? std::optional<long long>(hosts_in_file)
               : file_unread     ? std::optional<long long>(1)
                                 : std::nullopt));
  if (auto node = cluster.child("node"))
    out.node = read_node(*node);
  else
    cluster.error("node", "is missing; expected the node description (gpu, gpus, scale_up, nics)");
  check_cluster_size(cluster, out);
  if (auto storage = cluster.child("storage")) {
    out.storage.servers = static_cast<int>(storage->integer("servers", 1, 1, kMaxStorageServers));
    out.storage.bandwidth_per_server_bytes_per_s = link_bandwidth(*storage, "bandwidth_per_server");
    if (auto network = storage->child("network")) {
      out.storage.network.nics = static_cast<int>(network->integer("nics", 1, 1, 64));
      out.storage.network.nic_bandwidth_bytes_per_s = link_bandwidth(*network, "bandwidth");
      out.storage.network.latency_s = link_latency(*network, "latency", 1e-6);
      network->finish();
    }
    storage->finish();
  }
  if (diagnostics.size() == errors_before) {
    out.profile = read_profile(cluster, out.node.gpu);
    check_fabric_fits(fabric ? *fabric : cluster, out);
  } else {
    cluster.raw("calibration");
  }
  return out;
}

} // namespace dcsim::internal
