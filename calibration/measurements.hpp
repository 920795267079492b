// Raw micro-benchmark results: what a calibration backend (cpu/, cuda/) measured on one machine,
// before any fitting. Both backends produce this, as JSON (the CUDA backend is a separate
// executable built by nvcc), and `dcsim calibrate` fits profiles from it (fit/).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace dcsim::calibration {

struct DeviceInfo {
  std::string backend;  ///< "cpu" or "cuda"
  std::string name;     ///< e.g. "NVIDIA H200" or the CPU model
  int count = 1;        ///< GPUs (or worker threads) used for the collectives
  int sm_count = 0;
  double memory_bytes = 0;
  std::string driver_version, runtime_version, nccl_version, library_version;
};

/// C[m,n] = A[m,k] B[k,n] in one precision ("bf16", "fp16", "tf32", "fp8").
struct GemmSample {
  std::string precision;
  long long m = 0, n = 0, k = 0;
  double seconds = 0;
  bool held_out = false; ///< measured to check the fit, not used by it

  double flop_per_s() const { return 2.0 * m * n * k / seconds; }
};

/// A whole transformer block pass run as real kernels: "mlp" or "attention", "forward" or
/// "backward", for `tokens` tokens (batch x sequence) of width `hidden`.
struct BlockSample {
  std::string block, pass, precision;
  long long tokens = 0, hidden = 0, ffn_hidden = 0, heads = 0, seq_len = 0;
  double seconds = 0;
};

/// A streaming kernel or copy: "triad", "layernorm", "h2d", "d2h", "d2d".
struct BandwidthSample {
  std::string kernel;
  double bytes = 0; ///< bytes read + written
  double seconds = 0;
};

/// One collective over `ranks` local GPUs (or threads): op is nccl-tests' name
/// ("allreduce", "allgather", "reducescatter", "alltoall", "sendrecv"); bytes as nccl-tests.
struct CollectiveSample {
  std::string op;
  int ranks = 1;
  double bytes = 0;
  double seconds = 0;
};

/// A computation (`victim`: a GEMM or a streaming kernel) timed alone and again while a
/// communication-like kernel of `comm_ctas` thread blocks holds that many of the `sm_count` SMs,
/// spinning ("spin") or copying through memory ("copy_*").
struct OverlapSample {
  std::string victim, comm_mode;
  int comm_ctas = 0, sm_count = 0;
  double comm_target_bytes_per_s = 0; ///< memory traffic asked of the copy (0: unpaced)
  double alone_s = 0, overlapped_s = 0;
  double comm_bytes_per_s = 0; ///< memory traffic the copy achieved (read + written)
  bool resident = true;        ///< every communication block ran before the computation started

  double slowdown() const { return overlapped_s / alone_s; }
};

struct Measurements {
  DeviceInfo device;
  double launch_overhead_s = 0; ///< host time to issue one empty kernel
  std::vector<GemmSample> gemms;
  std::vector<BlockSample> blocks;
  std::vector<BandwidthSample> bandwidths;
  std::vector<CollectiveSample> collectives;
  std::vector<OverlapSample> overlaps;
};

nlohmann::json to_json(const Measurements& m);
/// @throw std::invalid_argument naming the missing or malformed field.
Measurements measurements_from_json(const nlohmann::json& j);

} // namespace dcsim::calibration
