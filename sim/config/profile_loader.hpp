// Reading GPU calibration profiles (format: calibration/README.md).
#pragma once

#include "compute/gpu_profile.hpp"
#include "config/scenario_error.hpp"

#include <optional>
#include <string>
#include <vector>

namespace dcsim {

/// Reads a profile file. Problems go to `diagnostics`; the result is only meaningful when none were added.
GpuProfile load_profile_file(const std::string& path, Diagnostics& diagnostics);
/// Parses profile text (from a file or the built-in copies); `file` names it in errors.
GpuProfile parse_profile(const std::string& text, const std::string& file, Diagnostics& diagnostics);
/// A shipped profile by name ("h100-sxm"), compiled into the binary from calibration/profiles/.
std::optional<GpuProfile> builtin_profile(const std::string& name);
std::vector<std::string> builtin_profile_names();

} // namespace dcsim
