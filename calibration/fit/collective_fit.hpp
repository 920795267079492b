// Fitting collectives: an alpha-beta line t = alpha + beta * bytes per (operation, GPU count,
// size range), by least squares on the relative error (Eigen), on every other measured size;
// the sizes in between are held out to report the fit's error. The ranges follow NCCL's
// protocols: below 64 KiB (LL), 64 KiB to 4 MiB (LL128), from 4 MiB (Simple).
//
// The all-reduce lines then set the profile's protocol parameters (apply_all_reduce_fit): the
// Simple bandwidth gives scale_up_efficiency (when the link rate is known), the other ranges'
// bandwidth relative to Simple the protocols' efficiencies, and alpha less the steps' route
// latency their base latency; with several GPU counts alpha is regressed on the step count,
// which separates the per-step latency from the per-call one.
#pragma once

#include "compute/gpu_profile.hpp"
#include "measurements.hpp"

#include <string>
#include <vector>

namespace dcsim::calibration {

struct AlphaBeta {
  std::string op;
  int ranks = 0;
  double min_bytes = 0, max_bytes = 0; ///< [min, max)
  double alpha_s = 0, beta_s_per_byte = 0;
  int points = 0;
  double fit_max_error = 0;      ///< on the points used
  double held_out_max_error = 0; ///< on the sizes in between
};

std::vector<AlphaBeta> fit_collectives(const std::vector<CollectiveSample>& samples);

/// Sets `comm`'s protocol parameters from the all-reduce lines (ranks >= 2 only); returns what it
/// did, one line per parameter, or nothing when there is no multi-rank all-reduce.
/// `link_bytes_per_s` = 0 leaves scale_up_efficiency as it is.
std::vector<std::string> apply_all_reduce_fit(const std::vector<AlphaBeta>& fits, double link_bytes_per_s,
                                              double route_latency_s, CommunicationParams& comm);

} // namespace dcsim::calibration
