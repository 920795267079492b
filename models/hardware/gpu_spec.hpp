// Datasheet description of one GPU model: what the hardware can do at most.
// Achieved efficiencies are not here; they live in the GPU's calibration profile.
#pragma once

#include <string>

namespace dcsim {

enum class Precision { Bf16, Fp16, Fp8, Tf32 };

/// The spelling scenarios and profiles use: "bf16", "fp16", "fp8", "tf32".
inline const char* precision_name(Precision p)
{
  switch (p) {
    case Precision::Bf16: return "bf16";
    case Precision::Fp16: return "fp16";
    case Precision::Fp8: return "fp8";
    case Precision::Tf32: return "tf32";
  }
  return "bf16";
}

struct GpuSpec {
  std::string name;                       ///< catalog name, e.g. "H100-SXM-80GB"
  double peak_bf16_flop_per_s = 0;        ///< dense tensor-core peak, no sparsity
  double peak_fp16_flop_per_s = 0;
  double peak_fp8_flop_per_s = 0;         ///< 0 when the GPU has no FP8 tensor cores
  double peak_tf32_flop_per_s = 0;
  double hbm_bytes = 0;                   ///< usable device memory
  double hbm_bandwidth_bytes_per_s = 0;
  int sm_count = 0;                       ///< streaming multiprocessors (wave quantization)
  double tdp_watts = 0;
  std::string default_profile;            ///< shipped profile name, e.g. "h100-sxm"
  std::string source;                     ///< where the numbers come from
  /// Achieved host <-> device copy rate of one GPU (its PCIe link): asynchronous checkpoint
  /// snapshots, offloading.
  double host_link_bytes_per_s = 0;

  /// Dense peak for `precision`. @throw std::invalid_argument if the GPU lacks that precision.
  double peak_flop_per_s(Precision precision) const;
};

} // namespace dcsim
