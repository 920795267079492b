#include "engine/job_traffic.hpp"

#include "platform/platform.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace dcsim {

namespace {

/// Which replicas of a plan run beside the one the engine simulates: the plan's GPUs moved by
/// every combination of tensor-rank, context-rank and data-rank offsets below (data ranks in
/// steps of `data_step`). Offsets apply modulo each dimension's size.
struct Copies {
  int tensor = 1;
  int context = 1;
  int data = 1;
  int data_step = 1;
};

/// Payload bytes per ordered GPU pair and purpose, for one steady iteration.
class PairBytes {
public:
  PairBytes(const JobConfig& job, const JobLayout& layout, int cluster_gpus)
      : p_(job.parallelism), layout_(layout), rank_of_(cluster_gpus, -1)
  {
    for (int rank = 0; rank < layout.placement().gpus(); ++rank)
      rank_of_[layout.placement().gpu(rank)] = rank;
  }

  /// Every flow of `plan`, `times` per iteration, in each of its `copies`.
  void add(const CommPlan& plan, CollectivePurpose purpose, double times, const Copies& copies)
  {
    if (times <= 0)
      return;
    // The plan's pairs first (a plan holds many phases over the same few pairs), then their copies.
    std::unordered_map<std::uint64_t, double> own;
    for (const CommPhase& phase : plan.phases)
      for (const Flow& f : phase.flows)
        if (f.src != f.dst && f.bytes > 0)
          own[key(f.src, f.dst)] += f.bytes * times;
    for (const auto& [pair, bytes] : own)
      for (int t = 0; t < copies.tensor; ++t)
        for (int c = 0; c < copies.context; ++c)
          for (int d = 0; d < copies.data; ++d) {
            const int src = moved(src_of(pair), t, c, d * copies.data_step);
            const int dst = moved(dst_of(pair), t, c, d * copies.data_step);
            bytes_[key(src, dst)][static_cast<int>(purpose)] += bytes;
          }
  }

  const auto& pairs() const { return bytes_; }
  static int src_of(std::uint64_t key) { return static_cast<int>(key >> 32); }
  static int dst_of(std::uint64_t key) { return static_cast<int>(key & 0xffffffffu); }

private:
  static std::uint64_t key(int src, int dst) { return (std::uint64_t(src) << 32) | std::uint32_t(dst); }

  /// The GPU of `gpu`'s rank moved by the given offsets (layout.hpp's rank order: tp, cp, dp, pp).
  int moved(int gpu, int dt, int dc, int dd) const
  {
    if (dt == 0 && dc == 0 && dd == 0)
      return gpu;
    int rank = rank_of_[gpu];
    const int tp = rank % p_.tensor;
    rank /= p_.tensor;
    const int cp = rank % p_.context;
    rank /= p_.context;
    const int dp = rank % p_.data;
    const int pp = rank / p_.data;
    return layout_.gpu((tp + dt) % p_.tensor, (cp + dc) % p_.context, (dp + dd) % p_.data, pp);
  }

