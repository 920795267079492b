// Bytes in one checkpoint of a training job.
#pragma once

#include "config/scenario_config.hpp"

namespace dcsim {

/// Mixed-precision Adam training state per parameter: 2-byte weights, an fp32 master copy and
/// fp32 Adam moments (2 + 4 + 4 + 4). The same whatever the compute precision or ZeRO stage
/// (sharding splits it, it does not shrink it). BLOOM-176B's checkpoints hold exactly these
/// (bigscience tr11 README: 14 bytes per parameter, 2.3 TB).
inline constexpr double kCheckpointBytesPerParameter = 14.0;

/// The job's whole checkpoint: every parameter's training state, once (not per data-parallel replica).
double checkpoint_bytes(const ModelConfig& model);

} // namespace dcsim
