// `dcsim calibrate`: measure (a backend), fit (fit/), write a profile (profile_writer).
//
//   measurements  cpu: cpu/cpu_backend.hpp in this process; cuda: the dcsim-calibrate-cuda
//                 executable (built by nvcc) writes them as JSON; or a JSON file from either;
//                 plus any nccl-tests logs
//   reference     the datasheet of the catalog GPU (cuda), or the CPU's own best GEMM rate and
//                 stream bandwidth (cpu), which the efficiencies are fractions of
//   base profile  the GPU's shipped profile: what the sweep does not measure (FlashAttention,
//                 network, tiles) is taken from it and says so
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace dcsim::calibration {

struct CalibrateOptions {
  std::string backend;            ///< "cpu", "cuda", or "" (only --measurements / --nccl-tests)
  std::string out_path;
  bool quick = false;
  std::string gpu;                ///< catalog GPU (reference peaks, base profile); default from the device
  double scale_up_bytes_per_s = 0; ///< link rate for scale_up_efficiency; 0: keep the base profile's
  std::vector<std::string> nccl_tests_logs;
  std::string measurements_path;  ///< fit these measurements (JSON) instead of running a backend
  /// FlashAttention by sequence length (scripts/device_attention.py's JSON); "": the shipped
  /// profile's two constants.
  std::string flash_attention_path;
  /// What a sustained run keeps of the sweep's GEMM throughput (the sweep's kernels run for
  /// milliseconds, before the power limit lowers the clock; scripts/device-power.sh measures a
  /// sustained one). 1: the profile is the burst clock's.
  double sustained_clock_fraction = 1.0;
  std::string command_line;       ///< for the provenance
};

/// A problem the user can fix (bad option, no GPU, unwritable path): exit status 2 or 1.
class CalibrationError : public std::runtime_error {
public:
  CalibrationError(const std::string& message, bool invalid_input)
      : std::runtime_error(message), invalid_input_(invalid_input)
  {
  }
  bool invalid_input() const { return invalid_input_; }

private:
  bool invalid_input_;
};

/// Runs everything and writes the profile; returns the report to print.
/// @throw CalibrationError; nothing is written then.
std::string calibrate(const CalibrateOptions& options);

} // namespace dcsim::calibration
