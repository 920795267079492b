#include "engine/failure_clock.hpp"

#include <cmath>

namespace dcsim {

FailureClock::FailureClock(double mtbi_s, std::uint64_t seed, int job_index)
    : mtbi_s_(mtbi_s), rng_(seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(job_index) + 1)
{
  if (mtbi_s_ > 0)
    next_s_ = draw_interval();
}

double FailureClock::draw_interval()
{
  // Inverse CDF from 53 random bits, not std::exponential_distribution, whose algorithm the
  // standard leaves to each library: the same seed gives the same failures everywhere.
  const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53; // [0, 1)
  return -mtbi_s_ * std::log1p(-u);
}

double FailureClock::next_after(double now_s)
{
  while (next_s_ < now_s)
    next_s_ += draw_interval();
  return next_s_;
}

} // namespace dcsim
