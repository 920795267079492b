// The scenario's `failures` section, typed: what fails (causes, each per GPU, node, switch or
// job, or a replayed trace's classes), how long a restart takes, and planned maintenance.
// Part of the scenario's config (config/scenario_config.hpp); the engine's failure clock
// (engine/failure_clock.hpp) turns it into failure times.
#pragma once

#include <cmath>
#include <string>
#include <vector>

namespace dcsim {

/// The first multiple of `interval_s` after `t_s` (planned maintenance on the cluster's calendar).
/// A time within a microsecond before a multiple counts as at it: jobs reach it at iteration
/// boundaries computed in floating point.
inline double next_multiple_after_s(double t_s, double interval_s)
{
  return (std::floor((t_s + 1e-6) / interval_s) + 1) * interval_s;
}

/// One node fault of a failure trace: when it started, on which of the trace's servers, and its
/// class (an index into FailureConfig::causes).
struct NodeFault {
  double time_s = 0;
  int server = 0; ///< in [0, FailureConfig::trace_servers)
  int cause = 0;
  double repair_s = 0; ///< until the server's next fault_end (the trace's end if none)
};

/// What one failure of a cause takes down: each instance of it fails on its own, so a job's rate
/// is the instances it spans over the cause's MTBF.
enum class FailureScope {
  Gpu,    ///< one GPU (Llama 3's faulty GPUs, HBM, SRAM, GSP faults)
  Node,   ///< one node (host faults: NIC, SSD, power supply, CPU)
  Switch, ///< one network switch a node's NIC is cabled to (a leaf; routing survives upper tiers)
  Job,    ///< the job as a whole, whatever its size (a software bug)
};
inline constexpr FailureScope kFailureScopes[] = {FailureScope::Gpu, FailureScope::Node, FailureScope::Switch,
                                                  FailureScope::Job};
/// The scope's name in scenarios (`per`) and results.
inline const char* to_string(FailureScope per)
{
  switch (per) {
  case FailureScope::Gpu: return "gpu";
  case FailureScope::Node: return "node";
  case FailureScope::Switch: return "switch";
  case FailureScope::Job: return "job";
  }
  return "node";
}

/// One kind of failure (`failures.causes`), or one class of a fault trace's faults.
struct FailureCause {
  std::string name;
  FailureScope per = FailureScope::Node;
  double mtbf_s = 0;    ///< per instance of `per`; 0: not drawn (a trace's class: its faults are replayed)
  double restart_s = 0; ///< from the failure being noticed to the job running again, before its checkpoint is read
  double repair_s = 0;  ///< a failed GPU's or node's repair, before it can serve as a spare again
  /// From the failure to its being noticed (a crash at once, a hang when a watchdog fires): the
  /// job holds its GPUs, hung, and only then asks for a spare and restarts.
  double detect_s = 0;
  /// A GPU or node failure takes a spare node (failures.spare_nodes); a switch or a job's own
  /// failure does not.
  bool needs_spare() const { return per == FailureScope::Gpu || per == FailureScope::Node; }
};

/// How much of the cluster a job spans, for its failure rate.
struct FailureExtent {
  int gpus = 0;
  int nodes = 0;
  int switches = 0; ///< distinct network switches its nodes' NICs are cabled to
  int instances(FailureScope per) const
  {
    switch (per) {
    case FailureScope::Gpu: return gpus;
    case FailureScope::Node: return nodes;
    case FailureScope::Switch: return switches;
    case FailureScope::Job: return 1;
    }
    return 0;
  }
};

/// Failures (contract: `failures`). Every instance of a cause fails independently with
/// exponential times between failures; a failure interrupts the jobs on it, each of which loses
/// its work since its last checkpoint, restarts (on a spare) and reads the checkpoint back.
struct FailureConfig {
  double node_mtbf_s = 0; ///< `node_mtbf` (0: not given), or a trace's mean over its servers
  double restart_s = 0;   ///< `restart`: the default of every cause
  /// Drawn: `node_mtbf` as a cause named "node" and each of `causes`; replayed: the trace's
  /// classes (mtbf 0), in order of their first fault. Empty: nothing fails.
  std::vector<FailureCause> causes;
  /// A scheduler trace's jobs, which the same failures strike: each saves its progress after
  /// every this much work (0: never; a struck trace job starts over).
  double trace_job_checkpoint_s = 0;
  /// A fault trace replayed instead of drawing failures (node_mtbf_s is then the trace's mean):
  /// cluster node c lives the faults of trace server c mod trace_servers, the trace repeated
  /// over time and, for each further block of trace_servers nodes, shifted by a fraction of its
  /// span (engine/failure_clock.hpp).
  std::string trace_path;
  std::vector<NodeFault> trace_faults; ///< by time
  int trace_servers = 0;
  double trace_span_s = 0;
  /// Planned maintenance (`maintenance`): every this long of simulated time (0: none) each
  /// running training job stops at its next iteration boundary, saves a checkpoint, stays down
  /// for `maintenance_downtime_s` and reads it back.
  double maintenance_interval_s = 0;
  double maintenance_downtime_s = 0;
  double next_maintenance_s(double t_s) const { return next_multiple_after_s(t_s, maintenance_interval_s); }
  /// Spare nodes (`spare_nodes`; < 0: unlimited): a failed GPU's or node's job restarts once a
  /// spare has replaced the node, which goes to repair (`repair`, or a trace's fault duration)
  /// and then joins the spares; with none free the job waits for the first back.
  int spare_nodes = -1;
  /// `elastic`: while a failed GPU's or node's job waits for a spare, it trains on the data-
  /// parallel replicas the failed node did not hold (per-replica batch kept), then checkpoints
  /// and restarts at full size when the spare is in (TorchElastic's membership changes).
  bool elastic = false;
  double repair_s = 0; ///< `repair`: the default of every cause
  double detect_s = 0; ///< `detect`: the default of every cause

