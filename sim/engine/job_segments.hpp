// A training job preempted by the scheduler runs in segments: each a JobRunner of its own on the
// GPUs it got that time, with the iterations still to do. Their results make the job's one.
#pragma once

#include "results/simulation_result.hpp"

#include <vector>

namespace dcsim {

/// The job's result from its segments' (in order; at least one): steady-state figures, memory
/// and placement from the last, times from the first start to the last end, iterations,
/// reliability counts and times added up (the last write and read whichever run did them), the gaps between segments counted as waiting
/// (`queue_s`, `suspended_s`), and goodput over the time it held GPUs.
JobResult merge_segments(const std::vector<JobResult>& segments, int iterations);

} // namespace dcsim
