#include "platform/fabric_zone.hpp"

#include "platform/sim_links.hpp"

#include <simgrid/kernel/routing/NetPoint.hpp>

namespace dcsim {

std::uint64_t queue_pair_hash(int src, int dst, int qp, std::uint64_t seed)
{
  // Queue pair 0 keeps the hash routes had before queue pairs were modelled.
  return qp == 0 ? mix_hash(src, dst, seed) : mix_hash(src, dst, mix_hash(seed, qp, 0x51));
}

FabricZone::FabricZone(const std::string& name, const Fabric& fabric, std::uint64_t seed)
    : NetZoneImpl(name), fabric_(fabric), seed_(seed)
{
}

void FabricZone::set_links(std::vector<simgrid::s4u::Link*> links, std::vector<int> merged_of_link)
{
  merged_of_link_ = std::move(merged_of_link);
  links_.clear();
  links_.reserve(links.size());
  for (auto* link : links)
    links_.push_back(link->get_impl());
}

void FabricZone::get_local_route(const simgrid::kernel::routing::NetPoint* src,
                                 const simgrid::kernel::routing::NetPoint* dst, simgrid::kernel::routing::Route* route,
                                 double* /*latency*/)
{
  // Netpoints are created GPUs first, then storage servers, then queue-pair hosts.
  const int gpus = fabric_.gpu_count();
  const int first_qp_host = gpus + fabric_.storage_count();
  int qp = 0;
  auto endpoint = [&](const simgrid::kernel::routing::NetPoint* point) {
    const auto id = static_cast<int>(point->id());
    if (id < first_qp_host)
      return id;
    qp = (id - first_qp_host) / gpus + 1; // both ends of a flow are on the same queue pair
    return (id - first_qp_host) % gpus;
  };
  const int s = endpoint(src);
  const int d = endpoint(dst);
  const std::uint64_t hash = queue_pair_hash(s, d, qp, seed_);
  Route r;
  if (s < gpus && d < gpus)
    r = fabric_.route(s, d, hash);
  else if (s < gpus)
    r = fabric_.route_storage(s, d - gpus, hash, false);
  else if (d < gpus)
    r = fabric_.route_storage(d, s - gpus, hash, true);
  else
    throw std::invalid_argument("storage servers do not talk to each other");
  for_each_sim_link(r, merged_of_link_, [&](int link) { route->link_list_.push_back(links_[link]); });
}

} // namespace dcsim
