#include "fit/gemm_fit.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

namespace dcsim::calibration {

namespace {

double wave_efficiency(long long m, long long n, int sm_count, const std::vector<GemmTile>& tiles)
{
  if (sm_count <= 0 || tiles.empty())
    return 1.0;
  double best = 0;
  for (const auto& tile : tiles) {
    const double count = std::ceil(double(m) / tile.m) * std::ceil(double(n) / tile.n);
    best = std::max(best, tile.relative_efficiency * count / (std::ceil(count / sm_count) * sm_count));
  }
  return best;
}

double median(std::vector<double> v)
{
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

GemmSurface grid_surface(const std::vector<const GemmSample*>& grid, double peak)
{
  std::set<long long> ms, ns, ks;
  std::map<std::tuple<long long, long long, long long>, double> efficiency;
  for (const auto* g : grid) {
    ms.insert(g->m), ns.insert(g->n), ks.insert(g->k);
    efficiency[{g->m, g->n, g->k}] = g->flop_per_s() / peak;
  }
  GemmSurface s{{ms.begin(), ms.end()}, {ns.begin(), ns.end()}, {ks.begin(), ks.end()}, {}};
  for (long long m : ms)
    for (long long n : ns)
      for (long long k : ks) {
        const auto it = efficiency.find({m, n, k});
        if (it == efficiency.end())
          throw std::invalid_argument("the GEMM sweep misses the grid shape " + std::to_string(m) + "x" +
                                      std::to_string(n) + "x" + std::to_string(k));
        s.efficiency.push_back(it->second);
      }
  return s;
}

} // namespace

GemmFit fit_gemm(const std::vector<GemmSample>& samples, const std::string& precision, double peak, int sm_count,
                 const std::vector<GemmTile>& tiles)
{
  GemmFit fit;
  fit.precision = precision;
  fit.reference_peak_flop_per_s = peak;
  std::vector<const GemmSample*> grid, held_out;
  for (const auto& g : samples)
    if (g.precision == precision)
      (g.held_out ? held_out : grid).push_back(&g);
  if (grid.empty())
    throw std::invalid_argument("no GEMM measurements in " + precision);
  fit.surface = grid_surface(grid, peak);

  // 1/e_main = a + b/k, where e_main is the efficiency with wave quantization divided out.
  Eigen::MatrixXd A(grid.size(), 2);
  Eigen::VectorXd y(grid.size());
  for (size_t i = 0; i < grid.size(); ++i) {
    const GemmSample& g = *grid[i];
    const double e = g.flop_per_s() / peak / wave_efficiency(g.m, g.n, sm_count, tiles);
    A(i, 0) = 1.0, A(i, 1) = 1.0 / double(g.k), y(i) = 1.0 / e;
  }
  const Eigen::Vector2d ab = A.colPivHouseholderQr().solve(y);
  fit.peak_efficiency = std::clamp(1.0 / ab(0), 0.01, 1.0);
  fit.k_half = std::max(0.0, ab(1) / ab(0));

  std::vector<double> surface_errors, parametric_errors;
  for (const auto* g : held_out) {
    const double flops = 2.0 * g->m * g->n * g->k;
    const double parametric_e = fit.peak_efficiency * wave_efficiency(g->m, g->n, sm_count, tiles) *
                                double(g->k) / (double(g->k) + fit.k_half);
    ShapeCheck c{g->m, g->n, g->k, g->seconds, flops / (peak * fit.surface.at(g->m, g->n, g->k)),
                 flops / (peak * parametric_e)};
    surface_errors.push_back(std::fabs(c.surface_s / c.measured_s - 1));
    parametric_errors.push_back(std::fabs(c.parametric_s / c.measured_s - 1));
    fit.held_out.push_back(c);
  }
  if (!held_out.empty()) {
    fit.surface_max_error = *std::max_element(surface_errors.begin(), surface_errors.end());
    fit.parametric_max_error = *std::max_element(parametric_errors.begin(), parametric_errors.end());
  }
  fit.surface_median_error = median(surface_errors);
  fit.parametric_median_error = median(parametric_errors);
  return fit;
}

} // namespace dcsim::calibration
