// Electrical power of a GPU node by what its GPUs are doing.
//
// A state model, the coarsest that still separates what training plans change: each GPU is
// busy (running compute kernels), memory-bound (running kernels whose time HBM bandwidth sets:
// norms, activations, the optimizer step), communicating (only communication kernels run:
// exposed collectives, waits for a pipeline message) or idle (nothing to run: pipeline bubbles,
// checkpoint writes, restarts, no job); the rest of the node (CPUs, memory, NICs, NVSwitches,
// fans, power-supply losses) draws a constant power. Defaults, when the scenario's `power`
// section leaves a value out:
// - busy = the GPU's TDP. Large-model training holds the GPUs at their power cap; the profiles'
//   sustained_clock_fraction is the clock they run at there (calibration/README.md).
// - memory-bound = idle + 54% of (busy - idle). Measured on one H200 SXM at its 700 W limit
//   (2026-11-30, scripts/device-power.sh; docs/validation.md "Measured H200"): idle 78.7 W,
//   bf16 GEMMs 689 W, a copy through the whole HBM at 4.27 TB/s 409 W: (409 - 78.7) / (689 - 78.7).
// - idle = 11% of TDP: 77 W on a 700 W GPU, between the 74 W and 80 W that two 2026 nvidia-smi
//   measurements of idle H200 SXM GPUs with a context report (ConserveMode's RunPod study;
//   the Alice GPU energy benchmark).
// - communicating = idle + 25% of (busy - idle): NCCL kernels occupy a few SMs and keep HBM and
//   NVLink busy. An assumption, not a measurement; docs/validation.md ("Energy") shows how much it moves.
// - node_other = 0.5 x the node's GPU TDPs: Latif et al. 2024 (arXiv 2412.08602) measured at most
//   8.48 kW on an 8 x H100 HGX node training with its GPUs near full use; less 8 x 700 W, 2.88 kW.
#pragma once

#include "config/scenario_config.hpp"

namespace dcsim {

inline constexpr double kGpuIdleFractionOfTdp = 0.11;
inline constexpr double kCommunicatingShareOfActive = 0.25;
inline constexpr double kMemoryBoundShareOfActive = (409.0 - 78.7) / (689.0 - 78.7);
inline constexpr double kNodeOtherPerGpuTdp = 0.5;
/// A 64-port 400G switch: 32 OSFP cages of Class 8 (17 W) optics (NVIDIA QM97xx manual), about
/// 0.55 kW, plus its ASIC, fans and power supplies. An estimate.
inline constexpr double kDefaultSwitchWatts = 1000.0;
/// A storage server (two CPUs, drives, NICs). An estimate.
inline constexpr double kDefaultStorageServerWatts = 1000.0;

/// Watts of one GPU in each state and of the rest of its node, every default resolved.
struct NodePower {
  double gpu_busy_w = 0;
  double gpu_memory_bound_w = 0;
  double gpu_communicating_w = 0;
  double gpu_idle_w = 0;
  double node_other_w = 0; ///< the whole node apart from its GPUs
  int gpus = 0;            ///< per node

  /// Power of the node apart from its GPUs, per GPU (how a job on part of a node is charged).
  double other_per_gpu_w() const { return gpus > 0 ? node_other_w / gpus : 0; }
};

NodePower resolve_node_power(const PowerConfig& config, const GpuSpec& gpu, int gpus_per_node);
/// Watts of one network switch and of one storage server, defaults resolved.
double switch_watts(const PowerConfig& config);
double storage_server_watts(const PowerConfig& config);

/// Seconds one GPU spends in each state over some stretch of time.
struct GpuStateTimes {
  double busy_s = 0;
  double memory_bound_s = 0;
  double communicating_s = 0;
  double idle_s = 0;

  double total_s() const { return busy_s + memory_bound_s + communicating_s + idle_s; }
};

/// Energy of one GPU over `times`, in joules.
double gpu_energy_j(const GpuStateTimes& times, const NodePower& power);
/// Mean power of one GPU over `times` (idle power when `times` is empty).
double mean_gpu_watts(const GpuStateTimes& times, const NodePower& power);

} // namespace dcsim
