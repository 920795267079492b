#include "config/internal/readers.hpp"
#include "config/profile_loader.hpp"
#include "hardware/gpu_catalog.hpp"

#include "fat_tree.hpp"

namespace dcsim::internal {

namespace {

const NameTable<TopologyKind> kTopologies = {{"fat-tree", TopologyKind::FatTree},
                                             {"rail-optimized", TopologyKind::RailOptimized},
                                             {"dragonfly", TopologyKind::Dragonfly},
                                             {"torus", TopologyKind::Torus},
                                             {"file", TopologyKind::File}};

const NameTable<RoutingKind> kRouting = {{"dmodk", RoutingKind::DModK}, {"ecmp", RoutingKind::Ecmp}};

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

NodeConfig read_node(MapReader node)
{
  NodeConfig out;
  out.gpu = read_gpu(node);
  out.gpus = static_cast<int>(node.integer("gpus", 8));
  if (auto up = node.child("scale_up")) {
    out.scale_up.bandwidth_bytes_per_s = up->quantity("bandwidth", Dimension::BytesPerSecond);
    out.scale_up.latency_s = up->quantity("latency", Dimension::Seconds, 1e-6, true);
    up->finish();
  } else {
    node.error("scale_up", "is missing; expected {bandwidth: ..., latency: ...} per GPU through the node switch");
  }
  if (auto nics = node.child("nics")) {
    out.nics.count = static_cast<int>(nics->integer("count", out.gpus));
    out.nics.bandwidth_bytes_per_s = nics->quantity("bandwidth", Dimension::BytesPerSecond);
    out.nics.latency_s = nics->quantity("latency", Dimension::Seconds, 1e-6, true);
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

FabricConfig read_fabric(MapReader fabric)
{
  FabricConfig out;
  out.topology = fabric.choice("topology", kTopologies, TopologyKind::FatTree);
  if (out.topology != TopologyKind::FatTree)
    fabric.error("topology", "is not simulated yet (only fat-tree is); expected fat-tree");
  out.tiers = static_cast<int>(fabric.integer("tiers", 2));
  out.radix = static_cast<int>(fabric.integer("radix", 0, 0));
  out.oversubscription = fabric.number("oversubscription", 1.0, 0.01, 1000.0);
  out.link_latency_s = fabric.quantity("link_latency", Dimension::Seconds, 600e-9, true);
  out.link_bandwidth_bytes_per_s = fabric.quantity("link_bandwidth", Dimension::BytesPerSecond, 0.0, true);
  out.routing = fabric.choice("routing", kRouting, RoutingKind::DModK);
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
  FatTreeParams p;
  p.nodes = c.nodes;
  p.gpus_per_node = c.node.gpus;
  p.nics_per_node = c.node.nics.count;
  p.nic_bandwidth_bytes_per_s = c.node.nics.bandwidth_bytes_per_s;
  p.tiers = c.fabric.tiers;
  p.radix = c.fabric.radix;
  p.oversubscription = c.fabric.oversubscription;
  const FatTreeShape shape = FatTreeShape::plan(p);
  if (!shape.error.empty())
    where.error(c.fabric.radix > 0 ? "radix" : "tiers", shape.error);
}

} // namespace

ClusterConfig read_cluster(MapReader& cluster, Diagnostics& diagnostics)
{
  ClusterConfig out;
  const size_t errors_before = diagnostics.size();
  out.nodes = static_cast<int>(cluster.integer("nodes"));
  if (auto node = cluster.child("node"))
    out.node = read_node(*node);
  else
    cluster.error("node", "is missing; expected the node description (gpu, gpus, scale_up, nics)");
  std::optional<MapReader> fabric = cluster.child("fabric");
  if (fabric)
    out.fabric = read_fabric(*fabric);
  if (auto storage = cluster.child("storage")) {
    out.storage.servers = static_cast<int>(storage->integer("servers", 1));
    out.storage.bandwidth_per_server_bytes_per_s = storage->quantity("bandwidth_per_server", Dimension::BytesPerSecond);
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
