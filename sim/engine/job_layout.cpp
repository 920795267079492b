#include "engine/job_layout.hpp"

namespace dcsim {

JobLayout::JobLayout(const ParallelismConfig& p, int first_gpu) : first_gpu_(first_gpu), t_(p.tensor), d_(p.data) {}

std::vector<int> JobLayout::tensor_group(int dp, int pp) const
{
  std::vector<int> g;
  for (int tp = 0; tp < t_; ++tp)
    g.push_back(gpu(tp, dp, pp));
  return g;
}

std::vector<int> JobLayout::data_group(int tp, int pp) const
{
  std::vector<int> g;
  for (int dp = 0; dp < d_; ++dp)
    g.push_back(gpu(tp, dp, pp));
  return g;
}

} // namespace dcsim
