// When a job's next node failure happens: a Poisson process with rate nodes / node MTBF, drawn
// from the scenario's seed so that a run is reproducible, each job from a stream of its own; or
// the faults of a trace on the job's nodes, replayed (bursts and quiet months as they were).
#pragma once

#include "config/scenario_config.hpp"

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace dcsim {

class FailureClock {
public:
  /// mtbi_s: the job's mean time between interrupts (node MTBF / nodes); <= 0: never fails.
  FailureClock(double mtbi_s, std::uint64_t seed, int job_index);
  /// Replays `times_s` (sorted, within [0, span_s)), repeated every span_s.
  FailureClock(double mtbi_s, std::vector<double> times_s, double span_s);

  /// The first failure at or after `now_s` (failures while the job was not running are gone).
  double next_after(double now_s);
  /// The next failure not yet lived through.
  double pending() const { return next_s_; }
  /// The pending failure has happened: draw the one after it.
  void consume();
  double mtbi_s() const { return mtbi_s_; }

private:
  double draw_interval();

  double mtbi_s_;
  std::mt19937_64 rng_;
  double next_s_ = std::numeric_limits<double>::infinity();
  bool replay_ = false;         ///< a trace, not a Poisson process
  std::vector<double> trace_s_; ///< replayed times within one span (none: this job never fails)
  double span_s_ = 0;
  size_t index_ = 0;            ///< of the pending failure, counted over the repeats
};

/// The faults a job on cluster nodes `nodes` lives, within one span of
/// the trace, sorted. The trace's S servers sit in S slots in an order drawn from `seed` (a trace
/// names only the servers that failed, in order of their first fault; placing them first would put
/// every job on the most failure-prone machines). Cluster node c is slot c mod S; the b-th block of
/// S nodes (b = c / S) lives its faults shifted by b/B of the span (B blocks in the cluster), so
/// that blocks do not fail in lockstep, while each keeps the trace's bursts and rate.
std::vector<double> job_fault_times(const FailureConfig& failures, const std::vector<int>& nodes, int cluster_nodes,
                                    std::uint64_t seed);

} // namespace dcsim