  bool enabled() const { return !causes.empty(); }
  bool replayed() const { return !trace_faults.empty(); }
  /// Where a job's failure rate comes from, for messages.
  const char* rate_source() const
  {
    if (replayed())
      return "failures.trace";
    return causes.size() == 1 && node_mtbf_s > 0 ? "failures.node_mtbf / nodes" : "failures.causes";
  }
  /// Each cause's failures per second for a job spanning `extent` (a trace's classes: 0).
  std::vector<double> cause_rates_per_s(const FailureExtent& extent) const
  {
    std::vector<double> rates;
    for (const FailureCause& c : causes)
      rates.push_back(c.mtbf_s > 0 ? extent.instances(c.per) / c.mtbf_s : 0.0);
    return rates;
  }
  /// Mean time between interrupts of a job spanning `extent` (0 without failures); a trace's
  /// jobs fail at its mean rate per node.
  double job_mtbi_s(const FailureExtent& extent) const
  {
    if (replayed())
      return node_mtbf_s / extent.nodes;
    double rate = 0;
    int drawn = 0;
    for (double r : cause_rates_per_s(extent)) {
      rate += r;
      drawn += r > 0;
    }
    if (drawn == 1) // exactly MTBF / instances, as with node_mtbf alone
      for (const FailureCause& c : causes)
        if (c.mtbf_s > 0 && extent.instances(c.per) > 0)
          return c.mtbf_s / extent.instances(c.per);
    return rate > 0 ? 1 / rate : 0;
  }
  /// The mean time from a failure to the restarted job (detection and restart), weighted by how
  /// often each cause strikes a job spanning `extent`.
  double mean_restart_s(const FailureExtent& extent) const
  {
    if (replayed())
      return detect_s + restart_s;
    double rate = 0, weighted = 0;
    const std::vector<double> rates = cause_rates_per_s(extent);
    for (size_t i = 0; i < rates.size(); ++i) {
      rate += rates[i];
      weighted += rates[i] * (causes[i].detect_s + causes[i].restart_s);
    }
    return rate > 0 ? weighted / rate : detect_s + restart_s;
  }
};

} // namespace dcsim
