#include "scheduler/fair_share.hpp"

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

} // namespace dcsim
