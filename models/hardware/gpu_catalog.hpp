// The GPUs a scenario may name (`cluster.node.gpu: H100-SXM-80GB`), with datasheet numbers.
//
// Sources (../shared/reference/hardware/published.yaml, entries spec_*): NVIDIA datasheets via
// stas00/ml-engineering commit 744d01e18b79; SM counts and clocks as given there.
#pragma once

#include "hardware/gpu_spec.hpp"

#include <optional>
#include <string>
#include <vector>

namespace dcsim {

/// The catalog entry called `name`, or nothing. Names are matched exactly.
std::optional<GpuSpec> find_gpu(const std::string& name);

/// All catalog names, in catalog order (for "expected one of" messages).
std::vector<std::string> gpu_names();

} // namespace dcsim
