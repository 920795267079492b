// A job's checkpoint moving between its nodes and the cluster's storage servers, as real SimGrid
// flows that share the fabric with everything else in flight.
//
// Every NIC of every node of the job moves an equal share (a fully parallel, sharded save such
// as Megatron's distributed checkpoint or PyTorch DCP), NIC k of the job to storage server
// k mod servers, so the write is bounded by the slowest of the NICs, the fabric and the storage
// servers' links, whichever binds.
#pragma once

#include <vector>

namespace dcsim {

class Platform;

enum class CheckpointDirection { Write, Read };

/// One GPU per NIC on the job's nodes: the hosts whose NICs carry the checkpoint.
std::vector<int> checkpoint_endpoints(const Platform& platform, int first_gpu, int gpus, int gpus_per_node,
                                      int nics_per_node);

/// Moves `bytes` in total, called from an actor; returns when done (true) or at `deadline_s`
/// (false: the transfer is abandoned, its flows cancelled), whichever comes first.
bool transfer_checkpoint(const Platform& platform, const std::vector<int>& endpoints, double bytes,
                         CheckpointDirection direction, double deadline_s);

} // namespace dcsim
