// The step list of each pipeline schedule, one file per schedule (what they do:
// parallelism/pipeline_schedule.hpp). A new schedule is a file here, a line in
// pipeline_steps() and a name in the scenario reader.
#pragma once

#include "parallelism/pipeline_schedule.hpp"

#include <vector>

namespace dcsim::schedules {

std::vector<PipelineStep> gpipe(int micro_batches);
std::vector<PipelineStep> one_f_one_b(int stage, int pipeline, int micro_batches);
std::vector<PipelineStep> interleaved(int stage, int pipeline, int virtual_stages, int micro_batches);
std::vector<PipelineStep> zero_bubble_h1(int stage, int pipeline, int micro_batches);
std::vector<PipelineStep> dual_pipe_v(int rank, int pipeline, int micro_batches);

} // namespace dcsim::schedules
