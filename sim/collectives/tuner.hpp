// Choosing a collective algorithm and protocol, like NCCL's tuner: the fastest predicted for this
// operation, size, group and fabric among NCCL's algorithms (ring, tree, NVLS, direct), unless the
// user forces one (halving_doubling and hierarchical only run when forced).
//
// Prediction: each candidate (algorithm x protocol) is built once per group as flows for a unit
// size; its cost is  latency + bytes x (busiest link's load per byte / that link's bandwidth)
// on an otherwise idle fabric (uncontended_seconds). Costs are cached, so a sweep over sizes
// builds each candidate once.
#pragma once

#include "collectives/collective_algorithm.hpp"
#include "collectives/collective_override.hpp"

#include <string>

namespace dcsim {

struct CollectiveChoice {
  const CollectiveAlgorithm* algorithm = nullptr;
  Protocol protocol = Protocol::Simple;
  double estimated_s = 0;
  int channels = 0; ///< NCCL channels it runs on, where the profile gives them (0: not modelled)
};

/// @throw std::invalid_argument when no algorithm (or not the forced one) supports the call.
CollectiveChoice choose_collective(const std::vector<int>& group, const CollectiveCall& call, const Platform& platform,
                                   const CommunicationParams& params, const CollectiveOverride& override = {});

/// Chooses, then appends the call to `plan` with the chosen algorithm and protocol.
CollectiveChoice append_collective(CommPlan& plan, const std::vector<int>& group, const CollectiveCall& call,
                                   const Platform& platform, const CommunicationParams& params,
                                   const CollectiveOverride& override = {});

std::string to_string(Protocol protocol);

} // namespace dcsim
