#include "engine/failure_clock.hpp"

#include "random/seeded.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace dcsim {

int pick_cause(const std::vector<double>& rates, double uniform)
{
  const double total = std::accumulate(rates.begin(), rates.end(), 0.0);
  double below = 0;
  int last = 0;
  for (size_t i = 0; i < rates.size(); ++i) {
    if (rates[i] <= 0)
      continue;
    below += rates[i];
    last = static_cast<int>(i);
    if (uniform * total < below)
      return last;
  }
  return last; // rounding at the top end
}

FailureClock::FailureClock(double mtbi_s, std::vector<double> cause_rates_per_s, std::uint64_t seed, int job_index)
    : mtbi_s_(mtbi_s), rates_(std::move(cause_rates_per_s)),
      rng_(seeded_engine(seed, static_cast<std::uint64_t>(job_index) + 1))
{
  if (mtbi_s_ <= 0)
    return;
  next_s_ = draw_interval();
  draw_cause();
}

FailureClock::FailureClock(double mtbi_s, std::vector<TimedFault> faults, double span_s)
    : mtbi_s_(mtbi_s), replay_(true), trace_(std::move(faults)), span_s_(span_s)
{
  if (!trace_.empty()) {
    next_s_ = trace_.front().time_s;
    cause_ = trace_.front().cause;
  }
}

void FailureClock::consume()
{
  if (!replay_) {
    next_s_ += draw_interval();
    draw_cause();
    return;
  }
  if (trace_.empty())
    return; // stays at infinity
  ++index_;
  const size_t repeat = index_ / trace_.size();
  const TimedFault& f = trace_[index_ % trace_.size()];
  next_s_ = static_cast<double>(repeat) * span_s_ + f.time_s;
  cause_ = f.cause;
}

double FailureClock::draw_interval()
{
  // Inverse CDF, not std::exponential_distribution (random/seeded.hpp says why).
  return -mtbi_s_ * std::log1p(-uniform01(rng_));
}

void FailureClock::draw_cause()
{
  // A single cause draws nothing, so that its stream of failure times is what it always was.
  const auto causes = std::count_if(rates_.begin(), rates_.end(), [](double r) { return r > 0; });
  cause_ = pick_cause(rates_, causes > 1 ? uniform01(rng_) : 0.0);
}

double FailureClock::next_after(double now_s)
{
  while (next_s_ < now_s)
    consume();
  return next_s_;
}

std::vector<TimedFault> job_fault_times(const FailureConfig& failures, const std::vector<int>& nodes,
                                        int cluster_nodes, std::uint64_t seed)
{
  const int servers = failures.trace_servers;
  std::mt19937_64 rng = seeded_engine(seed, 0x5EED);
  const std::vector<int> slot_of = seeded_permutation(servers, rng);
  const int blocks = (cluster_nodes + servers - 1) / servers;
  std::vector<TimedFault> faults;
  for (int node : nodes) {
    const int slot = node % servers;
    const double shift_s = failures.trace_span_s * (node / servers) / blocks;
    for (const NodeFault& fault : failures.trace_faults)
      if (slot_of[fault.server] == slot)
        faults.push_back({std::fmod(fault.time_s + shift_s, failures.trace_span_s), fault.cause});
  }
  std::stable_sort(faults.begin(), faults.end(),
                   [](const TimedFault& a, const TimedFault& b) { return a.time_s < b.time_s; });
  return faults;
}

} // namespace dcsim
