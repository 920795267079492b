// Timing for micro-benchmarks: warm up once, then repeat until enough time has passed and keep
// the fastest repetition (the least disturbed by other processes on a shared machine).
#pragma once

#include <algorithm>
#include <chrono>
#include <limits>

namespace dcsim::calibration {

template <typename F>
double fastest_seconds(F&& work, double min_total_s = 0.05, int min_reps = 3, int max_reps = 1000)
{
  using clock = std::chrono::steady_clock;
  work(); // warm-up: page faults, caches, lazy initialisation
  double best = std::numeric_limits<double>::infinity();
  double total = 0;
  for (int rep = 0; rep < max_reps && (rep < min_reps || total < min_total_s); ++rep) {
    const auto start = clock::now();
    work();
    const double s = std::chrono::duration<double>(clock::now() - start).count();
    best = std::min(best, s);
    total += s;
  }
  return best;
}

} // namespace dcsim::calibration
