#include "engine/job_layout.hpp"

#include <utility>

namespace dcsim {

JobLayout::JobLayout(const ParallelismConfig& p, Placement placement)
    : placement_(std::move(placement)), t_(p.tensor), c_(p.context), d_(p.data), e_(p.expert)
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

std::vector<int> JobLayout::expert_group(int tp, int cp, int dp, int pp) const
{
  std::vector<int> g;
  const int first = dp - dp % e_;
  for (int i = 0; i < e_; ++i)
    g.push_back(gpu(tp, cp, first + i, pp));
  return g;
}

std::vector<int> JobLayout::expert_data_group(int tp, int dp, int pp) const
{
  std::vector<int> g;
  for (int other = dp % e_; other < d_; other += e_)
    for (int cp = 0; cp < c_; ++cp)
      g.push_back(gpu(tp, cp, other, pp));
  return g;
}

} // namespace dcsim
