// What one pipeline rank does in the simulation: its schedule's forward and backward passes as
// Exec activities, tensor-parallel collectives and pipeline transfers as flows, gradient buckets
// handed to its communication stream, then the optimizer step; iteration after iteration, until
// steady state lets it fast-forward.
#pragma once

#include "engine/job_runner.hpp"

namespace dcsim {

/// The communication interleaved with one pass's kernels.
struct PassComm {
  const CommPlan& tensor;  ///< tensor-parallel collectives
  const CommPlan& context; ///< context-parallel exchange
  double context_overlap_s = 0; ///< kernel time (at full speed) that hides `context`; 0: exposed
  const CommPlan& expert;  ///< expert-parallel token dispatch and combine (exposed)
};

class StageRunner {
public:
  StageRunner(JobShared& shared, int stage);
  /// The actor body.
  void operator()();

private:
  void run_iteration();
  void forward(const PipelineStep& step);
  void backward(const PipelineStep& step, bool last_for_chunk);
  /// DualPipe's forward of one chunk overlapped with a backward of another.
  void forward_backward(const PipelineStep& f, const PipelineStep& b, bool b_last_for_chunk);
  /// A zero-bubble schedule's deferred weight-gradient pass.
  void weight_gradient(const PipelineStep& step, bool last_for_chunk);
  /// Runs the pass that produces the chunk's weight gradients and hands them to the data-parallel
  /// reduction: bucket by bucket during the chunk's last such pass when gradients are reduced as
  /// they become ready, after each pass under ZeRO-3.
  void compute_gradients(const PassWork& pass, const PassComm& comm, const ChunkPlans& plans, bool last_for_chunk,
                         const char* name);
  /// Runs `seconds` of kernels with their communication (plans scaled by `fraction`).
  void compute(double seconds, const PassComm& comm, double fraction, const char* name);
  /// Context-parallel exchange hidden behind the first kernels of a pass; returns the kernel
  /// time it used.
  double overlapped_context_exchange(double seconds, const PassComm& comm, double fraction);
  /// Communication that waits for (or is waited for by) the pass, counted as exposed.
  void exposed_comm(const CommPlan& plan, double fraction, double TimeBreakdown::*kind);
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
  std::vector<int> chunk_of_; ///< per virtual index: the model-order chunk this rank runs
  /// Per virtual chunk: index in steps_ of the last step that computes its weight gradients.
  std::vector<int> last_gradient_step_;
  bool parameter_gather_pending_ = false;
  bool gathers_owed_ = false; ///< the next simulated iteration starts by issuing the parameter gathers
  bool memo_applied_ = false; ///< this rank took the state an earlier run's memo left (run_memo.hpp)
  TimeBreakdown& now_stats();
  /// Rank 0, at the run's first boundary: fast-forward through an earlier run's first iterations
  /// instead of simulating them, when the coordinator allows it.
  void take_memo(int iterations_left);
  /// Rank 0, once the run first goes steady: record its first iterations for later runs.
  void record_memo();
};

} // namespace dcsim
