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

/// Host <-> device copy rate over PCIe Gen5 x16: 55.4 GB/s host-to-device measured on H200 nodes
/// (nvbandwidth; reference/collectives/published.yaml stas_p2p_and_pcie_measurements), 88% of the
/// 63 GB/s line rate. H100, H200 and B200 hosts, and an inline GPU's default.
constexpr double kPcieGen5BytesPerS = 55.4e9;

/// The catalog entry called `name`, or nothing. Names are matched exactly.
std::optional<GpuSpec> find_gpu(const std::string& name);

/// All catalog names, in catalog order (for "expected one of" messages).
std::vector<std::string> gpu_names();

} // namespace dcsim
