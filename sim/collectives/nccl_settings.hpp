// A job's NCCL_ALGO and NCCL_PROTO: which algorithms and protocols NCCL's tuner may choose from
// for each collective operation (scenario key jobs[].nccl: {algo, proto}).
//
// The values take NCCL's syntax: a comma-separated list, case-insensitive, or after a leading
// '^' the ones NOT to use ("^nvls" is NCCL_NVLS_ENABLE=0 for the tuner). "op:list;op:list"
// restricts operations one by one (allreduce, allgather, reducescatter, broadcast, reduce); the
// others keep every choice. NCCL's names map to dcsim's algorithms: Ring, Tree, NVLS,
// CollnetDirect / CollnetChain (collnet); halving_doubling and hierarchical may be named too.
//
// The restrictions steer only the collectives NCCL's tuner chooses for. All-to-all and
// send/recv are point-to-point in NCCL, which NCCL_ALGO does not affect (nccl-tests#246), so
// they keep the direct algorithm. A call none of the allowed algorithms can run (tree and an
// all-gather) falls back to the ring with the allowed protocols, as NCCL does since 2.22
// (NVIDIA/nccl#1304).
#pragma once

#include "collectives/collective_override.hpp"
#include "parallelism/collective_call.hpp"

#include <array>
#include <string>

namespace dcsim {

struct NcclSettings {
  /// Per operation, indexed by CollectiveKind; all-to-all and send/recv stay unrestricted.
  std::array<CollectiveOverride, 7> per_kind;

  const CollectiveOverride& for_kind(CollectiveKind kind) const { return per_kind[static_cast<int>(kind)]; }
  bool restricts() const;
};

/// Reads an NCCL_ALGO value into `settings`.
/// @throw std::invalid_argument saying what was wrong and what is expected.
void parse_nccl_algo(const std::string& value, NcclSettings& settings);
/// Reads an NCCL_PROTO value (LL, LL128, Simple) into `settings`.
/// @throw std::invalid_argument saying what was wrong and what is expected.
void parse_nccl_proto(const std::string& value, NcclSettings& settings);

} // namespace dcsim
