// A fabric described by a file: one row per host (node) naming the switch it hangs from at every
// tier, top tier first (the format of Alibaba's Lingjun topology: ip,DSW,PSW,ASW). A switch is
// identified by its name and the names above it, so "S14" under P10 and "S14" under P12 are two
// switches. Hosts' NICs connect to their bottom-tier switch, each switch to the one above it.
// Routing takes shortest paths (ECMP by flow hash where several exist).
#pragma once

#include "fabric.hpp"

#include <string>
#include <vector>

namespace dcsim {

struct FileFabricParams {
  NodeParams nodes;
  std::vector<std::string> tier_names;             ///< top tier first
  std::vector<std::vector<std::string>> switches;  ///< per host, per tier
  double link_bandwidth_bytes_per_s = 0;       ///< switch-to-switch cables without a tier value
  std::vector<double> tier_bandwidth_bytes_per_s; ///< cables from tier t+1 up to tier t (top first), optional
  double link_latency_s = 0;
};

/// One problem in a topology file, at a 1-based line.
struct TopologyFileError {
  int line = 0;
  std::string message;
};

/// Reads a topology CSV (header: host column, then one column per tier, top first).
/// Problems are appended to `errors`; hosts with problems are skipped.
FileFabricParams read_topology_file(const std::string& path, std::vector<TopologyFileError>& errors);

class FileFabric : public Fabric {
public:
  explicit FileFabric(const FileFabricParams& params);
  std::string describe() const override;

protected:
  void route_network(Route& route, int src_nic, int dst_nic, std::uint64_t flow_hash) const override;

private:
  FileFabricParams params_;
  std::vector<std::vector<VertexId>> tiers_; ///< switches per tier, top first
};

} // namespace dcsim
