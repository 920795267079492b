#include "collectives/tuner.hpp"

#include "collectives/nccl_nvls_choice.hpp"
#include "platform/platform.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <tuple>

namespace dcsim {

std::string to_string(Protocol protocol)
{
  switch (protocol) {
    case Protocol::LL: return "LL";
    case Protocol::LL128: return "LL128";
    case Protocol::Simple: return "Simple";
  }
  return "?";
}

namespace {

/// Above this many ranks, algorithms whose flow count grows faster than the ranks' are not
/// tried (NCCL does not run them at that scale either).
constexpr int kLargeGroup = 4096;

struct UnitCost {
  double seconds_per_byte = 0;
  double latency_s = 0;
};

std::size_t group_hash(const std::vector<int>& group)
{
  std::size_t h = group.size();
  for (int g : group)
    h = h * 1000003u ^ std::hash<int>()(g);
  return h;
}

/// Cost of one candidate for a unit message, cached per (platform, group, op, algorithm, protocol).
UnitCost unit_cost(const CollectiveAlgorithm& algorithm, Protocol protocol, const std::vector<int>& group,
                   CollectiveKind kind, const Platform& platform, const CommunicationParams& params)
{
  using Key = std::tuple<const Platform*, std::size_t, std::size_t, int, const CollectiveAlgorithm*, int>;
  static std::map<Key, UnitCost> cache;
  const Key key{&platform, group_hash(group), group.size(), static_cast<int>(kind), &algorithm,
                static_cast<int>(protocol)};
  if (auto found = cache.find(key); found != cache.end())
    return found->second;
  constexpr double kUnit = 1 << 20;
  CommPlan plan;
  algorithm.append(plan, group, {kind, kUnit, 1}, {platform, params, protocol, true});
  double latency = 0;
  for (const auto& phase : plan.phases)
    latency += phase.latency_s;
  const double total = uncontended_seconds(plan, platform, params);
  const UnitCost cost{std::max(0.0, total - latency) / kUnit, latency};
  cache.emplace(key, cost);
  return cost;
}

} // namespace

bool CollectiveOverride::allows(const std::string& algorithm) const
{
  return algorithms.empty() || std::find(algorithms.begin(), algorithms.end(), algorithm) != algorithms.end();
}

bool CollectiveOverride::allows(Protocol protocol) const
{
  return protocols.empty() || std::find(protocols.begin(), protocols.end(), protocol) != protocols.end();
}

namespace {

/// The fastest predicted (algorithm x protocol) among those `override` allows; no algorithm when
/// none of them can run the call.
CollectiveChoice fastest_allowed(const GroupShape& shape, const std::vector<int>& group, const CollectiveCall& call,
                                 const Platform& platform, const CommunicationParams& params,
                                 const CollectiveOverride& override)
{
  CollectiveChoice best;
  best.estimated_s = std::numeric_limits<double>::infinity();
  const bool named = !override.algorithms.empty();
  // Inside one domain NCCL decides between NVLS and the ring by its own model
  // (nccl_nvls_choice.hpp): where it runs NVLS so does this, elsewhere NVLS is left out -- unless
  // NVLS alone is asked for.
  std::optional<bool> nccl_runs_nvls;
  const bool only_nvls = override.algorithms.size() == 1 && override.algorithms.front() == "nvls";
  if (shape.domains == 1 && !only_nvls && params.nccl_nvls_choice.given() && params.nvls_efficiency > 0 &&
      override.allows("nvls") && override.allows(Protocol::Simple) &&
      nvls_algorithm().supports(call.kind, shape, Protocol::Simple))
    nccl_runs_nvls = nccl_model_prefers_nvls(params.nccl_nvls_choice, shape.ranks, call.bytes);
  for (const CollectiveAlgorithm* algorithm : collective_algorithms()) {
    if (!override.allows(algorithm->name()))
      continue;
    // By default only what NCCL implements (ring, tree, NVLS, CollNet, direct); halving-doubling
    // and hierarchical (MPI/Horovod-style) run when asked for.
    const bool nccl = algorithm != &halving_doubling_algorithm() && algorithm != &hierarchical_algorithm();
    if (!named && !nccl)
      continue;
    if (!named && algorithm == &direct_algorithm() && shape.ranks > kLargeGroup && call.kind != CollectiveKind::AllToAll)
      continue;
    for (Protocol protocol : {Protocol::LL, Protocol::LL128, Protocol::Simple}) {
      if (!override.allows(protocol) || !algorithm->supports(call.kind, shape, protocol))
        continue;
      if (algorithm == &nvls_algorithm() && params.nvls_efficiency <= 0)
        continue;
      if (nccl_runs_nvls && *nccl_runs_nvls != (algorithm == &nvls_algorithm()))
        continue;
      const UnitCost cost = unit_cost(*algorithm, protocol, group, call.kind, platform, params);
      const ChannelUse channels = algorithm->channel_use(call, shape.ranks, params, protocol);
      const double seconds =
          call.count * (cost.latency_s + channels.latency_s + call.bytes * cost.seconds_per_byte / channels.rate_fraction);
      if (seconds < best.estimated_s)
        best = {algorithm, protocol, seconds, channels.channels};
    }
  }
  return best;
}

std::string names_of(const std::vector<std::string>& algorithms)
{
  std::string out;
  for (const auto& name : algorithms)
    out += (out.empty() ? "" : ", ") + name;
  return out;
}

std::string names_of(const std::vector<Protocol>& protocols)
{
  std::string out;
  for (Protocol p : protocols)
    out += (out.empty() ? "" : ", ") + to_string(p);
  return out;
}

} // namespace

CollectiveChoice choose_collective(const std::vector<int>& group, const CollectiveCall& call, const Platform& platform,
                                   const CommunicationParams& params, const CollectiveOverride& override)
{
  const GroupShape shape = GroupShape::of(group, platform);
  CollectiveChoice best = fastest_allowed(shape, group, call, platform, params, override);
  if (!best.algorithm && override.fall_back_to_ring && !override.algorithms.empty())
    best = fastest_allowed(shape, group, call, platform, params, {{"ring"}, override.protocols, false});
  if (!best.algorithm) {
    const auto& algorithms = override.algorithms;
    const std::string what = algorithms.empty()      ? "no collective algorithm can run "
                             : algorithms.size() == 1 ? "algorithm " + algorithms.front() + " cannot run "
                                                      : "none of the algorithms " + names_of(algorithms) + " can run ";
    throw std::invalid_argument(what + to_string(call.kind) + " over " + std::to_string(shape.ranks) + " GPUs" +
                                (override.protocols.empty() ? "" : " with protocol " + names_of(override.protocols)));
  }
  return best;
}

CollectiveChoice append_collective(CommPlan& plan, const std::vector<int>& group, const CollectiveCall& call,
                                   const Platform& platform, const CommunicationParams& params,
                                   const CollectiveOverride& override)
{
  const CollectiveChoice choice = choose_collective(group, call, platform, params, override);
  choice.algorithm->append(plan, group, call, {platform, params, choice.protocol});
  return choice;
}

} // namespace dcsim
