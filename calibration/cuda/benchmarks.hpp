// The CUDA micro-benchmarks (one file each), producing the backend-neutral samples of
// measurements.hpp.
#pragma once

#include "measurements.hpp"

#include <vector>

namespace dcsim::calibration::cuda {

/// cuBLAS (bf16, fp16, tf32) and cuBLASLt (fp8, where the GPU has it) over a grid of shapes and
/// held-out shapes between its points.
std::vector<GemmSample> gemm_sweep(bool quick, int compute_capability_major);
/// MLP and unfused attention blocks, forward and backward, as real bf16 kernels.
std::vector<BlockSample> transformer_blocks(bool quick);
/// Streaming kernels (triad, layernorm) and copies (h2d, d2h, d2d).
std::vector<BandwidthSample> bandwidth_sweep(bool quick);
/// Host time per empty kernel launch.
double launch_overhead_s();
/// NCCL collectives over every local GPU (one process), 8 B to 8 GiB (quick: 64 MiB).
std::vector<CollectiveSample> nccl_sweep(bool quick, int devices);
/// GEMMs and a streaming kernel alone and beside a communication-like kernel holding SMs.
std::vector<OverlapSample> overlap_sweep(bool quick);

} // namespace dcsim::calibration::cuda
