// `dcsim topology SCENARIO [--json OUT] [--dot OUT] [--graphml OUT]`: describe and analyse the
// scenario's fabric without simulating anything.
#include "cli/commands.hpp"

#include "config/scenario_loader.hpp"
#include "fabric_analysis.hpp"
#include "fabric_export.hpp"
#include "node_locality.hpp"
#include "platform/fabric_builder.hpp"
#include "results/json_report.hpp"
#include "results/topology_report.hpp"
#include "units/units.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <fstream>
#include <stdexcept>

namespace dcsim::cli {

namespace {

/// How the nodes group under the fabric's switches (what topology-aware placement packs into).
struct LocalitySummary {
  int blocks = 0, pods = 0;
  int smallest_block = 0, largest_block = 0; ///< nodes
};

LocalitySummary summarize(const NodeLocality& l)
{
  std::vector<int> sizes(l.blocks, 0);
  for (int b : l.block)
    ++sizes[b];
  LocalitySummary s{l.blocks, l.pods, 0, 0};
  if (!sizes.empty()) {
    s.smallest_block = *std::min_element(sizes.begin(), sizes.end());
    s.largest_block = *std::max_element(sizes.begin(), sizes.end());
  }
  return s;
}

void write_text(const std::string& path, const std::function<void(std::ostream&)>& writer)
{
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out)
      throw std::runtime_error("cannot write " + path);
    writer(out);
    if (!out)
      throw std::runtime_error("cannot write " + path);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot write " + path);
}

} // namespace

int topology_command(const TopologyArgs& args)
{
  LoadOptions options;
  options.overrides = args.overrides;
  options.require_jobs = false;
  options.cluster_only = true;
  const ScenarioConfig config = load_scenario(args.scenario, options);
  const auto fabric = build_fabric(config.cluster);
  const FabricSummary s = analyse_fabric(*fabric);
  const NodeLocality locality = node_locality(*fabric);
  const LocalitySummary l = summarize(locality);
  if (!args.json_path.empty())
    write_json_file(args.json_path, topology_json(*fabric, s, locality));
  if (!args.dot_path.empty())
    write_text(args.dot_path, [&](std::ostream& o) { write_dot(o, *fabric); });
  if (!args.graphml_path.empty())
    write_text(args.graphml_path, [&](std::ostream& o) { write_graphml(o, *fabric); });
  std::printf("%s: %s\n", args.scenario.c_str(), fabric->describe().c_str());
  std::printf("  GPUs %d in %d nodes, %d NICs, %d switches (", s.gpus, s.nodes, s.nics, s.switches);
  bool first = true;
  for (const auto& [kind, count] : s.vertices_by_kind)
    if (kind != "gpu" && kind != "nic") {
      std::printf("%s%d %s", first ? "" : ", ", count, kind.c_str());
      first = false;
    }
  std::printf(")\n  cables %d (", s.links);
  first = true;
  for (const auto& [kind, count] : s.links_by_kind) {
    std::printf("%s%d %s", first ? "" : ", ", count, kind.c_str());
    first = false;
  }
  std::printf(")\n  bisection bandwidth %s per direction\n", format_rate(s.bisection_bandwidth_bytes_per_s).c_str());
  std::printf("  diameter %d hops, average %.2f hops between nodes\n", s.diameter_hops, s.average_hops);
  std::printf("  equal-cost paths between leaf switches: min %.0f, mean %.1f, max %.0f\n", s.ecmp_paths_min,
              s.ecmp_paths_mean, s.ecmp_paths_max);
  if (routes_by_flow_hash(config.cluster.fabric))
    std::printf("  flow hashing: each GPU pair's traffic over %d queue pair%s, each hashed onto its own path "
                "(cluster.fabric.qps_per_pair)\n",
                config.cluster.fabric.qps_per_pair, config.cluster.fabric.qps_per_pair == 1 ? "" : "s");
  std::printf("  routes checked (each GPU to its peer in the next node): %d, %d longer than shortest\n",
              s.routes_checked, s.routes_not_shortest);
  std::printf("  node locality: %d leaf blocks of %d-%d nodes in %d pod%s (scheduler.placement: topology_aware)\n",
              l.blocks, l.smallest_block, l.largest_block, l.pods, l.pods == 1 ? "" : "s");
  return 0;
}

} // namespace dcsim::cli