  const ParallelismConfig& p_;
  const JobLayout& layout_;
  std::vector<int> rank_of_; ///< per cluster GPU; -1 outside the job
  std::unordered_map<std::uint64_t, std::array<double, kCollectivePurposes>> bytes_;
};

/// Every plan of the job, as often as one iteration runs it, in every replica.
PairBytes iteration_pairs(const JobConfig& job, const JobLayout& layout, const std::vector<ChunkPlans>& plans,
                          int cluster_gpus)
{
  const auto& p = job.parallelism;
  const double micro_batches = double(job.batch.global) / (double(job.batch.micro) * p.data);
  const bool fully_sharded = p.zero >= 3;
  // The replicas job_plans.cpp leaves out by symmetry: tensor-parallel plans cover context rank
  // 0 of data rank 0; context-parallel ones tensor rank 0 of data rank 0; expert-parallel ones
  // tensor and context rank 0's first expert group; pipeline sends context and data rank 0.
  const Copies tensor{1, p.context, p.data, 1};
  const Copies context{p.tensor, 1, p.data, 1};
  const Copies expert{p.tensor, p.context, p.data / std::max(1, p.expert), std::max(1, p.expert)};
  const Copies pipeline{1, p.context, p.data, 1};
  const Copies all{};
  PairBytes pairs(job, layout, cluster_gpus);
  for (const ChunkPlans& c : plans) {
    pairs.add(c.tp_forward, CollectivePurpose::TensorParallel, micro_batches, tensor);
    pairs.add(c.tp_backward, CollectivePurpose::TensorParallel, micro_batches, tensor);
    pairs.add(c.cp_forward, CollectivePurpose::ContextParallel, micro_batches, context);
    pairs.add(c.cp_backward, CollectivePurpose::ContextParallel, micro_batches, context);
    pairs.add(c.ep_forward, CollectivePurpose::ExpertParallel, micro_batches, expert);
    pairs.add(c.ep_backward, CollectivePurpose::ExpertParallel, micro_batches, expert);
    pairs.add(c.send_forward, CollectivePurpose::PipelineSend, micro_batches, pipeline);
    pairs.add(c.send_backward, CollectivePurpose::PipelineSend, micro_batches, pipeline);
    // ZeRO-3 reduces every backward pass's gradients and gathers before every pass.
    for (const GradientGroup& g : c.gradient_groups)
      pairs.add(g.reduce, CollectivePurpose::DataParallel, fully_sharded ? micro_batches : 1.0, all);
    pairs.add(c.parameter_gather, CollectivePurpose::ParameterGather, fully_sharded ? 2 * micro_batches : 1.0, all);
  }
  return pairs;
}

/// Wire bytes per directed fabric link and purpose.
using PurposeBytes = std::vector<std::array<double, kCollectivePurposes>>;

void add_to(double& sum, double v) { sum += v; }
void add_to(std::array<double, kCollectivePurposes>& sum, const std::array<double, kCollectivePurposes>& v)
{
  for (int k = 0; k < kCollectivePurposes; ++k)
    sum[k] += v[k];
}
double scaled(double v, double by) { return v * by; }
std::array<double, kCollectivePurposes> scaled(std::array<double, kCollectivePurposes> v, double by)
{
  for (double& x : v)
    x *= by;
  return v;
}

/// Adaptive routing keeps a trunk's members equally busy: each carries its bandwidth's share of
/// what the routes put on the trunk.
template <class Value>
void even_trunks(std::vector<Value>& links, const Fabric& fabric)
{
  for (const std::vector<int>& trunk : fabric.adaptive_trunks()) {
    Value sum{};
    double bandwidth = 0;
    for (int l : trunk) {
      add_to(sum, links[l]);
      if (fabric.edge(l / 2).up)
        bandwidth += fabric.edge(l / 2).bandwidth_bytes_per_s;
    }
    for (int l : trunk) {
      const FabricEdge& e = fabric.edge(l / 2);
      links[l] = scaled(sum, e.up && bandwidth > 0 ? e.bandwidth_bytes_per_s / bandwidth : 0.0);
    }
  }
}

PurposeBytes route_pairs(const PairBytes& pairs, const Platform& platform, const CommunicationParams& params)
{
  PurposeBytes links(platform.fabric().directed_link_count());
  for (const auto& [key, by_purpose] : pairs.pairs()) {
    const int src = PairBytes::src_of(key), dst = PairBytes::dst_of(key);
    const int qps = platform.hashed_qps(src, dst);
    const double wire_per_byte = 1.0 / link_efficiency({src, dst, 0.0, 0}, platform, params);
    for (int q = 0; q < qps; ++q) {
      const Route r = platform.route(src, dst, q);
      for (int h = 0; h < r.hops; ++h)
        add_to(links[r.links[h]], scaled(by_purpose, wire_per_byte / qps));
    }
  }
  even_trunks(links, platform.fabric());
  return links;
}

/// Order of tiers from the GPUs up.
int tier_rank(const FabricEdge& e, VertexKind upper)
{
  switch (e.kind) {
    case LinkKind::ScaleUp: return 0;
    case LinkKind::HostToNic: return 1;
    case LinkKind::NicToSwitch: return 2;
    case LinkKind::Fabric: return 3 + static_cast<int>(upper);
    case LinkKind::Global: return 100;
    case LinkKind::Storage: return 101;
  }
  return 102;
}

std::pair<VertexKind, VertexKind> ends_by_kind(const Fabric& fabric, int directed_link)
{
  const auto e = fabric.edge_descriptor(directed_link / 2);
  VertexKind a = fabric.graph()[boost::source(e, fabric.graph())].kind;
  VertexKind b = fabric.graph()[boost::target(e, fabric.graph())].kind;
  if (a > b)
    std::swap(a, b);
  return {a, b};
}

} // namespace

