// A measured GEMM efficiency surface: the achieved fraction of the peak at each (m, n, k) of a
// grid of shapes, as `dcsim calibrate` measures it on a real device. Between grid points the
// log of the efficiency is interpolated linearly in log2(m), log2(n), log2(k) (GEMM efficiency
// varies with the order of magnitude of a dimension, not its value, and multiplies across
// dimensions); outside the grid it is clamped to the nearest edge (large shapes saturate, small
// ones are rare in training).
#pragma once

#include <vector>

namespace dcsim {

struct GemmSurface {
  std::vector<double> m, n, k;  ///< ascending grid axes
  std::vector<double> efficiency; ///< m.size() x n.size() x k.size(), k varying fastest

  bool empty() const { return efficiency.empty(); }
  double at(double m, double n, double k) const;
  /// Sizes agree and axes ascend; else the reason.
  const char* check() const;
};

} // namespace dcsim
