// From the cluster's typed configuration to a topology generator: the one place that knows
// which generator builds which `fabric.topology`.
#pragma once

#include "config/scenario_config.hpp"
#include "fabric.hpp"

#include <memory>
#include <string>

namespace dcsim {

/// Builds the fabric the cluster describes. @throw std::invalid_argument if it cannot be built.
std::unique_ptr<Fabric> build_fabric(const ClusterConfig& cluster);

/// Why the cluster's fabric cannot be built, or "" (cheap: no graph is built).
std::string check_fabric(const ClusterConfig& cluster);

/// Why switches and cables out of service (`fabric.down`) leave checkpoints nowhere to go: a
/// storage server cabled to the fabric that the NICs can no longer reach. "" if none.
std::string storage_cut_off(const Fabric& fabric);

} // namespace dcsim
