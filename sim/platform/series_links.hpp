// Which directed fabric links can share one SimGrid link.
//
// A vertex that only relays (a NIC between its GPU and its switch: never a route's end, two
// cables) is crossed straight through by every route that enters it, so the link into it and the
// link out of it carry exactly the same flows. Under max-min sharing two links with the same flows
// are one constraint with the smaller bandwidth; SimGrid gets that one link instead of two.
// At 16,384 GPUs this removes 32,768 of 163,840 SimGrid links (each costs ~3 us to create).
#pragma once

#include "fabric.hpp"

#include <vector>

namespace dcsim {

struct SeriesLinks {
  std::vector<int> merged_of_link;  ///< per directed fabric link: index of its merged link
  std::vector<double> bandwidth_bytes_per_s; ///< per merged link: the smallest bandwidth of its members
};

SeriesLinks merge_series_links(const Fabric& fabric);

} // namespace dcsim
