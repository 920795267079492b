// Whether NCCL's own tuner runs NVLS rather than the ring inside one NVLink domain.
//
// NCCL picks an algorithm by its tuning model, not by what is fastest on the hardware, and its
// model of NVLS depends on the GPU count: NVLS runs one channel per GPU, each GPU the head of one,
// and its search (src/graph/search.cc, ncclTopoSearchTryNvls) books a channel's speed twice on
// its head's NVLinks and once on every other GPU's, so with n channels a speed s fits when
// s (n + 1) <= the GPU's NVLink bandwidth B; the fastest speed of the architecture's list that
// fits is taken. Its bus bandwidth for an all-reduce (src/graph/tuning.cc) is then
//   n s x nvlsEfficiency x (n - 1) / n x 2,
// against the ring's channels x speed (at most B). On Hopper (B = 18 x 20.6 GB/s, efficiency
// 0.85) that puts NVLS below the ring on 4 GPUs (306 vs 360 GB/s) and above it from 5 (408), as
// measured on an H200 node (ring on 4, NVLS on 5-8; ../shared/reference published.yaml
// stas_h200_allreduce_vs_gpucount); on Blackwell (18 x 40.1 GB/s, 0.74) from 7 GPUs (6: 666 vs
// 720). Where NCCL's model ranks NVLS below the ring, NCCL never runs it (its latency is also
// higher), so the tuner leaves it out unless NVLS alone is asked for; where the model ranks it
// above, dcsim's own prediction picks the size from which it wins.
#pragma once

#include "compute/gpu_profile.hpp"

namespace dcsim {

/// NCCL's predicted ring all-reduce bus bandwidth inside one NVLink domain (Simple protocol).
double nccl_model_ring_busbw(const NcclNvlsModel& model);
/// NCCL's predicted NVLS all-reduce bus bandwidth on `gpus` GPUs of one NVLink domain (0: its
/// search finds no speed).
double nccl_model_nvls_busbw(const NcclNvlsModel& model, int gpus);
/// Whether NCCL's tuner would run NVLS for a large all-reduce on `gpus` GPUs of one domain; true
/// when the profile does not give NCCL's model.
bool nccl_model_prefers_nvls(const NcclNvlsModel& model, int gpus);

} // namespace dcsim
