#include "platform/platform.hpp"

#include "platform/fabric_builder.hpp"
#include "platform/fabric_zone.hpp"
#include "platform/sim_links.hpp"

#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/NetZone.hpp>

#include <stdexcept>

namespace sg4 = simgrid::s4u;

namespace dcsim {

Platform::Platform(const ClusterConfig& cluster, std::uint64_t seed)
    : fabric_(dcsim::build_fabric(cluster)), locality_(node_locality(*fabric_)), seed_(seed),
      in_network_reduction_(cluster.fabric.in_network_reduction)
{
  auto* root = sg4::create_empty_zone("datacenter");
  auto* zone = new FabricZone("fabric", *fabric_, seed); // owned by SimGrid once parented
  sg4::NetZone* iface = zone->get_iface();
  iface->set_parent(root);
  hosts_.reserve(fabric_->gpu_count());
  for (int g = 0; g < fabric_->gpu_count(); ++g)
    hosts_.push_back(iface->create_host("gpu" + std::to_string(g), kWorkPerSecond));
  for (int s = 0; s < fabric_->storage_count(); ++s)
    storage_hosts_.push_back(iface->create_host("storage" + std::to_string(s), kWorkPerSecond));
  // Created last: FabricZone reads a netpoint id past the storage servers as (queue pair, GPU).
  hashed_qps_ = routes_by_flow_hash(cluster.fabric) ? cluster.fabric.qps_per_pair : 1;
  qp_hosts_.reserve(static_cast<size_t>(hashed_qps_ - 1) * hosts_.size());
  for (int q = 1; q < hashed_qps_; ++q)
    for (int g = 0; g < fabric_->gpu_count(); ++g)
      qp_hosts_.push_back(iface->create_host("gpu" + std::to_string(g) + ".qp" + std::to_string(q), kWorkPerSecond));
  SimLinks sim = merge_links(*fabric_);
  std::vector<sg4::Link*> links;
  links.reserve(sim.bandwidth_bytes_per_s.size());
  for (size_t l = 0; l < sim.bandwidth_bytes_per_s.size(); ++l)
    links.push_back(iface->create_link("l" + std::to_string(l), sim.bandwidth_bytes_per_s[l])->seal());
  zone->set_links(std::move(links), sim.of_link);
  sim_link_of_ = std::move(sim.of_link);
  sim_link_bandwidth_bytes_per_s_ = std::move(sim.bandwidth_bytes_per_s);
  iface->seal();
  root->seal();
}

Route Platform::route(int src, int dst, int qp) const
{
  return fabric_->route(src, dst, queue_pair_hash(src, dst, qp, seed_));
}

Route Platform::storage_route(int gpu, int server, bool to_gpu) const
{
  // As FabricZone hashes it: storage servers' netpoints come after the GPUs'.
  const int storage = fabric_->gpu_count() + server;
  const std::uint64_t hash = to_gpu ? queue_pair_hash(storage, gpu, 0, seed_) : queue_pair_hash(gpu, storage, 0, seed_);
  return fabric_->route_storage(gpu, server, hash, to_gpu);
}

SimRoute Platform::sim_route(int src, int dst, int qp) const
{
  SimRoute out;
  for_each_sim_link(route(src, dst, qp), sim_link_of_, [&](int link) { out.links[out.hops++] = link; });
  return out;
}

double Platform::route_latency_s(int src, int dst) const { return route(src, dst).latency_s; }

} // namespace dcsim
