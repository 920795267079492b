// `dcsim calibrate`: see calibration/calibrate.hpp.
#include "cli/commands.hpp"

#include "calibrate.hpp"
#include "units/units.hpp"

#include <iostream>

namespace dcsim::cli {

int calibrate_command(const CalibrateArgs& args)
{
  calibration::CalibrateOptions options;
  options.backend = args.backend;
  options.out_path = args.out;
  options.quick = args.quick;
  options.gpu = args.gpu;
  options.nccl_tests_logs = args.nccl_tests_logs;
  options.measurements_path = args.measurements;
  options.flash_attention_path = args.flash_attention;
  options.sustained_clock_fraction = args.sustained_clock_fraction;
  options.command_line = args.command_line;
  try {
    if (!args.scale_up_bandwidth.empty())
      options.scale_up_bytes_per_s = parse_quantity(args.scale_up_bandwidth, Dimension::BytesPerSecond);
  } catch (const UnitError& e) {
    std::cerr << "--scale-up-bandwidth: " << e.what() << "\n";
    return 2;
  }
  try {
    std::cout << calibration::calibrate(options);
    return 0;
  } catch (const calibration::CalibrationError& e) {
    std::cerr << "dcsim calibrate: " << e.what() << "\n";
    return e.invalid_input() ? 2 : 1;
  }
}

} // namespace dcsim::cli
