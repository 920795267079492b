// Memory one GPU needs to train a job, and whether it fits.
//
// Weights, gradients and Adam states follow Megatron's mixed precision: 16-bit weights,
// `gradient_bytes` per gradient (fp32 main gradients by default), fp32 master weights and two fp32
// moments (12 bytes); ZeRO stage 1 shards the optimizer states over the data-parallel group,
// stage 2 also the gradients, stage 3 also the weights (Rajbhandari et al. 2020).
// Activations follow Korthikanti et al. 2022 (sec. 4), generalised per component: per token and
// layer, 10h bytes are replicated across tensor-parallel ranks (norm inputs, GEMM inputs, dropout
// masks; split too under sequence parallelism), Q, K, V, the attention output and the MLP
// intermediates are split, and unfused attention adds 5*a*s bytes (scores, softmax, dropout).
// Full recompute keeps only each layer's input (plus one layer's working set); selective drops
// the attention-core term. A pipeline rank holds the activations of the micro-batches in flight
// under its schedule (p - rank for 1F1B, all for GPipe, Megatron's warm-up + 1 chunks when
// interleaved); under ZB-H1 rank r also keeps, for the r weight-gradient passes it defers, each
// dW GEMM's input and output gradient.
#pragma once

#include "config/scenario_config.hpp"

namespace dcsim {

struct MemoryEstimate {
  double weights_bytes = 0;
  double gradients_bytes = 0;
  double optimizer_bytes = 0;
  double activations_bytes = 0;
  double runtime_bytes = 0; ///< CUDA context, library workspaces, communication buffers
  int stage = 0;            ///< the pipeline rank this estimate is for (the fullest one)

  double total_bytes() const
  {
    return weights_bytes + gradients_bytes + optimizer_bytes + activations_bytes + runtime_bytes;
  }
};

/// Activation bytes of one layer for one micro-batch on one GPU.
double layer_activation_bytes(const JobConfig& job);
/// Memory on the fullest pipeline rank of `job`.
MemoryEstimate estimate_memory(const JobConfig& job);

} // namespace dcsim
