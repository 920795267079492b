#include "collectives/nccl_nvls_choice.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dcsim {

namespace {

constexpr int kMaxRingChannels = 16; ///< the ring search's channel limit (MAXCHANNELS / 2)
constexpr int kMaxNvlsChannels = 32; ///< NCCL_MAX_NVLS_ARITY

/// tuning.cc baseLatencies (ring) and hwLatencies over NVLink (ring, NVLS), microseconds.
struct Latency {
  double base_us;
  double per_step_us;
};
Latency ring_latency(Protocol protocol)
{
  switch (protocol) {
    case Protocol::LL: return {6.6, 0.6};
    case Protocol::LL128: return {14.0, 1.9};
    case Protocol::Simple: return {8.4, 3.4};
  }
  return {};
}
constexpr double kNvlsLatencyUs = 25.0;

struct RingGraph {
  int channels = 0;
  double speed = 0;
};

/// The ring search's result: the most channels x speed, the fastest speed among equals (it
/// starts from the fastest and keeps a graph only when a later one is strictly better).
RingGraph ring_graph(const NcclNvlsModel& model)
{
  RingGraph best;
  for (double speed : model.speeds_bytes_per_s) {
    if (speed > model.nvlink_bytes_per_s)
      continue;
    // Each ring channel crosses every GPU's NVLinks once each way.
    const int channels =
        std::min(kMaxRingChannels, static_cast<int>(std::floor(model.nvlink_bytes_per_s / speed + 1e-9)));
    if (channels * speed > best.channels * best.speed * (1 + 1e-12))
      best = {channels, speed};
  }
  return best;
}

double ring_protocol_busbw(const NcclNvlsModel& model, Protocol protocol)
{
  const RingGraph g = ring_graph(model);
  const double simple = g.channels * g.speed;
  switch (protocol) {
    case Protocol::LL: return std::min(model.ll_max_bytes_per_s, 0.5 * simple);
    case Protocol::LL128: return std::min(0.92 * simple, g.channels * model.ll128_channel_bytes_per_s);
    case Protocol::Simple: return simple;
  }
  return 0;
}

/// All-reduce: algorithm bandwidth = bus bandwidth x n / (2 (n - 1)).
double all_reduce_seconds(double latency_us, double busbw, int gpus, double bytes)
{
  if (!(busbw > 0))
    return std::numeric_limits<double>::infinity();
  const double algbw = busbw * gpus / (2.0 * (gpus - 1));
  return latency_us * 1e-6 + bytes / algbw;
}

} // namespace

double nccl_model_ring_busbw(const NcclNvlsModel& model) { return ring_protocol_busbw(model, Protocol::Simple); }

double nccl_model_nvls_busbw(const NcclNvlsModel& model, int gpus)
{
  const int channels = std::min(gpus, kMaxNvlsChannels);
  if (channels < 2)
    return 0;
  double speed = 0; // the fastest that fits twice on a head's links and once on the others'
  for (double s : model.speeds_bytes_per_s)
    if (s * (channels + 1) <= model.nvlink_bytes_per_s * (1 + 1e-9))
      speed = std::max(speed, s);
  // tuning.cc: per channel speed x nvlsEfficiency x (channels - 1) / channels, doubled for an
  // all-reduce (two operations pipelined), times the channels.
  return channels * speed * model.efficiency * (channels - 1.0) / channels * 2.0;
}

double nccl_model_ring_seconds(const NcclNvlsModel& model, Protocol protocol, int gpus, double bytes)
{
  const Latency l = ring_latency(protocol);
  return all_reduce_seconds(l.base_us + 2.0 * (gpus - 1) * l.per_step_us, ring_protocol_busbw(model, protocol), gpus,
                            bytes);
}

double nccl_model_nvls_seconds(const NcclNvlsModel& model, int gpus, double bytes)
{
  return all_reduce_seconds(kNvlsLatencyUs, nccl_model_nvls_busbw(model, gpus), gpus, bytes);
}

bool nccl_model_prefers_nvls(const NcclNvlsModel& model, int gpus, double bytes)
{
  double ring = std::numeric_limits<double>::infinity();
  for (Protocol p : {Protocol::LL, Protocol::LL128, Protocol::Simple})
    ring = std::min(ring, nccl_model_ring_seconds(model, p, gpus, bytes));
  return nccl_model_nvls_seconds(model, gpus, bytes) < ring;
}

} // namespace dcsim
