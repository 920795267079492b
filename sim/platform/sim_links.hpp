// Which directed fabric links SimGrid simulates as one link.
//
// In series: a vertex that only relays (a NIC between its GPU and its switch: never a route's
// end, two cables) is crossed straight through by every route that enters it, so the link into
// it and the link out of it carry exactly the same flows. Under max-min sharing two links with
// the same flows are one constraint with the smaller bandwidth. At 16,384 GPUs this removes
// 32,768 of 163,840 SimGrid links (each costs ~3 us to create).
//
// In parallel: with adaptive routing, a trunk's members (Fabric::adaptive_trunks) stay equally
// loaded, so they are one constraint with the members' summed bandwidth (cables down excluded:
// adaptive routing sends nothing over them).
#pragma once

#include "fabric.hpp"

#include <vector>

namespace dcsim {

struct SimLinks {
  std::vector<int> of_link;                  ///< per directed fabric link: the SimGrid link carrying it
  std::vector<double> bandwidth_bytes_per_s; ///< per SimGrid link
};

SimLinks merge_links(const Fabric& fabric);

/// Calls `emit(sim_link)` for each SimGrid link route `r` crosses, in order, each once: links
/// merged in series are consecutive on a route and must count once per flow.
template <typename Emit>
void for_each_sim_link(const Route& r, const std::vector<int>& of_link, Emit emit)
{
  int previous = -1;
  for (int i = 0; i < r.hops; ++i) {
    const int link = of_link[r.links[i]];
    if (link != previous)
      emit(link);
    previous = link;
  }
}

} // namespace dcsim
