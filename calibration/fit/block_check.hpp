// The measured transformer blocks against the cost model: the MLP and attention kernels that
// dcsim's layer model (models/transformer/layer_ops.hpp) lists for the same shapes, timed with
// the fitted profile. Not a fit: it checks that kernels fitted one by one add up to a block.
#pragma once

#include "compute/compute_cost_model.hpp"
#include "measurements.hpp"

#include <vector>

namespace dcsim::calibration {

struct BlockCheck {
  std::string block, pass;
  double measured_s = 0, predicted_s = 0;
  double error() const { return predicted_s / measured_s - 1; }
};

std::vector<BlockCheck> check_blocks(const std::vector<BlockSample>& blocks, const ComputeCostModel& model,
                                     double activation_bytes);

} // namespace dcsim::calibration
