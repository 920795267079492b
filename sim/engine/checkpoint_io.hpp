// A job's checkpoint moving between its nodes and the cluster's storage servers, as real SimGrid
// flows that share the fabric with everything else in flight.
//
// Every NIC of every node of the job moves an equal share (a fully parallel, sharded save such
// as Megatron's distributed checkpoint or PyTorch DCP), NIC k of the job to storage server
// k mod servers, so the write is bounded by the slowest of the NICs, the fabric and the storage
// servers' links, whichever binds.
#pragma once

#include <utility>
#include <vector>

#include "engine/fabric_usage.hpp"
#include "engine/placement.hpp"

namespace dcsim {

class Platform;

enum class CheckpointDirection { Write, Read };

/// One GPU per NIC on the job's nodes: the hosts whose NICs carry the checkpoint.
std::vector<int> checkpoint_endpoints(const Platform& platform, const Placement& placement, int gpus_per_node,
                                      int nics_per_node);

/// Moves `bytes` in total, called from an actor; returns when done (true) or at `deadline_s`
/// (false: the transfer is abandoned, its flows cancelled), whichever comes first.
bool transfer_checkpoint(const Platform& platform, const std::vector<int>& endpoints, double bytes,
                         CheckpointDirection direction, double deadline_s, double* moved_bytes = nullptr);

/// The bytes a whole checkpoint puts on each directed link (indexed by link), as
/// transfer_checkpoint routes it.
std::vector<double> checkpoint_link_bytes(const Platform& platform, const std::vector<int>& endpoints, double bytes,
                                          CheckpointDirection direction);

/// One job's checkpoint transfers, memoized: a transfer that had the fabric to itself took a
/// time that the next one alone on the fabric will take again, so that one runs as a timer
/// (FabricOccupancy's solo mode) and turns into real flows for what is left the moment other
/// traffic starts. Thousands of checkpoints of a 16,384-GPU job then cost a few real transfers.
class CheckpointMover {
public:
  CheckpointMover(const Platform& platform, std::vector<int> endpoints, double bytes)
      : platform_(&platform), endpoints_(std::move(endpoints)), bytes_(bytes)
  {
  }
  /// As transfer_checkpoint.
  bool move(CheckpointDirection direction, double deadline_s);
  /// Every transfer so far on the fabric (engine/fabric_usage.hpp), each at its mean rate, the
  /// bytes it moved (all of them, or what a cut one had moved).
  std::vector<FabricUse> fabric_uses() const;

private:
  /// A transfer of `fraction` of the checkpoint.
  struct Transfer {
    CheckpointDirection direction;
    double start_s, end_s, fraction;
  };
  /// Adds a transfer of `fraction` of the checkpoint from `start_s` to now.
  void record(CheckpointDirection direction, double start_s, double fraction);

  const Platform* platform_;
  std::vector<int> endpoints_;
  double bytes_;
  double solo_s_[2] = {0, 0}; ///< per direction: the last transfer alone on the fabric (0: none yet)
  std::vector<Transfer> transfers_; ///< routed only when asked for: a month holds thousands
};

} // namespace dcsim
