#include "collectives/nccl_channels.hpp"

#include <algorithm>
#include <cmath>

namespace dcsim {

namespace {

// NCCL's most threads per channel (NCCL_LL_MAX_NTHREADS, NCCL_LL128_MAX_NTHREADS,
// NCCL_SIMPLE_MAX_NTHREADS) and bytes per thread before it adds a channel
// (NCCL_LL_THREAD_THRESHOLD, NCCL_LL128_THREAD_THRESHOLD, NCCL_SIMPLE_THREAD_THRESHOLD).
constexpr double kThreads[kProtocols] = {512, 640, 512};
constexpr double kThresholdBytes[kProtocols] = {8, 8, 64};

} // namespace

ChannelUse nccl_channels_in_use(const CommunicationParams& params, Protocol protocol, double bytes, int ranks_factor)
{
  if (params.channels <= 0)
    return {};
  const int p = static_cast<int>(protocol);
  const double per_channel = kThreads[p] * kThresholdBytes[p] * (protocol == Protocol::LL ? ranks_factor : 1);
  const int channels = static_cast<int>(std::clamp(std::ceil(bytes / per_channel), 1.0, double(params.channels)));
  return {channels, double(channels) / params.channels, channels * params.protocol(protocol).channel_latency_s};
}

} // namespace dcsim
