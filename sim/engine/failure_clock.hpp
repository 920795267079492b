// When a job's next failure happens and what caused it. Drawn failures live on the cluster's
// calendar: every instance of a cause (one GPU, node, network switch, or job) fails at times of
// its own, a Poisson process drawn epoch by epoch from a counter-based hash of (seed, cause,
// instance, epoch), and a job lives the failures of every instance it spans. So two jobs on one node, or under one leaf
// switch, lose it at the same moment, and a job placed elsewhere after a preemption meets other
// machines' failures. Or: the faults of a trace on the job's nodes, replayed with their classes
// (bursts and quiet months as they were).
#pragma once

#include "config/scenario_config.hpp"

#include <cstdint>
#include <limits>
#include <vector>

namespace dcsim {

/// A fault of a replayed trace as one job lives it.
struct TimedFault {
  double time_s = 0;
  int cause = 0;
  double repair_s = 0;
};

/// One instance of a drawn cause that a job spans.
struct FailureInstance {
  int cause = 0;          ///< index into FailureConfig::causes
  long long instance = 0; ///< GPU, node, switch or job number (unique within the cause's scope)
};

/// The instances of each drawn cause a job spans: its GPUs, nodes and switches, and itself
/// (`job_key`, the same in every run of the job).
std::vector<FailureInstance> failure_instances(const FailureConfig& failures, const std::vector<int>& gpus,
                                               const std::vector<int>& nodes, const std::vector<int>& switches,
                                               long long job_key);

/// The failures of `instance` (mean time between them `mtbf_s`) in epoch `epoch`, the span
/// [epoch x mtbf_s, (epoch + 1) x mtbf_s): a Poisson(1) count of them at uniform times, from a
/// counter-based hash of (seed, cause, instance, epoch), sorted into `times_s`. Any moment's
/// epoch is known at once, so a clock seeks to a job's start in constant time.
int epoch_failures(std::uint64_t seed, const FailureInstance& instance, long long epoch, double mtbf_s,
                   double* times_s);
/// Failures per epoch are capped here (Poisson(1) exceeds it with probability ~1e-36).
inline constexpr int kMaxEpochFailures = 32;

class FailureClock {
public:
  /// Drawn failures of `instances` (causes from `failures`), together one every `mtbi_s` on
  /// average (0: never).
  FailureClock(double mtbi_s, const FailureConfig& failures, std::vector<FailureInstance> instances,
               std::uint64_t seed);
  /// Replays `faults` (sorted, within [0, span_s)), repeated every span_s; `mtbi_s` is the
  /// trace's mean for this job (for Daly's interval).
  FailureClock(double mtbi_s, std::vector<TimedFault> faults, double span_s);

  /// The first failure at or after `now_s` (failures while the job was not running are gone).
  double next_after(double now_s);
  /// The next failure not yet lived through.
  double pending() const { return next_s_; }
  /// Its cause (an index into FailureConfig::causes).
  int pending_cause() const { return cause_; }
  /// Whether it takes a spare node (a GPU or node failure; a trace's faults are node faults),
  /// and how long the failed node is repaired.
  bool pending_needs_spare() const { return replay_ || cause_needs_spare_[cause_]; }
  double pending_repair_s() const { return replay_ ? repair_s_ : cause_repair_s_[cause_]; }
  /// The pending failure has happened: the one after it becomes pending.
  void consume();
  double mtbi_s() const { return mtbi_s_; }

private:
  /// One instance's failures: the pending one, the `index`-th of epoch `epoch`.
  struct Stream {
    double next_s = 0;
    long long epoch = 0;
    int index = 0;
    double mtbf_s = 0;
    FailureInstance instance;
    bool operator>(const Stream& o) const { return next_s > o.next_s; }
  };
  /// Moves `s` to its first failure at or after `now_s` (strictly after its current one when
  /// `now_s` is not later).
  void seek(Stream& s, double now_s) const;
  void take_top();

  double mtbi_s_ = 0;
  std::uint64_t seed_ = 0;
  std::vector<Stream> heap_;    ///< drawn: a min-heap on next_s
  double next_s_ = std::numeric_limits<double>::infinity();
  int cause_ = 0;
  double repair_s_ = 0;           ///< replayed: the pending fault's
  std::vector<double> cause_repair_s_;   ///< drawn: per cause
  std::vector<bool> cause_needs_spare_;  ///< drawn: per cause
  bool replay_ = false;         ///< a trace, not drawn
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
