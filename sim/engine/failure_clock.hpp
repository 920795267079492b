// When a job's next failure happens and what caused it: independent Poisson processes, one per
// cause at the rate of the instances the job spans (together one process at the summed rate,
// each failure's cause drawn in proportion), from the scenario's seed so that a run is
// reproducible, each job from a stream of its own; or the faults of a trace on the job's nodes,
// replayed with their classes (bursts and quiet months as they were).
#pragma once

#include "config/scenario_config.hpp"

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace dcsim {

/// A fault of a replayed trace as one job lives it.
struct TimedFault {
  double time_s = 0;
  int cause = 0;
};

/// Picks a cause for a failure from a uniform draw in [0, 1): cause i with probability
/// rates[i] / sum. One cause (or none) needs no draw.
int pick_cause(const std::vector<double>& rates, double uniform);

class FailureClock {
public:
  /// Poisson failures at `cause_rates_per_s`, together one every `mtbi_s` on average (0: never).
  FailureClock(double mtbi_s, std::vector<double> cause_rates_per_s, std::uint64_t seed, int job_index);
  /// Replays `faults` (sorted, within [0, span_s)), repeated every span_s; `mtbi_s` is the
  /// trace's mean for this job (for Daly's interval).
  FailureClock(double mtbi_s, std::vector<TimedFault> faults, double span_s);

  /// The first failure at or after `now_s` (failures while the job was not running are gone).
  double next_after(double now_s);
  /// The next failure not yet lived through.
  double pending() const { return next_s_; }
  /// Its cause (an index into FailureConfig::causes).
  int pending_cause() const { return cause_; }
  /// The pending failure has happened: draw the one after it.
  void consume();
  double mtbi_s() const { return mtbi_s_; }

private:
  double draw_interval();
  void draw_cause();

  double mtbi_s_ = 0;
  std::vector<double> rates_;
  std::mt19937_64 rng_;
  double next_s_ = std::numeric_limits<double>::infinity();
  int cause_ = 0;
  bool replay_ = false;         ///< a trace, not a Poisson process
  std::vector<TimedFault> trace_; ///< replayed faults within one span (none: this job never fails)
  double span_s_ = 0;
  size_t index_ = 0;            ///< of the pending failure, counted over the repeats
};

/// The faults a job on cluster nodes `nodes` lives, within one span of
/// the trace, sorted. The trace's S servers sit in S slots in an order drawn from `seed` (a trace
/// names only the servers that failed, in order of their first fault; placing them first would put
/// every job on the most failure-prone machines). Cluster node c is slot c mod S; the b-th block of
/// S nodes (b = c / S) lives its faults shifted by b/B of the span (B blocks in the cluster), so
/// that blocks do not fail in lockstep, while each keeps the trace's bursts and rate.
std::vector<TimedFault> job_fault_times(const FailureConfig& failures, const std::vector<int>& nodes,
                                        int cluster_nodes, std::uint64_t seed);

} // namespace dcsim
