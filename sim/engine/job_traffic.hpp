// What a job's steady iteration puts on each tier of the fabric: bytes per link, by purpose, and
// how busy the links are over the iteration. Network architects size tiers and oversubscription
// from it; the busiest link says where a faster or wider fabric would pay.
//
// Counted from the flow plans the engine runs (job_plans.hpp), each as often as an iteration runs
// it (tensor-, context-, expert-parallel and pipeline traffic every micro-batch, gradients once, or
// every micro-batch under ZeRO-3), routed as SimGrid routes them. The engine simulates tensor,
// context, expert and pipeline traffic on one replica's GPUs only (the others do the same on
// their own); here every replica's copy is counted, on its own GPUs' routes. Checkpoint and
// storage traffic is not included.
#pragma once

#include "collectives/comm_plan.hpp"
#include "config/scenario_config.hpp"
#include "engine/job_layout.hpp"
#include "engine/job_plans.hpp"
#include "results/simulation_result.hpp"

#include <string>
#include <vector>

namespace dcsim {

class Fabric;
class Platform;

/// Per tier that carries any of the job's traffic, in the fabric's order from the GPUs up.
/// Utilizations are over `iteration_time_s` (none when it is 0).
std::vector<TierTraffic> steady_traffic(const JobConfig& job, const JobLayout& layout,
                                        const std::vector<ChunkPlans>& plans, const Platform& platform,
                                        const CommunicationParams& params, double iteration_time_s);

/// A directed link's tier: "scale_up", "gpu_nic", "nic_<switch>" (e.g. "nic_leaf"), the two
/// switch kinds of a fabric link from the lower up (e.g. "leaf_spine"), "global" or "storage".
std::string link_tier(const Fabric& fabric, int directed_link);
/// Where a link's tier comes in the fabric's order from the GPUs up (lower first).
int link_tier_rank(const Fabric& fabric, int directed_link);

/// Wire bytes a steady iteration of the job puts on each directed link (indexed by link; every
/// purpose and replica, as steady_traffic counts them), in two parts: what each data-parallel
/// replica sends among its own GPUs (tensor, context, expert and pipeline traffic), and the
/// collectives across the replicas (gradients, ZeRO's parameter gathers). A run on fewer
/// replicas (failures.elastic) moves the first in proportion to the replicas and the second as
/// a ring over them does.
struct SteadyLinkBytes {
  std::vector<double> within_replicas;
  std::vector<double> across_replicas;
  /// Both parts on link l.
  double total(std::size_t l) const { return within_replicas[l] + across_replicas[l]; }
};
SteadyLinkBytes steady_link_bytes(const JobConfig& job, const JobLayout& layout, const std::vector<ChunkPlans>& plans,
                                  const Platform& platform, const CommunicationParams& params);

/// Adaptive routing keeps a trunk's members equally busy: spreads what routes put on each of
/// the fabric's trunks over its members by bandwidth (`per_link` indexed by directed link).
void even_adaptive_trunks(std::vector<double>& per_link, const Fabric& fabric);

/// `bytes[i]` on every directed link flow i's route crosses (flows already on the wire, each on
/// its queue pair's route), adaptive trunks evened out as in steady_traffic; indexed by link.
std::vector<double> route_wire_flows(const std::vector<Flow>& flows, const std::vector<double>& bytes,
                                     const Platform& platform);

} // namespace dcsim
