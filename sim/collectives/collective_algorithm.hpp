// How a collective over a group of GPUs becomes flows. One algorithm per file (ring.cpp,
// tree.cpp, halving_doubling.cpp, hierarchical.cpp, nvls.cpp, collnet.cpp, direct.cpp), listed once in
// algorithms.cpp; the engine and the CLI reach them through the tuner (tuner.hpp).
//
// Every algorithm expresses its cost the same way: flows (bytes each pair moves, at the
// protocol's efficiency), phases when partners change, and a latency of
//   base_latency(protocol) + steps x (edge route latency + step_latency(protocol) [+ network step])
// and, where the profile gives NCCL's channels, a ring's or tree's small call on fewer channels
// (nccl_channels.hpp): a share of the rate and each channel's latency.
#pragma once

#include "collectives/comm_plan.hpp"
#include "collectives/nccl_channels.hpp"
#include "parallelism/collective_call.hpp"

#include <string>
#include <vector>

namespace dcsim {

class Platform;

/// What an algorithm needs to know about its group.
struct GroupShape {
  int ranks = 0;
  int domains = 0;         ///< NVLink domains spanned
  int per_domain = 0;      ///< ranks per domain when uniform, else 0
  bool power_of_two = false;
  bool in_network_reduction = false; ///< the fabric's switches reduce (Platform::in_network_reduction)

  static GroupShape of(const std::vector<int>& group, const Platform& platform);
};

struct CollectiveContext {
  const Platform& platform;
  const CommunicationParams& params;
  Protocol protocol = Protocol::Simple;
  /// Run on all of NCCL's channels whatever the size (the tuner's cost per byte; it adds
  /// channel_use() itself).
  bool all_channels = false;
};

class CollectiveAlgorithm {
public:
  virtual ~CollectiveAlgorithm() = default;
  virtual std::string name() const = 0;
  virtual bool supports(CollectiveKind kind, const GroupShape& shape, Protocol protocol) const = 0;
  /// Adds the flows, phases and latencies of `call` over `group` (GPU indices in rank order)
  /// to `plan`. Calls added to the same plan run one after the other.
  virtual void append(CommPlan& plan, const std::vector<int>& group, const CollectiveCall& call,
                      const CollectiveContext& context) const = 0;
  /// On how many of NCCL's channels `call` runs over `ranks` ranks (nccl_channels.hpp): what its
  /// rate and latency become. By default all of them.
  virtual ChannelUse channel_use(const CollectiveCall&, int /*ranks*/, const CommunicationParams&, Protocol) const
  {
    return {};
  }
  /// channel_use() as `append` applies it: none when the context runs on all channels.
  ChannelUse channels_for(const CollectiveCall& call, int ranks, const CollectiveContext& context) const
  {
    return context.all_channels ? ChannelUse{} : channel_use(call, ranks, context.params, context.protocol);
  }
};

/// Every algorithm, in the order the tuner tries them.
const std::vector<const CollectiveAlgorithm*>& collective_algorithms();
/// The algorithm called `name`, or nullptr.
const CollectiveAlgorithm* find_collective_algorithm(const std::string& name);
std::vector<std::string> collective_algorithm_names();

/// The group's members split by NVLink domain, in group order (consecutive members of one domain
/// form one part).
std::vector<std::vector<int>> split_by_domain(const std::vector<int>& group, const Platform& platform);
/// split_by_domain's parts when they all have the same size (one part for a single domain);
/// empty otherwise.
std::vector<std::vector<int>> uniform_domains(const std::vector<int>& group, const Platform& platform);

/// Latency of one hop (src -> dst): its route latency, the protocol's step latency and, when it
/// crosses the network, the network step latency.
double hop_latency(int src, int dst, const CollectiveContext& context);
/// Latency of one algorithm step: the slowest of the given edges.
double step_latency(const std::vector<std::pair<int, int>>& edges, const CollectiveContext& context);
/// The protocol's base latency plus `steps` steps over `edges`.
double steps_latency(int steps, const std::vector<std::pair<int, int>>& edges, const CollectiveContext& context);

const CollectiveAlgorithm& ring_algorithm();
const CollectiveAlgorithm& tree_algorithm();
const CollectiveAlgorithm& halving_doubling_algorithm();
const CollectiveAlgorithm& hierarchical_algorithm();
const CollectiveAlgorithm& nvls_algorithm();
const CollectiveAlgorithm& collnet_algorithm();
const CollectiveAlgorithm& direct_algorithm();

/// Bytes each rank sends to its ring successor for `call` over `n` ranks, and the number of
/// sequential steps: all-reduce 2(n-1)/n*S over 2(n-1) steps; all-gather, reduce-scatter and
/// all-to-all (n-1)/n*S over n-1; broadcast and reduce S over n-1 (pipelined); send/recv S, 1.
struct RingCost {
  double edge_bytes = 0;
  int steps = 0;
};
RingCost ring_cost(const CollectiveCall& call, int n);

} // namespace dcsim
