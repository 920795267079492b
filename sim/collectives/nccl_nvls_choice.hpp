// Whether NCCL's own tuner runs NVLS rather than the ring for an all-reduce inside one NVLink
// domain.
//
// NCCL picks an algorithm and protocol by its tuning model (src/graph/tuning.cc), not by what is
// fastest on the hardware: the time of each is latency + bytes / algorithm bandwidth, the
// bandwidth being a bus bandwidth times n / (2 (n - 1)) for an all-reduce on n GPUs.
// - NVLS runs one channel per GPU (at most 32), each GPU the head of one, and NCCL's search
//   (src/graph/search.cc, ncclTopoSearchTryNvls) books a channel's speed twice on its head's
//   NVLinks and once on every other GPU's: with c channels a speed s fits when s (c + 1) <= the
//   GPU's NVLink bandwidth B, the fastest of the architecture's list that fits is taken, and the
//   bus bandwidth is c s x nvlsEfficiency x (c - 1) / c x 2. Latency 25 us.
// - The ring: channels x speed with channels x speed <= B (360 GB/s on Hopper, 720 on Blackwell);
//   Simple at that, LL at half of it up to LL's cap, LL128 at 0.92 of it up to its per-channel
//   cap; latencies base + 2 (n - 1) x per-step (6.6 + 0.6, 14 + 1.9, 8.4 + 3.4 us).
// On 8 Hopper GPUs that puts NVLS ahead of ring/LL from ~1.1 MB, as measured on an H200 node
// (ring/LL up to 1 MiB, NVLS from 2 MiB), and never ahead on 4 GPUs at 8 GiB (306 vs 360 GB/s of
// bus bandwidth; ring on 4, NVLS on 5-8 measured). The architecture's figures come from the
// profile (NcclNvlsModel); NCCL's latencies, which do not depend on the GPU, are here.
#pragma once

#include "compute/gpu_profile.hpp"

namespace dcsim {

/// NCCL's predicted ring all-reduce bus bandwidth inside one NVLink domain (Simple protocol).
double nccl_model_ring_busbw(const NcclNvlsModel& model);
/// NCCL's predicted NVLS all-reduce bus bandwidth on `gpus` GPUs of one domain (0: none fits).
double nccl_model_nvls_busbw(const NcclNvlsModel& model, int gpus);
/// NCCL's predicted times of an all-reduce of `bytes` on `gpus` GPUs of one domain.
double nccl_model_ring_seconds(const NcclNvlsModel& model, Protocol protocol, int gpus, double bytes);
double nccl_model_nvls_seconds(const NcclNvlsModel& model, int gpus, double bytes);
/// Whether NCCL's tuner would run NVLS (rather than the ring at its best protocol) for that
/// all-reduce. Only meaningful when model.given().
bool nccl_model_prefers_nvls(const NcclNvlsModel& model, int gpus, double bytes);

} // namespace dcsim
