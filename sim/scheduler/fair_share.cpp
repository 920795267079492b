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

/// Factors from each group's sort key, higher first: rank over the number of groups, the highest
/// 1, groups of equal keys the rank of the first of them.
std::vector<double> factors_by_rank(const std::vector<std::pair<double, double>>& key)
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
  const size_t groups = usage_gpu_s.size();
  const double total_usage = std::accumulate(usage_gpu_s.begin(), usage_gpu_s.end(), 0.0);
  const double total_share = std::accumulate(shares.begin(), shares.end(), 0.0);
  const int accounts = groups == 0 ? 0 : *std::max_element(account_of.begin(), account_of.end()) + 1;
  std::vector<double> account_share(accounts, 0.0), account_usage(accounts, 0.0);
  for (size_t g = 0; g < groups; ++g)
    if (account_of[g] >= 0) {
      account_share[account_of[g]] += shares[g];
      account_usage[account_of[g]] += usage_gpu_s[g];
    }
  // Each group's key: its top-level node's level fairshare, then its own within its account.
  std::vector<std::pair<double, double>> key(groups);
  for (size_t g = 0; g < groups; ++g) {
    const int a = account_of[g];
    if (a < 0) {
      const double level = level_fairshare(shares[g], usage_gpu_s[g], total_share, total_usage);
      key[g] = {level, level};
    } else {
      key[g] = {level_fairshare(account_share[a], account_usage[a], total_share, total_usage),
                level_fairshare(shares[g], usage_gpu_s[g], account_share[a], account_usage[a])};
    }
  }
  return factors_by_rank(key);
}

} // namespace dcsim
