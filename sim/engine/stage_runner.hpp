// What one pipeline rank does in the simulation: its schedule's forward and backward passes as
// Exec activities, tensor-parallel collectives and pipeline transfers as flows, gradient buckets
// handed to its communication stream, then the optimizer step; iteration after iteration, until
// steady state lets it fast-forward.
#pragma once

#include "engine/job_runner.hpp"

namespace dcsim {

class StageRunner {
public:
  StageRunner(JobShared& shared, int stage);
  /// The actor body.
  void operator()();

private:
  void run_iteration();
  void forward(const PipelineStep& step);
  void backward(const PipelineStep& step, bool last_for_chunk);
  /// Runs `seconds` of kernels with the tensor-parallel plan `tp` (scaled by `fraction`).
  void compute(double seconds, const CommPlan& tp, double fraction, const char* name);
  void finish_iteration();
  /// Queues this rank's ZeRO parameter all-gathers; false when there are none.
  bool enqueue_parameter_gathers();
  void fast_forward(double seconds);
  void gather_sharded_parameters(const ChunkPlans& plans);
  bool end_of_iteration_barrier();
  const ChunkPlans& plans_of(const PipelineStep& step) const;
  const ChunkWork& work_of(const PipelineStep& step) const;
  void record(const char* name, double start_s);

  JobShared& s_;
  int stage_;
  std::vector<PipelineStep> steps_;
  std::vector<int> last_backward_step_; ///< per virtual chunk: index in steps_ of its last backward
  bool parameter_gather_pending_ = false;
  bool gathers_owed_ = false; ///< the next simulated iteration starts by issuing the parameter gathers
  TimeBreakdown& now_stats();
};

} // namespace dcsim
