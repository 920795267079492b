// Figures of a fabric that buyers compare: element counts, bisection bandwidth, diameter,
// average path length and ECMP path diversity.
//
// Bisection bandwidth is the maximum flow (push-relabel) from the first half of the NICs (by
// index: the first half of the nodes) to the second half, per direction, through the network
// cables; for fat-trees this is the textbook bisection. Hop counts are cables on a GPU-to-GPU
// route between nodes: GPU-NIC, NIC-switch, the switch path, switch-NIC, NIC-GPU. ECMP diversity
// is the number of distinct shortest switch paths between two NIC-attached switches.
#pragma once

#include "fabric.hpp"

#include <map>
#include <string>

namespace dcsim {

struct FabricSummary {
  int gpus = 0;
  int nodes = 0;
  int nics = 0;
  int switches = 0;                          ///< network switches (scale-up switches counted apart)
  std::map<std::string, int> vertices_by_kind;
  int links = 0;                             ///< cables (each full duplex)
  std::map<std::string, int> links_by_kind;
  double bisection_bandwidth_bytes_per_s = 0;
  int diameter_hops = 0;
  double average_hops = 0;
  double ecmp_paths_min = 0, ecmp_paths_mean = 0, ecmp_paths_max = 0;
  int routes_checked = 0;      ///< GPU -> same GPU of the next node, through route()
  int routes_not_shortest = 0; ///< of those, longer than the shortest path in the graph
};

struct AnalysisOptions {
  bool bisection = true;
  int max_bfs_sources = 4096; ///< NIC-attached switches used as sources for hop statistics
};

FabricSummary analyse_fabric(const Fabric& fabric, const AnalysisOptions& options = {});

/// Maximum flow between two NIC sets (per direction), through network cables that are up.
double max_flow_between(const Fabric& fabric, const std::vector<int>& from_nics, const std::vector<int>& to_nics);

} // namespace dcsim
