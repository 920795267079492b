// What the collective tuner (collectives/tuner.hpp) may choose from. Its own header so that
// config structs can hold a job's restrictions without the collective layer's headers.
#pragma once

#include "compute/gpu_profile.hpp"

#include <string>
#include <vector>

namespace dcsim {

/// What the tuner may choose from: one algorithm or protocol forced (`dcsim collective --algo`),
/// or the sets a job's NCCL_ALGO / NCCL_PROTO allow (collectives/nccl_settings.hpp).
struct CollectiveOverride {
  /// Algorithms by name; empty = NCCL's own (ring, tree, nvls, collnet, direct).
  /// halving_doubling and hierarchical (MPI/Horovod-style) run only when named.
  std::vector<std::string> algorithms;
  std::vector<Protocol> protocols; ///< empty = all three
  /// When no allowed algorithm can run a call, use the ring with the allowed protocols instead
  /// of failing, as NCCL does since 2.22 (NVIDIA/nccl#1304: NCCL_ALGO=Tree and a broadcast).
  /// Off for a forced `--algo`, where the mismatch is the user's to hear about.
  bool fall_back_to_ring = false;

  bool allows(const std::string& algorithm) const;
  bool allows(Protocol protocol) const;
  bool restricts() const { return !algorithms.empty() || !protocols.empty(); }
};

} // namespace dcsim
