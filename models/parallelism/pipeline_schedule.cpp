#include "parallelism/pipeline_schedule.hpp"

#include "parallelism/schedules/schedules.hpp"

namespace dcsim {

ChunkPlacement chunk_placement(PipelineSchedule schedule)
{
  return schedule == PipelineSchedule::DualPipeV ? ChunkPlacement::V : ChunkPlacement::Interleaved;
}

std::vector<ChunkLayers> job_chunks(const JobConfig& job)
{
  const auto& p = job.parallelism;
  return split_layers(job.model.layers, p.pipeline, p.virtual_stages, chunk_placement(p.schedule),
                      p.first_stage_layers, p.last_stage_layers);
}

std::vector<PipelineStep> pipeline_steps(PipelineSchedule schedule, int stage, int pipeline, int virtual_stages,
                                         int micro_batches)
{
  switch (schedule) {
    case PipelineSchedule::GPipe:
      return schedules::gpipe(micro_batches);
    case PipelineSchedule::OneFOneB:
      return schedules::one_f_one_b(stage, pipeline, micro_batches);
    case PipelineSchedule::Interleaved:
      return schedules::interleaved(stage, pipeline, virtual_stages, micro_batches);
    case PipelineSchedule::ZeroBubbleH1:
      return schedules::zero_bubble_h1(stage, pipeline, micro_batches);
    case PipelineSchedule::DualPipeV:
      return schedules::dual_pipe_v(stage, pipeline, micro_batches);
  }
  return {};
}

InFlight peak_in_flight(const std::vector<PipelineStep>& steps, double pass_bytes, double deferred_weight_bytes)
{
  InFlight now, peak;
  double most = -1;
  for (const PipelineStep& step : steps) {
    switch (step.pass) {
      case PassKind::Forward:
        ++now.passes;
        break;
      case PassKind::Backward:
        --now.passes;
        if (step.defers_weights)
          ++now.deferred_weight_passes;
        break;
      case PassKind::WeightGradient:
        --now.deferred_weight_passes;
        break;
    }
    const double bytes = now.passes * pass_bytes + now.deferred_weight_passes * deferred_weight_bytes;
    if (bytes > most) {
      most = bytes;
      peak = now;
    }
  }
  return peak;
}

} // namespace dcsim
