#include "compute/gemm_surface.hpp"

#include <algorithm>
#include <cmath>

namespace dcsim {

namespace {

/// Index i and weight w such that log2(x) = (1-w) log2(axis[i]) + w log2(axis[i+1]), clamped.
std::pair<size_t, double> locate(const std::vector<double>& axis, double x)
{
  if (axis.size() == 1 || x <= axis.front())
    return {0, 0.0};
  if (x >= axis.back())
    return {axis.size() - 2, 1.0};
  const size_t i = std::upper_bound(axis.begin(), axis.end(), x) - axis.begin() - 1;
  const double w = (std::log2(x) - std::log2(axis[i])) / (std::log2(axis[i + 1]) - std::log2(axis[i]));
  return {i, w};
}

} // namespace

double GemmSurface::at(double mm, double nn, double kk) const
{
  const auto [i, wi] = locate(m, mm);
  const auto [j, wj] = locate(n, nn);
  const auto [l, wl] = locate(k, kk);
  const auto value = [&](size_t a, size_t b, size_t c) {
    a = std::min(a, m.size() - 1), b = std::min(b, n.size() - 1), c = std::min(c, k.size() - 1);
    return efficiency[(a * n.size() + b) * k.size() + c];
  };
  // Geometric, not arithmetic: a GEMM's efficiency is close to a product of per-dimension
  // factors, so it is linear in log space (and so is its time). Averaging the efficiencies
  // themselves overrates small shapes between corners a decade apart: on the H200 sweep a
  // held-out 512 x 2048 x 512 came out 23% fast that way, 0.1% this way.
  double log_sum = 0;
  for (int da = 0; da < 2; ++da)
    for (int db = 0; db < 2; ++db)
      for (int dc = 0; dc < 2; ++dc)
        log_sum += (da ? wi : 1 - wi) * (db ? wj : 1 - wj) * (dc ? wl : 1 - wl) * std::log(value(i + da, j + db, l + dc));
  return std::exp(log_sum);
}

const char* GemmSurface::check() const
{
  if (m.empty() || n.empty() || k.empty())
    return "has an empty axis";
  if (efficiency.size() != m.size() * n.size() * k.size())
    return "has efficiency.size() != m.size() x n.size() x k.size()";
  for (const auto* axis : {&m, &n, &k})
    if (!std::is_sorted(axis->begin(), axis->end()) || axis->front() <= 0 ||
        std::adjacent_find(axis->begin(), axis->end()) != axis->end())
      return "has an axis that is not positive and strictly ascending";
  for (double e : efficiency)
    if (!(e > 0 && e <= 1.5))
      return "has an efficiency outside (0, 1.5]";
  return nullptr;
}

} // namespace dcsim
