// The simulated datacenter: a Fabric (graph + routing) and its SimGrid twin (hosts and links).
//
// One host per GPU, named "gpu<i>", with its speed set so that an Exec of `seconds * kWorkPerSecond`
// flops lasts `seconds`. Must be built after the SimGrid engine and before it runs.
//
// Queue pairs: where routes are chosen by flow hash (ECMP), two GPUs that talk over several queue
// pairs (`fabric.qps_per_pair`) spread them over as many hashed paths. SimGrid routes by host
// pair, so each queue pair beyond the first is a host of its own per GPU ("gpu<i>.qp<q>", same
// links as the GPU, another hash): a flow over q queue pairs is q flows, one between each pair
// of queue-pair hosts. Elsewhere (D-mod-K, adaptive routing, inside a node) every queue pair
// takes the same path, so a pair is one flow.
#pragma once

#include "config/scenario_config.hpp"
#include "fabric.hpp"
#include "node_locality.hpp"

#include <simgrid/s4u/Host.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace dcsim {

/// A route as the SimGrid links it crosses, in order, each once (sim_links.hpp).
struct SimRoute {
  std::array<int, Route::kMaxHops> links; ///< only the first `hops` are set
  int hops = 0;
};

class Platform {
public:
  /// Work units per simulated second on every GPU host (large, so SimGrid's absolute work
  /// precision of 1e-5 units is negligible).
  static constexpr double kWorkPerSecond = 1e15;

  Platform(const ClusterConfig& cluster, std::uint64_t seed);

  const Fabric& fabric() const { return *fabric_; }
  /// Which nodes share a leaf block or a pod (for placing jobs and reporting where they ran).
  const NodeLocality& locality() const { return locality_; }
  /// The host a GPU sends and receives on; `qp` > 0: its host for that queue pair.
  simgrid::s4u::Host* gpu_host(int gpu, int qp = 0) const
  {
    return qp == 0 ? hosts_[gpu] : qp_hosts_[(qp - 1) * hosts_.size() + gpu];
  }
  /// Queue pairs over which two GPUs' traffic takes hashed paths of its own: 1 inside a scale-up
  /// domain and where routing does not hash.
  int hashed_qps(int src, int dst) const { return same_domain(src, dst) ? 1 : hashed_qps_; }
  /// Whether any pair's traffic is split over queue pairs.
  bool splits_queue_pairs() const { return hashed_qps_ > 1; }
  /// Storage server hosts (named "storage<i>"), after the GPUs.
  simgrid::s4u::Host* storage_host(int server) const { return storage_hosts_[server]; }
  int storage_count() const { return static_cast<int>(storage_hosts_.size()); }
  int gpu_count() const { return static_cast<int>(hosts_.size()); }
  /// Whether the fabric's switches reduce (`fabric.in_network_reduction`: InfiniBand SHARP).
  bool in_network_reduction() const { return in_network_reduction_; }
  /// Whether two GPUs share a scale-up (NVLink) domain.
  bool same_domain(int a, int b) const { return fabric_->same_domain(a, b); }
  /// Summed latency of the route SimGrid will use between two GPUs.
  double route_latency_s(int src, int dst) const;
  /// The route SimGrid will use between two GPUs (on queue pair `qp`).
  Route route(int src, int dst, int qp = 0) const;
  /// The route SimGrid will use between GPU `gpu` and storage server `server`, towards the
  /// server or (`to_gpu`) from it.
  Route storage_route(int gpu, int server, bool to_gpu) const;
  /// The SimGrid links SimGrid will use between two GPUs: what shares bandwidth.
  SimRoute sim_route(int src, int dst, int qp = 0) const;
  int sim_link_count() const { return static_cast<int>(sim_link_bandwidth_bytes_per_s_.size()); }
  double sim_link_bandwidth_bytes_per_s(int link) const { return sim_link_bandwidth_bytes_per_s_[link]; }

private:
  std::unique_ptr<Fabric> fabric_;
  NodeLocality locality_;
  std::uint64_t seed_;
  bool in_network_reduction_ = false;
  std::vector<simgrid::s4u::Host*> hosts_;
  std::vector<simgrid::s4u::Host*> storage_hosts_;
  int hashed_qps_ = 1;
  std::vector<simgrid::s4u::Host*> qp_hosts_; ///< queue pair q >= 1 of GPU g at (q - 1) * gpus + g
  std::vector<int> sim_link_of_; ///< per directed fabric link
  std::vector<double> sim_link_bandwidth_bytes_per_s_;
};

} // namespace dcsim
