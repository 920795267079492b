// The communication of a job, turned once into flow plans before the simulation starts.
//
// By symmetry only data-parallel replica 0 runs pipeline, tensor- and context-parallel traffic
// (every replica does the same on its own GPUs; of the context-parallel groups only tensor rank
// 0's, see context_parallel_plan); the data-parallel collectives involve every replica and every
// tensor-parallel rank, because that is where replicas meet on the fabric.
#pragma once

#include "results/simulation_result.hpp"
#include "collectives/comm_plan.hpp"
#include "config/scenario_config.hpp"
#include "engine/job_layout.hpp"
#include "parallelism/job_workload.hpp"

#include <vector>

namespace dcsim {

class Platform;

/// Consecutive gradient buckets reduced as one collective (see bucket_groups()).
struct GradientGroup {
  CommPlan reduce;
  int buckets = 1;          ///< Megatron buckets merged into this group
  double first_ready = 0;   ///< share of the chunk's backward after which its first bucket is ready
  double last_ready = 1;    ///< ... and its last bucket
};

struct ChunkPlans {
  CommPlan tp_forward;   ///< all tensor-parallel collectives of one forward pass
  CommPlan tp_backward;
  CommPlan cp_forward;   ///< all context-parallel exchanges of one forward pass (every TP rank's group)
  CommPlan cp_backward;
  CommPlan ep_forward;   ///< token dispatch and combine of one forward pass (tensor rank 0's expert group)
  CommPlan ep_backward;
  CommPlan send_forward; ///< activations to the next chunk (one flow per TP rank)
  CommPlan send_backward;///< gradients to the previous chunk
  std::vector<GradientGroup> gradient_groups; ///< data-parallel reduction, in the order grads become ready
  CommPlan parameter_gather;              ///< ZeRO: all-gather of updated parameters (empty otherwise)
  /// What the plans above were made of, for the report; calls_per_iteration counts per
  /// micro-batch for tensor-parallel and pipeline traffic (JobRunner scales it).
  std::vector<CollectiveUse> uses;
};

std::vector<ChunkPlans> build_chunk_plans(const JobConfig& job, const JobWorkload& workload, const JobLayout& layout,
                                          const Platform& platform, const CommunicationParams& params);

/// How `buckets` gradient buckets are grouped for simulation, in ready order: sizes ..., 4, 2, 1, 1.
std::vector<int> bucket_groups(int buckets);

/// Megatron's gradient bucket: max(40M, 1M x data) parameters (mcore DDP default).
double default_bucket_parameters(int data_parallel);

} // namespace dcsim
