// Fitting the GEMM part of a profile to measured GEMMs (Eigen):
//   * the measured surface itself (efficiency at each grid shape, interpolated in log space:
//     models/compute/gemm_surface.hpp), which the cost model uses for this precision;
//   * the parametric tile model's peak efficiency and k_half by linear least squares on
//     1/e = 1/e_peak + (k_half/e_peak) / k, after dividing out wave quantization, for shapes
//     and precisions the surface does not cover;
//   * the error of both on the held-out shapes (measured, not used to fit).
#pragma once

#include "compute/gpu_profile.hpp"
#include "measurements.hpp"

#include <string>
#include <vector>

namespace dcsim::calibration {

struct ShapeCheck {
  long long m = 0, n = 0, k = 0;
  double measured_s = 0, surface_s = 0, parametric_s = 0;
};

struct GemmFit {
  std::string precision;          ///< as measured ("bf16", ..., "fp32" on the CPU)
  double reference_peak_flop_per_s = 0;
  GemmSurface surface;
  double peak_efficiency = 0, k_half = 0;
  std::vector<ShapeCheck> held_out;
  double surface_max_error = 0, surface_median_error = 0;       ///< |predicted/measured - 1|
  double parametric_max_error = 0, parametric_median_error = 0;
};

/// @throw std::invalid_argument when the samples of `precision` do not form a complete grid.
GemmFit fit_gemm(const std::vector<GemmSample>& samples, const std::string& precision, double reference_peak_flop_per_s,
                 int sm_count, const std::vector<GemmTile>& tiles);

} // namespace dcsim::calibration
