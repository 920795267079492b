// How many of its channels NCCL runs an operation on. NCCL gives a small operation fewer channels
// (and, on one channel, fewer threads): it takes channels away while the bytes are fewer than
// channels x threads x a per-thread threshold (src/enqueue.cc), a threshold of 8 bytes for LL
// and LL128 and 64 for Simple, LL's multiplied by the ranks on a ring (src/graph/tuning.cc; an
// NCCL_DEBUG log of 4 ranks prints "threadThresholds 8/8/64 | 32/8/64", NVIDIA/nccl issue #1189).
// An operation on k of C channels moves its bytes at k/C of the protocol's rate, and each channel
// adds the protocol's channel_latency (fitted on the Echo A100 logs, docs/validation.md).
// Profiles without `communication.channels` run every operation on all channels.
#pragma once

#include "compute/gpu_profile.hpp"

namespace dcsim {

struct ChannelUse {
  int channels = 0;          ///< in use; 0: not modelled (all, at the full rate)
  double rate_fraction = 1;  ///< of the protocol's rate on all channels
  double latency_s = 0;      ///< the channels' cost, once per call
};

/// An operation of `bytes` per rank-call; `ranks_factor` multiplies LL's threshold (the ring's
/// ranks; 1 for other algorithms).
ChannelUse nccl_channels_in_use(const CommunicationParams& params, Protocol protocol, double bytes, int ranks_factor);

} // namespace dcsim
