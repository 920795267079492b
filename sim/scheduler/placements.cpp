// The list of placement policies: add a new one here, in PlacementKind and in the scheduler
// reader's names, and in its own file.
#include "scheduler/placement_policy.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace dcsim {

std::vector<int> PlacementPolicy::reserve(const std::vector<double>& free_at, int count) const
{
  std::vector<int> order(free_at.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return free_at[a] < free_at[b]; });
  order.resize(std::min<size_t>(order.size(), static_cast<size_t>(std::max(0, count))));
  std::sort(order.begin(), order.end());
  return order;
}

const PlacementPolicy& placement_policy(PlacementKind kind)
{
  for (const PlacementPolicy* p : {&consecutive_placement(), &topology_aware_placement(), &scattered_placement()})
    if (p->kind() == kind)
      return *p;
  throw std::logic_error("placement policy not listed in placements.cpp");
}

} // namespace dcsim
