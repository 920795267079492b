// Writing a GPU profile (the format sim/config/profile_loader.cpp reads, calibration/README.md
// documents) with the raw measurements, the fit report and the provenance kept alongside.
// The file appears whole or not at all: it is written to a temporary name and renamed.
#pragma once

#include "compute/gpu_profile.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace dcsim::calibration {

std::string profile_yaml(const GpuProfile& profile, const nlohmann::json& measurements, const nlohmann::json& fit,
                         const nlohmann::json& provenance);

/// Fails early (before a long sweep) if `path` cannot be written. @throw std::runtime_error.
void check_writable(const std::string& path);
/// Writes `text` to `path` atomically. @throw std::runtime_error naming the path and the reason.
void write_file_atomically(const std::string& path, const std::string& text);

} // namespace dcsim::calibration
