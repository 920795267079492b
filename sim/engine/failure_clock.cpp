#include "engine/failure_clock.hpp"

#include "random/seeded.hpp"

#include <algorithm>
#include <cmath>

namespace dcsim {

FailureClock::FailureClock(double mtbi_s, std::uint64_t seed, int job_index)
    : mtbi_s_(mtbi_s), rng_(seeded_engine(seed, static_cast<std::uint64_t>(job_index) + 1))
{
  if (mtbi_s_ > 0)
    next_s_ = draw_interval();
}

FailureClock::FailureClock(double mtbi_s, std::vector<double> times_s, double span_s)
    : mtbi_s_(mtbi_s), replay_(true), trace_s_(std::move(times_s)), span_s_(span_s)
{
  if (!trace_s_.empty())
    next_s_ = trace_s_.front();
}

void FailureClock::consume()
{
  if (!replay_) {
    next_s_ += draw_interval();
    return;
  }
  if (trace_s_.empty())
    return; // stays at infinity
  ++index_;
  const size_t repeat = index_ / trace_s_.size();
  next_s_ = static_cast<double>(repeat) * span_s_ + trace_s_[index_ % trace_s_.size()];
}

double FailureClock::draw_interval()
{
  // Inverse CDF, not std::exponential_distribution (random/seeded.hpp says why).
  return -mtbi_s_ * std::log1p(-uniform01(rng_));
}

double FailureClock::next_after(double now_s)
{
  while (next_s_ < now_s)
    consume();
  return next_s_;
}

std::vector<double> job_fault_times(const FailureConfig& failures, const std::vector<int>& nodes, int cluster_nodes,
                                    std::uint64_t seed)
{
  const int servers = failures.trace_servers;
  std::mt19937_64 rng = seeded_engine(seed, 0x5EED);
  const std::vector<int> slot_of = seeded_permutation(servers, rng);
  const int blocks = (cluster_nodes + servers - 1) / servers;
  std::vector<double> times;
  for (int node : nodes) {
    const int slot = node % servers;
    const double shift_s = failures.trace_span_s * (node / servers) / blocks;
    for (const NodeFault& fault : failures.trace_faults)
      if (slot_of[fault.server] == slot)
        times.push_back(std::fmod(fault.time_s + shift_s, failures.trace_span_s));
  }
  std::sort(times.begin(), times.end());
  return times;
}

} // namespace dcsim
