#include "engine/failure_clock.hpp"

#include <algorithm>
#include <cmath>

namespace dcsim {

FailureClock::FailureClock(double mtbi_s, std::uint64_t seed, int job_index)
    : mtbi_s_(mtbi_s), rng_(seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(job_index) + 1)
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
  // Inverse CDF from 53 random bits, not std::exponential_distribution, whose algorithm the
  // standard leaves to each library: the same seed gives the same failures everywhere.
  const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53; // [0, 1)
  return -mtbi_s_ * std::log1p(-u);
}

double FailureClock::next_after(double now_s)
{
  while (next_s_ < now_s)
    consume();
  return next_s_;
}

std::vector<double> job_fault_times(const FailureConfig& failures, int first_node, int nodes, int cluster_nodes,
                                    std::uint64_t seed)
{
  const int servers = failures.trace_servers;
  // Fisher-Yates with our own draws (std::shuffle's are left to each library).
  std::vector<int> slot_of(servers);
  for (int i = 0; i < servers; ++i)
    slot_of[i] = i;
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + 0x5EED);
  for (int i = servers - 1; i > 0; --i) {
    const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
    std::swap(slot_of[i], slot_of[static_cast<int>(u * (i + 1))]);
  }
  const int blocks = (cluster_nodes + servers - 1) / servers;
  std::vector<double> times;
  for (int node = first_node; node < first_node + nodes; ++node) {
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
