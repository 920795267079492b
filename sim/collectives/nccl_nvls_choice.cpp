#include "collectives/nccl_nvls_choice.hpp"

#include <algorithm>
#include <cmath>

namespace dcsim {

namespace {

constexpr int kMaxRingChannels = 16;  ///< the ring search's channel limit (MAXCHANNELS / 2)
constexpr int kMaxNvlsChannels = 32;  ///< NCCL_MAX_NVLS_ARITY

} // namespace

double nccl_model_ring_busbw(const NcclNvlsModel& model)
{
  double best = 0;
  for (double speed : model.speeds_bytes_per_s) {
    if (speed > model.nvlink_bytes_per_s)
      continue;
    // Each ring channel crosses every GPU's NVLinks once each way.
    const double channels = std::min<double>(kMaxRingChannels, std::floor(model.nvlink_bytes_per_s / speed + 1e-9));
    best = std::max(best, channels * speed);
  }
  return best;
}

double nccl_model_nvls_busbw(const NcclNvlsModel& model, int gpus)
{
  const int channels = std::min(gpus, kMaxNvlsChannels);
  if (channels < 2)
    return 0;
  double speed = 0; // the fastest that fits twice on a head's links and once on the others'
  for (double s : model.speeds_bytes_per_s)
    if (s * (channels + 1) <= model.nvlink_bytes_per_s * (1 + 1e-9))
      speed = std::max(speed, s);
  // tuning.cc: busBw per channel = speed x nvlsEfficiency x (channels - 1) / channels, doubled for
  // an all-reduce (two operations pipelined), times the channels.
  return channels * speed * model.efficiency * (channels - 1.0) / channels * 2.0;
}

bool nccl_model_prefers_nvls(const NcclNvlsModel& model, int gpus)
{
  if (!model.given())
    return true;
  return nccl_model_nvls_busbw(model, gpus) > nccl_model_ring_busbw(model);
}

} // namespace dcsim