std::string link_tier(const Fabric& fabric, int directed_link)
{
  const FabricEdge& e = fabric.edge(directed_link / 2);
  const auto [lower, upper] = ends_by_kind(fabric, directed_link);
  switch (e.kind) {
    case LinkKind::NicToSwitch: return std::string("nic_") + to_string(upper);
    case LinkKind::Fabric: return std::string(to_string(lower)) + "_" + to_string(upper);
    default: return to_string(e.kind);
  }
}

int link_tier_rank(const Fabric& fabric, int directed_link)
{
  return tier_rank(fabric.edge(directed_link / 2), ends_by_kind(fabric, directed_link).second);
}

SteadyLinkBytes steady_link_bytes(const JobConfig& job, const JobLayout& layout, const std::vector<ChunkPlans>& plans,
                                  const Platform& platform, const CommunicationParams& params)
{
  const PurposeBytes by_purpose =
      route_pairs(iteration_pairs(job, layout, plans, platform.gpu_count()), platform, params);
  SteadyLinkBytes links{std::vector<double>(by_purpose.size()), std::vector<double>(by_purpose.size())};
  for (std::size_t l = 0; l < by_purpose.size(); ++l)
    for (int p = 0; p < kCollectivePurposes; ++p) {
      const auto purpose = static_cast<CollectivePurpose>(p);
      const bool across = purpose == CollectivePurpose::DataParallel || purpose == CollectivePurpose::ParameterGather;
      (across ? links.across_replicas : links.within_replicas)[l] += by_purpose[l][p];
    }
  return links;
}

void even_adaptive_trunks(std::vector<double>& per_link, const Fabric& fabric) { even_trunks(per_link, fabric); }

std::vector<double> route_wire_flows(const std::vector<Flow>& flows, const std::vector<double>& bytes,
                                     const Platform& platform)
{
  std::vector<double> links(platform.fabric().directed_link_count());
  for (std::size_t i = 0; i < flows.size(); ++i) {
    const Route r = platform.route(flows[i].src, flows[i].dst, flows[i].qp);
    for (int h = 0; h < r.hops; ++h)
      links[r.links[h]] += bytes[i];
  }
  even_trunks(links, platform.fabric());
  return links;
}

std::vector<TierTraffic> steady_traffic(const JobConfig& job, const JobLayout& layout,
                                        const std::vector<ChunkPlans>& plans, const Platform& platform,
                                        const CommunicationParams& params, double iteration_time_s)
{
  const Fabric& fabric = platform.fabric();
  const PurposeBytes links = route_pairs(iteration_pairs(job, layout, plans, platform.gpu_count()), platform, params);
  struct Tier {
    TierTraffic traffic;
    double bandwidth_bytes_per_s = 0; ///< of its links that carry traffic
    double busiest_s = 0;             ///< the busiest link's bytes over its bandwidth
    int rank = 0;
  };
  std::map<std::string, Tier> tiers;
  for (int l = 0; l < static_cast<int>(links.size()); ++l) {
    double bytes = 0;
    for (double b : links[l])
      bytes += b;
    if (bytes <= 0)
      continue;
    const FabricEdge& e = fabric.edge(l / 2);
    Tier& tier = tiers[link_tier(fabric, l)];
    TierTraffic& t = tier.traffic;
    tier.rank = link_tier_rank(fabric, l);
    ++t.links;
    t.bytes += bytes;
    for (int k = 0; k < kCollectivePurposes; ++k)
      t.bytes_by_purpose[k] += links[l][k];
    tier.bandwidth_bytes_per_s += e.bandwidth_bytes_per_s;
    const double busy_s = bytes / e.bandwidth_bytes_per_s;
    if (busy_s > tier.busiest_s) { // the first among equals
      tier.busiest_s = busy_s;
      t.busiest_link = fabric.link_name(l);
    }
  }
  std::vector<Tier> ordered;
  for (auto& [name, tier] : tiers) {
    tier.traffic.tier = name;
    if (iteration_time_s > 0) {
      tier.traffic.mean_utilization = tier.traffic.bytes / (tier.bandwidth_bytes_per_s * iteration_time_s);
      tier.traffic.busiest_link_utilization = tier.busiest_s / iteration_time_s;
    }
    ordered.push_back(std::move(tier));
  }
  std::stable_sort(ordered.begin(), ordered.end(), [](const Tier& a, const Tier& b) { return a.rank < b.rank; });
  std::vector<TierTraffic> out;
  for (Tier& tier : ordered)
    out.push_back(std::move(tier.traffic));
  return out;
}

} // namespace dcsim
