// Reading nccl-tests output (all_reduce_perf and friends) into collective samples, so that logs
// measured elsewhere (e.g. ../shared/reference/collectives/echo_*) calibrate a profile's
// collectives. The operation comes from the file name (all_reduce, allreduce, all_gather, ...)
// or the `--op` given; the rank count from the "Rank N" lines of the header.
#pragma once

#include "measurements.hpp"

#include <string>
#include <vector>

namespace dcsim::calibration {

/// @throw std::invalid_argument ("file:line: what; expected what") on unreadable or malformed logs.
std::vector<CollectiveSample> read_nccl_tests_log(const std::string& path, const std::string& op = "");

} // namespace dcsim::calibration
