// FlashAttention's efficiency against the sequence it attends over, as measured on a GPU. The
// kernel's share of the peak grows with the keys each query sees (fewer partly masked tiles,
// longer loops per tile): PyTorch's FlashAttention-2 on an H200 reached 0.32 of the dense peak
// forward and 0.21 backward at 2,048 tokens, 0.34 and 0.31 at 16,384
// (calibration/measurements/h200-2026-11-30-attention.json). A calibrated profile keeps the
// measured points; between them the efficiency is interpolated linearly in log2 of the length,
// beyond them it stays at the nearest end.
#pragma once

#include <vector>

namespace dcsim {

struct FlashAttentionCurve {
  std::vector<double> seq_len;  ///< keys each query attends over, ascending
  std::vector<double> forward;  ///< efficiency (of the dense peak) at each length
  std::vector<double> backward;

  bool empty() const { return seq_len.empty(); }
  /// What is wrong with the points, or nullptr.
  const char* check() const;
  double efficiency(double seq_len, bool backward) const;
};

} // namespace dcsim
