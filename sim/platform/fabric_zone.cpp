#include "platform/fabric_zone.hpp"

#include "platform/sim_links.hpp"

#include <simgrid/kernel/routing/NetPoint.hpp>

namespace dcsim {

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
  // Netpoints are created GPUs first, then storage servers.
  const auto s = static_cast<int>(src->id());
  const auto d = static_cast<int>(dst->id());
  const int gpus = fabric_.gpu_count();
  const std::uint64_t hash = mix_hash(s, d, seed_);
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
