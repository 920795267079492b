// The list of collective algorithms (add a new one here and in its own file) and the helpers
// they share.
#include "collectives/collective_algorithm.hpp"

#include "platform/platform.hpp"

#include <algorithm>
#include <set>

namespace dcsim {

const std::vector<const CollectiveAlgorithm*>& collective_algorithms()
{
  static const std::vector<const CollectiveAlgorithm*> all = {
      &ring_algorithm(), &tree_algorithm(), &halving_doubling_algorithm(),
      &hierarchical_algorithm(), &nvls_algorithm(), &collnet_algorithm(), &direct_algorithm()};
  return all;
}

const CollectiveAlgorithm* find_collective_algorithm(const std::string& name)
{
  for (const auto* a : collective_algorithms())
    if (a->name() == name)
      return a;
  return nullptr;
}

std::vector<std::string> collective_algorithm_names()
{
  std::vector<std::string> names;
  for (const auto* a : collective_algorithms())
    names.push_back(a->name());
  return names;
}

GroupShape GroupShape::of(const std::vector<int>& group, const Platform& platform)
{
  GroupShape s;
  s.ranks = static_cast<int>(group.size());
  s.power_of_two = s.ranks > 0 && (s.ranks & (s.ranks - 1)) == 0;
  s.in_network_reduction = platform.in_network_reduction();
  std::vector<int> counts;
  for (size_t i = 0; i < group.size(); ++i) {
    if (i == 0 || !platform.same_domain(group[i - 1], group[i]))
      counts.push_back(0);
    ++counts.back();
  }
  std::set<int> domains;
  for (int g : group)
    domains.insert(platform.fabric().domain_of_gpu(g));
  s.domains = static_cast<int>(domains.size());
  const bool uniform = !counts.empty() && static_cast<int>(counts.size()) == s.domains &&
                       std::all_of(counts.begin(), counts.end(), [&](int c) { return c == counts.front(); });
  s.per_domain = uniform ? counts.front() : 0;
  return s;
}

std::vector<std::vector<int>> split_by_domain(const std::vector<int>& group, const Platform& platform)
{
  std::vector<std::vector<int>> domains;
  for (int gpu : group) {
    if (domains.empty() || !platform.same_domain(domains.back().front(), gpu))
      domains.push_back({});
    domains.back().push_back(gpu);
  }
  return domains;
}

std::vector<std::vector<int>> uniform_domains(const std::vector<int>& group, const Platform& platform)
{
  auto parts = split_by_domain(group, platform);
  for (const auto& part : parts)
    if (part.size() != parts.front().size())
      return {};
  return parts;
}

double hop_latency(int src, int dst, const CollectiveContext& context)
{
  double hop = context.platform.route_latency_s(src, dst) + context.params.protocol(context.protocol).step_latency_s;
  if (!context.platform.same_domain(src, dst))
    hop += context.params.protocol(context.protocol).network_step_latency_s;
  return hop;
}

double step_latency(const std::vector<std::pair<int, int>>& edges, const CollectiveContext& context)
{
  double slowest = 0;
  for (const auto& [src, dst] : edges)
    slowest = std::max(slowest, hop_latency(src, dst, context));
  return slowest;
}

double steps_latency(int steps, const std::vector<std::pair<int, int>>& edges, const CollectiveContext& context)
{
  if (steps <= 0)
    return 0;
  return context.params.protocol(context.protocol).base_latency_s + steps * step_latency(edges, context);
}

} // namespace dcsim
