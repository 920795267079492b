#include "engine/job_layout.hpp"

namespace dcsim {

JobLayout::JobLayout(const ParallelismConfig& p, int first_gpu)
    : first_gpu_(first_gpu), t_(p.tensor), c_(p.context), d_(p.data)
{
}

std::vector<int> JobLayout::tensor_group(int cp, int dp, int pp) const
{
  std::vector<int> g;
  for (int tp = 0; tp < t_; ++tp)
    g.push_back(gpu(tp, cp, dp, pp));
  return g;
}

std::vector<int> JobLayout::context_group(int tp, int dp, int pp) const
{
  std::vector<int> g;
  for (int cp = 0; cp < c_; ++cp)
    g.push_back(gpu(tp, cp, dp, pp));
  return g;
}

std::vector<int> JobLayout::data_group(int tp, int pp) const
{
  std::vector<int> g;
  for (int dp = 0; dp < d_; ++dp)
    for (int cp = 0; cp < c_; ++cp)
      g.push_back(gpu(tp, cp, dp, pp));
  return g;
}

} // namespace dcsim
