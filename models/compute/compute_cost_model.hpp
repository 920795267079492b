// Time of one GPU kernel from its FLOPs, its bytes and the GPU.
//
// GEMM (a roofline with tensor-core efficiency):
//   t = max(flops / (peak * e_peak * q_wave * q_k * q_align),  bytes / (hbm_bw * e_mem))
//   q_wave  = best over candidate CTA tiles (m_t x n_t, relative efficiency r) of
//             r * tiles / (ceil(tiles / SMs) * SMs), tiles = ceil(m/m_t) * ceil(n/n_t) * batch:
//             the last wave of tiles leaves SMs idle (wave quantization);
//   q_k     = k / (k + k_half): each tile pays a fixed prologue/epilogue besides its k-loop;
//   q_align = misaligned_factor when m, n or k is not a multiple of alignment_elements.
// peak is the datasheet peak times the profile's sustained clock fraction.
// Memory-bound kernels: t = bytes / (hbm_bw * e_mem). FlashAttention: executed flops at the
// profile's forward/backward efficiency. Every kernel also pays kernel_overhead_s.
// In an FP8 job the ops marked high_precision (attention, output layer, router) run at the BF16
// peak and BF16 efficiencies; the rest of the GEMMs at FP8's.
// All parameters come from the GPU's profile (calibration/profiles/*.yaml).
#pragma once

#include "compute/gpu_profile.hpp"
#include "hardware/gpu_spec.hpp"
#include "transformer/op.hpp"

#include <vector>

namespace dcsim {

class ComputeCostModel {
public:
  ComputeCostModel(GpuSpec gpu, GpuProfile profile, Precision precision);

  /// Achieved fraction of the dense peak for C[m,n] = A[m,k] B[k,n] (x batch), compute side only,
  /// in the job's precision (or in 16 bits: `high_precision`).
  double gemm_efficiency(long long m, long long n, long long k, long long batch = 1, bool high_precision = false) const;
  /// Kernel time without the launch gap.
  double kernel_seconds(const Op& op) const;
  /// Sum over `ops` of kernel time plus the per-kernel gap (GPU side only).
  double seconds(const std::vector<Op>& ops) const { return split_seconds(ops).all_s; }
  /// Whether HBM bandwidth, not arithmetic, sets the kernel's time (it then draws less power:
  /// models/energy/power_model.hpp).
  bool memory_bound(const Op& op) const { return memory_bound(op, kernel_seconds(op)); }
  /// The part of seconds(ops) spent in memory-bound kernels (their gaps included).
  double memory_bound_seconds(const std::vector<Op>& ops) const { return split_seconds(ops).memory_bound_s; }
  /// Both at once, each kernel timed once.
  struct SplitSeconds {
    double all_s = 0;
    double memory_bound_s = 0;
  };
  SplitSeconds split_seconds(const std::vector<Op>& ops) const;
  /// Host time to issue `ops` (launch_overhead_s each).
  double host_seconds(const std::vector<Op>& ops) const;

  /// Dense peak at the sustained clock (datasheet peak x sustained_clock_fraction).
  double peak_flop_per_s() const { return peak_flop_per_s_; }
  double memory_bandwidth_bytes_per_s() const;
  const GpuProfile& profile() const { return profile_; }
  const GpuSpec& gpu() const { return gpu_; }

private:
  double wave_efficiency(long long m, long long n, long long batch) const;
  bool memory_bound(const Op& op, double kernel_s) const;

  /// The precision a kernel runs in: the job's, or BF16 for a high-precision op of an FP8 job.
  Precision precision_of(bool high_precision) const
  {
    return high_precision && precision_ == Precision::Fp8 ? Precision::Bf16 : precision_;
  }

  GpuSpec gpu_;
  GpuProfile profile_;
  Precision precision_;
  double peak_flop_per_s_;
  double peak_efficiency_;
  double high_peak_flop_per_s_;  ///< for high-precision ops (= peak_flop_per_s_ outside FP8 jobs)
  double high_peak_efficiency_;
};

} // namespace dcsim
