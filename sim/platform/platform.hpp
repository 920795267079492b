// The simulated datacenter: a Fabric (graph + routing) and its SimGrid twin (hosts and links).
//
// One host per GPU, named "gpu<i>", with its speed set so that an Exec of `seconds * kWorkPerSecond`
// flops lasts `seconds`. Must be built after the SimGrid engine and before it runs.
#pragma once

#include "config/scenario_config.hpp"
#include "fabric.hpp"
#include "node_locality.hpp"

#include <simgrid/s4u/Host.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace dcsim {

class Platform {
public:
  /// Work units per simulated second on every GPU host (large, so SimGrid's absolute work
  /// precision of 1e-5 units is negligible).
  static constexpr double kWorkPerSecond = 1e15;

  Platform(const ClusterConfig& cluster, std::uint64_t seed);

  const Fabric& fabric() const { return *fabric_; }
  /// Which nodes share a leaf block or a pod (for placing jobs and reporting where they ran).
  const NodeLocality& locality() const { return locality_; }
  simgrid::s4u::Host* gpu_host(int gpu) const { return hosts_[gpu]; }
  /// Storage server hosts (named "storage<i>"), after the GPUs.
  simgrid::s4u::Host* storage_host(int server) const { return storage_hosts_[server]; }
  int storage_count() const { return static_cast<int>(storage_hosts_.size()); }
  int gpu_count() const { return static_cast<int>(hosts_.size()); }
  /// Whether two GPUs share a scale-up (NVLink) domain.
  bool same_domain(int a, int b) const { return fabric_->same_domain(a, b); }
  /// Summed latency of the route SimGrid will use between two GPUs.
  double route_latency_s(int src, int dst) const;
  /// The route SimGrid will use between two GPUs.
  Route route(int src, int dst) const;
  /// Takes a cable down or up: flows started afterwards are routed around it (flows already in
  /// flight keep their path).
  void set_cable_up(int edge_id, bool up) { fabric_->set_edge_up(edge_id, up); }

private:
  std::unique_ptr<Fabric> fabric_;
  NodeLocality locality_;
  std::uint64_t seed_;
  std::vector<simgrid::s4u::Host*> hosts_;
  std::vector<simgrid::s4u::Host*> storage_hosts_;
};

} // namespace dcsim
