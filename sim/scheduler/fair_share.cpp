#include "scheduler/fair_share.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace dcsim {

double decayed_usage(double usage_gpu_s, int gpus, double elapsed_s, double half_life_s)
{
  const double kept = std::exp2(-elapsed_s / half_life_s);
  // GPUs held from 0 to T, each second decayed by 2^(-(T - t)/H): gpus H / ln 2 (1 - 2^(-T/H)).
  return usage_gpu_s * kept + gpus * half_life_s / std::log(2.0) * (1 - kept);
}

std::vector<double> fair_share_factors(const std::vector<double>& usage_gpu_s, const std::vector<double>& shares)
{
  const double total = std::accumulate(usage_gpu_s.begin(), usage_gpu_s.end(), 0.0);
  std::vector<double> factors(usage_gpu_s.size(), 1.0);
  if (total <= 0)
    return factors;
  for (size_t g = 0; g < factors.size(); ++g)
    factors[g] = std::exp2(-(usage_gpu_s[g] / total) / shares[g]);
  return factors;
}

namespace {

/// Level fairshare: a share of its parent's over its share of the parent's usage (infinite
/// without usage, or when the parent has none).
double level_fairshare(double share, double usage, double parent_share, double parent_usage)
{
  return usage > 0 && parent_usage > 0 ? (share / parent_share) / (usage / parent_usage) : INFINITY;
}

/// Factors from each group's sort key, higher first (lexicographic): rank over the number of
/// groups, the highest 1, groups of equal keys the rank of the first of them.
std::vector<double> factors_by_rank(const std::vector<std::vector<double>>& key)
{
  const size_t groups = key.size();
  std::vector<size_t> order(groups);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key[a] > key[b]; });
  std::vector<double> factors(groups, 1.0);
  double rank = static_cast<double>(groups);
  for (size_t i = 0; i < groups; ++i, rank -= 1) {
    const size_t g = order[i];
    const bool tied = i > 0 && key[g] == key[order[i - 1]];
    factors[g] = tied ? factors[order[i - 1]] : rank / static_cast<double>(groups);
  }
  return factors;
}

} // namespace

std::vector<double> fair_tree_factors(const std::vector<double>& usage_gpu_s, const std::vector<double>& shares)
{
  return fair_tree_factors(usage_gpu_s, shares, std::vector<int>(usage_gpu_s.size(), -1));
}

std::vector<double> fair_tree_factors(const std::vector<double>& usage_gpu_s, const std::vector<double>& shares,
                                      const std::vector<int>& account_of)
{
  const int accounts = account_of.empty() ? 0 : *std::max_element(account_of.begin(), account_of.end()) + 1;
  return fair_tree_factors(usage_gpu_s, shares, account_of, std::vector<int>(accounts, -1));
}

std::vector<double> fair_tree_factors(const std::vector<double>& usage_gpu_s, const std::vector<double>& shares,
                                      const std::vector<int>& account_of, const std::vector<int>& account_parent)
{
  const size_t groups = usage_gpu_s.size();
  const double total_usage = std::accumulate(usage_gpu_s.begin(), usage_gpu_s.end(), 0.0);
  const double total_share = std::accumulate(shares.begin(), shares.end(), 0.0);
  // Every account's share and usage: its groups', all the way down.
  std::vector<double> account_share(account_parent.size(), 0.0), account_usage(account_parent.size(), 0.0);
  for (size_t g = 0; g < groups; ++g)
    for (int a = account_of[g]; a >= 0; a = account_parent[a]) {
      account_share[a] += shares[g];
      account_usage[a] += usage_gpu_s[g];
    }
  // Each group's key: the level fairshares along its path from the root, its own last.
  std::vector<std::vector<double>> key(groups);
  size_t depth = 0;
  for (size_t g = 0; g < groups; ++g) {
    std::vector<int> path;
    for (int a = account_of[g]; a >= 0; a = account_parent[a])
      path.push_back(a);
    double parent_share = total_share, parent_usage = total_usage;
    for (auto a = path.rbegin(); a != path.rend(); ++a) {
      key[g].push_back(level_fairshare(account_share[*a], account_usage[*a], parent_share, parent_usage));
      parent_share = account_share[*a], parent_usage = account_usage[*a];
    }
    key[g].push_back(level_fairshare(shares[g], usage_gpu_s[g], parent_share, parent_usage));
    depth = std::max(depth, key[g].size());
  }
  for (auto& k : key) {
    const double last = k.back(); // (resize may move the elements a reference would point into)
    k.resize(depth, last);
  }
  return factors_by_rank(key);
}

} // namespace dcsim
