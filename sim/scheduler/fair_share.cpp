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

std::vector<double> fair_tree_factors(const std::vector<double>& usage_gpu_s, const std::vector<double>& shares)
{
  const size_t groups = usage_gpu_s.size();
  const double total = std::accumulate(usage_gpu_s.begin(), usage_gpu_s.end(), 0.0);
  std::vector<double> level(groups);
  for (size_t g = 0; g < groups; ++g)
    level[g] = usage_gpu_s[g] > 0 ? shares[g] / (usage_gpu_s[g] / total) : INFINITY;
  std::vector<size_t> order(groups);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return level[a] > level[b]; });
  std::vector<double> factors(groups, 1.0);
  double rank = static_cast<double>(groups);
  for (size_t i = 0; i < groups; ++i, rank -= 1) {
    const size_t g = order[i];
    const bool tied = i > 0 && level[g] == level[order[i - 1]];
    factors[g] = tied ? factors[order[i - 1]] : rank / static_cast<double>(groups);
  }
  return factors;
}

} // namespace dcsim
