// What one rank of a job computes and communicates, per pipeline chunk and micro-batch.
//
// By symmetry every tensor-parallel rank of a chunk and every data-parallel replica does the same
// work, so a chunk is described once: its compute time per pass (from the compute cost model),
// the tensor-parallel collectives interleaved with it, and the parameters whose gradients the
// data-parallel group reduces. The engine turns this into SimGrid activities.
#pragma once

#include "compute/compute_cost_model.hpp"
#include "config/scenario_config.hpp"
#include "parallelism/collective_call.hpp"
#include "parallelism/layer_split.hpp"
#include "transformer/layer_ops.hpp"

#include <vector>

namespace dcsim {

struct PassWork {
  double compute_s = 0;      ///< max(GPU time, host issue time) of the pass's kernels
  double gpu_s = 0;          ///< kernels on one GPU, launch gaps included
  double memory_bound_s = 0; ///< the part of gpu_s in kernels HBM bandwidth sets (ComputeCostModel::memory_bound)
  double host_s = 0;         ///< CPU time to issue the kernels and collectives
  double flops = 0;          ///< executed FLOPs on one GPU (recompute included)
  CollectiveCalls tensor_parallel; ///< collectives over the TP group, on the critical path
  CollectiveCalls context_parallel; ///< key/value exchange over the context-parallel group
  CollectiveCalls expert_parallel;  ///< token dispatch and combine over the expert-parallel group
  /// GPU time the context-parallel exchange can hide behind (ring attention: the attention
  /// kernels); 0 when it is exposed.
  double context_overlap_s = 0;
};

struct ChunkWork {
  ChunkLayers layout;
  PassWork forward;
  PassWork backward;           ///< includes the recomputed forward under recompute
  /// The backward split for zero-bubble schedules: the input gradients (with the recomputed
  /// forward and every collective) and, apart, the parameters' gradients (dW GEMMs).
  PassWork input_gradient;
  PassWork weight_gradient;
  double parameters_per_gpu = 0; ///< parameters this chunk holds on one TP rank
  double expert_parameters_per_gpu = 0; ///< the part of them in experts (reduced by fewer ranks)
};

struct JobWorkload {
  std::vector<ChunkWork> chunks;          ///< model order
  double activation_bytes = 0;            ///< one micro-batch's [b, s, h] tensor between chunks
  std::vector<double> optimizer_s;        ///< per pipeline rank: optimizer step time
  std::vector<double> parameters_per_gpu; ///< per pipeline rank (all its chunks, one TP rank)
  std::vector<double> expert_parameters_per_gpu; ///< per pipeline rank, the part in experts
  double gradient_bytes_per_parameter = 4;
  double parameter_bytes = 2;
};

/// What the layer kernels of `job` depend on besides the model: micro-batch, splits, precision.
LayerContext layer_context_of(const JobConfig& job);

/// Builds the per-chunk work of `job` on a GPU described by `cost`.
JobWorkload build_job_workload(const JobConfig& job, const ComputeCostModel& cost);

/// Adam step time for `parameters` parameters on one GPU: fp32 master weights, moments and
/// gradient read and written, 16-bit weights written, gradient norm read: 34 bytes per parameter.
double optimizer_seconds(double parameters, const ComputeCostModel& cost);

/// The share of pipeline rank `stage`'s pass kernel time (forward and backward, recompute
/// included) spent in memory-bound kernels.
double memory_bound_share(const JobWorkload& workload, int stage);

/// Bytes per activation element for a precision (FP8 still keeps 16-bit activations).
double activation_element_bytes(Precision precision);

} // namespace dcsim
