// A SimGrid routing zone whose routes come from a dcsim Fabric.
//
// SimGrid asks a zone for the links between two hosts each time a communication starts. This zone
// answers by asking the Fabric (structural routing with ECMP), so no route table is ever built:
// a 16,384-GPU fat-tree costs O(links) memory, not O(hosts^2).
// Links have zero latency in SimGrid: the engine adds each route's latency itself, so that
// SimGrid's CM02 model shares bandwidth fairly between flows (CM02 otherwise weights a flow's
// share by its route latency, TCP-style, which RDMA fabrics do not do).
#pragma once

#include "fabric.hpp"

#include <simgrid/kernel/routing/NetZoneImpl.hpp>
#include <simgrid/s4u/Link.hpp>

#include <cstdint>
#include <vector>

namespace dcsim {

/// The flow hash of queue pair `qp` between two GPUs (queue pair 0: the GPUs' own hosts).
std::uint64_t queue_pair_hash(int src, int dst, int qp, std::uint64_t seed);

class FabricZone : public simgrid::kernel::routing::NetZoneImpl {
public:
  FabricZone(const std::string& name, const Fabric& fabric, std::uint64_t seed);

  /// Host netpoints must be created in GPU order, then storage servers, then queue-pair hosts
  /// (platform.hpp: queue pair q >= 1 of every GPU in GPU order, q after q); `links[merged_of_link[l]]` carries directed
  /// fabric link l (several fabric links may share one SimGrid link, see sim_links.hpp).
  void set_links(std::vector<simgrid::s4u::Link*> links, std::vector<int> merged_of_link);

  void get_local_route(const simgrid::kernel::routing::NetPoint* src, const simgrid::kernel::routing::NetPoint* dst,
                       simgrid::kernel::routing::Route* route, double* latency) override;

private:
  const Fabric& fabric_;
  std::uint64_t seed_;
  std::vector<simgrid::kernel::resource::StandardLinkImpl*> links_;
  std::vector<int> merged_of_link_;
};

} // namespace dcsim
