#include "compute/compute_cost_model.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dcsim {

ComputeCostModel::ComputeCostModel(GpuSpec gpu, GpuProfile profile, Precision precision)
    : gpu_(std::move(gpu)), profile_(std::move(profile)), precision_(precision),
      peak_flop_per_s_(gpu_.peak_flop_per_s(precision) * profile_.sustained_clock_fraction)
{
  const auto efficiency = [&](Precision p) {
    const auto it = profile_.gemm.peak_efficiency.find(p);
    if (it == profile_.gemm.peak_efficiency.end())
      throw std::invalid_argument("profile " + profile_.name + " has no GEMM efficiency for " + precision_name(p));
    return it->second;
  };
  peak_efficiency_ = efficiency(precision);
  const Precision high = precision_of(true);
  high_peak_flop_per_s_ = gpu_.peak_flop_per_s(high) * profile_.sustained_clock_fraction;
  high_peak_efficiency_ = efficiency(high);
}

double ComputeCostModel::memory_bandwidth_bytes_per_s() const
{
  return gpu_.hbm_bandwidth_bytes_per_s * profile_.memory_bound_efficiency;
}

double ComputeCostModel::wave_efficiency(long long m, long long n, long long batch) const
{
  const double sms = std::max(1, gpu_.sm_count);
  double best = 0;
  for (const auto& tile : profile_.gemm.tiles) {
    const double tiles = std::ceil(double(m) / tile.m) * std::ceil(double(n) / tile.n) * double(batch);
    const double waves = std::ceil(tiles / sms);
    best = std::max(best, tile.relative_efficiency * tiles / (waves * sms));
  }
  return best > 0 ? best : 1.0;
}

double ComputeCostModel::gemm_efficiency(long long m, long long n, long long k, long long batch,
                                         bool high_precision) const
{
  const auto& g = profile_.gemm;
  if (const auto surface = g.surfaces.find(precision_of(high_precision)); surface != g.surfaces.end())
    return surface->second.at(double(m) * double(batch), double(n), double(k));
  const double q_k = double(k) / (double(k) + g.k_half);
  const int a = std::max(1, g.alignment_elements);
  const bool aligned = m % a == 0 && n % a == 0 && k % a == 0;
  const double peak = high_precision ? high_peak_efficiency_ : peak_efficiency_;
  return peak * wave_efficiency(m, n, batch) * q_k * (aligned ? 1.0 : g.misaligned_factor);
}

double ComputeCostModel::kernel_seconds(const Op& op) const
{
  const double memory_s = op.bytes / memory_bandwidth_bytes_per_s();
  switch (op.kind) {
    case OpKind::MemoryBound:
      return memory_s;
    case OpKind::Gemm: {
      const double peak = op.high_precision ? high_peak_flop_per_s_ : peak_flop_per_s_;
      const double compute_s = op.flops / (peak * gemm_efficiency(op.m, op.n, op.k, op.batch, op.high_precision));
      return std::max(compute_s, memory_s);
    }
    case OpKind::FlashAttention: {
      const FlashAttentionCurve& curve = profile_.flash_attention_curve;
      const double efficiency = !curve.empty() && op.seq_len > 0 ? curve.efficiency(double(op.seq_len), op.backward)
                                : op.backward                    ? profile_.flash_attention_backward_efficiency
                                                                 : profile_.flash_attention_forward_efficiency;
      const double peak = op.high_precision ? high_peak_flop_per_s_ : peak_flop_per_s_;
      return std::max(op.flops / (peak * efficiency), memory_s);
    }
  }
  return 0;
}

ComputeCostModel::SplitSeconds ComputeCostModel::split_seconds(const std::vector<Op>& ops) const
{
  SplitSeconds total;
  for (const auto& op : ops) {
    const double kernel_s = kernel_seconds(op);
    total.all_s += kernel_s + profile_.kernel_overhead_s;
    if (memory_bound(op, kernel_s))
      total.memory_bound_s += kernel_s + profile_.kernel_overhead_s;
  }
  return total;
}

bool ComputeCostModel::memory_bound(const Op& op, double kernel_s) const
{
  // kernel_s is the larger of the two roofline terms: memory-bound when it is the memory one.
  return op.kind == OpKind::MemoryBound || kernel_s <= op.bytes / memory_bandwidth_bytes_per_s();
}

} // namespace dcsim

namespace dcsim {

double ComputeCostModel::host_seconds(const std::vector<Op>& ops) const
{
  return double(ops.size()) * profile_.launch_overhead_s;
}

} // namespace dcsim
