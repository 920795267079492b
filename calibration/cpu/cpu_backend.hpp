// The CPU calibration backend: the same measurements as the CUDA backend, run with Eigen and
// threads where no GPU exists, so that the whole calibrate pipeline (sweep, fit, profile) runs
// in CI. Its profile describes this CPU, computing every precision in fp32.
#pragma once

#include "measurements.hpp"

namespace dcsim::calibration {

struct SweepOptions {
  bool quick = false;       ///< a smaller sweep (CI: under 2 minutes on 2 cores)
  int collective_ranks = 0; ///< threads for the collectives; 0: the hardware's
};

Measurements run_cpu_benchmarks(const SweepOptions& options);

// The parts, also used by tests.
std::vector<GemmSample> cpu_gemm_sweep(const std::vector<long long>& ms, const std::vector<long long>& ns,
                                       const std::vector<long long>& ks);
GemmSample cpu_gemm(long long m, long long n, long long k);
std::vector<BlockSample> cpu_transformer_blocks(long long tokens, long long hidden, long long heads, long long seq_len);
std::vector<BandwidthSample> cpu_bandwidth(double bytes_per_array);
double cpu_launch_overhead_s();
std::vector<CollectiveSample> cpu_collectives(int ranks, double max_bytes);

} // namespace dcsim::calibration
