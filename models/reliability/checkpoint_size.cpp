#include "reliability/checkpoint_size.hpp"

#include "transformer/model_flops.hpp"

namespace dcsim {

double checkpoint_bytes(const ModelConfig& model)
{
  return kCheckpointBytesPerParameter * total_parameters(model);
}

} // namespace dcsim
