#include "engine/failure_clock.hpp"

#include "random/seeded.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace dcsim {

namespace {

/// SplitMix64's finalizer: a well-mixed 64-bit hash, the same on every platform.
std::uint64_t mix(std::uint64_t x)
{
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

} // namespace

std::vector<FailureInstance> failure_instances(const FailureConfig& failures, const std::vector<int>& gpus,
                                               const std::vector<int>& nodes, const std::vector<int>& switches,
                                               long long job_key)
{
  std::vector<FailureInstance> out;
  for (size_t c = 0; c < failures.causes.size(); ++c) {
    if (failures.causes[c].mtbf_s <= 0)
      continue;
    const int cause = static_cast<int>(c);
    const auto add_all = [&](const std::vector<int>& ids) {
      for (int id : ids)
        out.push_back({cause, id});
    };
    switch (failures.causes[c].per) {
    case FailureScope::Gpu: add_all(gpus); break;
    case FailureScope::Node: add_all(nodes); break;
    case FailureScope::Switch: add_all(switches); break;
    case FailureScope::Job: out.push_back({cause, job_key}); break;
    }
  }
  return out;
}

namespace {

double hash01(std::uint64_t seed, const FailureInstance& instance, long long epoch, std::uint64_t draw)
{
  const std::uint64_t h = mix(seed ^ mix(static_cast<std::uint64_t>(instance.cause) ^
                                         mix(static_cast<std::uint64_t>(instance.instance) ^
                                             mix(static_cast<std::uint64_t>(epoch) ^ mix(draw)))));
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

} // namespace

int epoch_failures(std::uint64_t seed, const FailureInstance& instance, long long epoch, double mtbf_s,
                   double* times_s)
{
  // Poisson(1) by its inverse CDF: P(k) = e^-1 / k!.
  const double u = hash01(seed, instance, epoch, 0);
  int count = 0;
  double p = std::exp(-1.0), cdf = p;
  while (u > cdf && count < kMaxEpochFailures) {
    ++count;
    p /= count;
    cdf += p;
  }
  for (int i = 0; i < count; ++i)
    times_s[i] = (static_cast<double>(epoch) + hash01(seed, instance, epoch, static_cast<std::uint64_t>(i) + 1)) * mtbf_s;
  std::sort(times_s, times_s + count);
  return count;
}

FailureClock::FailureClock(double mtbi_s, const FailureConfig& failures, std::vector<FailureInstance> instances,
                           std::uint64_t seed)
    : mtbi_s_(mtbi_s), seed_(seed)
{
  for (const FailureCause& cause : failures.causes) {
    cause_repair_s_.push_back(cause.repair_s);
    cause_needs_spare_.push_back(cause.needs_spare());
  }
  heap_.reserve(instances.size());
  for (const FailureInstance& i : instances) {
    Stream s;
    s.mtbf_s = failures.causes[i.cause].mtbf_s;
    s.instance = i;
    s.epoch = -1; // seek(0) starts from epoch 0
    seek(s, 0.0);
    heap_.push_back(s);
  }
  std::make_heap(heap_.begin(), heap_.end(), std::greater<>());
  take_top();
}

FailureClock::FailureClock(double mtbi_s, std::vector<TimedFault> faults, double span_s)
    : mtbi_s_(mtbi_s), replay_(true), trace_(std::move(faults)), span_s_(span_s)
{
  if (!trace_.empty()) {
    next_s_ = trace_.front().time_s;
    cause_ = trace_.front().cause;
    repair_s_ = trace_.front().repair_s;
  }
}

void FailureClock::seek(Stream& s, double now_s) const
{
  double times[kMaxEpochFailures];
  long long epoch = std::max(s.epoch, static_cast<long long>(std::floor(now_s / s.mtbf_s)));
  int index = epoch == s.epoch ? s.index + 1 : 0; // within the current epoch: the next one on
  for (;; ++epoch, index = 0) {
    const int count = epoch_failures(seed_, s.instance, epoch, s.mtbf_s, times);
    while (index < count && times[index] < now_s)
      ++index;
    if (index < count) {
      s.epoch = epoch;
      s.index = index;
      s.next_s = times[index];
      return;
    }
  }
}

void FailureClock::take_top()
{
  if (heap_.empty())
    return; // stays at infinity
  next_s_ = heap_.front().next_s;
  cause_ = heap_.front().instance.cause;
}

void FailureClock::consume()
{
  if (!replay_) {
    if (heap_.empty())
      return;
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
    seek(heap_.back(), heap_.back().next_s); // the one after it
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
    take_top();
    return;
  }
  if (trace_.empty())
    return; // stays at infinity
  ++index_;
  const size_t repeat = index_ / trace_.size();
  const TimedFault& f = trace_[index_ % trace_.size()];
  next_s_ = static_cast<double>(repeat) * span_s_ + f.time_s;
  cause_ = f.cause;
  repair_s_ = f.repair_s;
}

double FailureClock::next_after(double now_s)
{
  if (!replay_ && next_s_ < now_s) { // each instance straight to its first failure from now
    for (Stream& s : heap_)
      if (s.next_s < now_s)
        seek(s, now_s);
    std::make_heap(heap_.begin(), heap_.end(), std::greater<>());
    take_top();
  }
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
        faults.push_back({std::fmod(fault.time_s + shift_s, failures.trace_span_s), fault.cause, fault.repair_s});
  }
  std::stable_sort(faults.begin(), faults.end(),
                   [](const TimedFault& a, const TimedFault& b) { return a.time_s < b.time_s; });
  return faults;
}

} // namespace dcsim
