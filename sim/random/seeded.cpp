#include "random/seeded.hpp"

#include <utility>

namespace dcsim {

std::vector<int> seeded_permutation(int n, std::mt19937_64& rng)
{
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i)
    order[i] = i;
  for (int i = n - 1; i > 0; --i)
    std::swap(order[i], order[static_cast<int>(uniform01(rng) * (i + 1))]);
  return order;
}

} // namespace dcsim
