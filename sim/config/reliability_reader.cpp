// The scenario's `failures` section and each job's `checkpoint`.
#include "config/internal/readers.hpp"

namespace dcsim::internal {

FailureConfig read_failures(MapReader& failures)
{
  FailureConfig out;
  if (failures.has("trace")) {
    if (failures.has("node_mtbf"))
      failures.error("node_mtbf", "and trace are both given; expected one: a rate to draw failures from, or a "
                                  "trace to replay");
    read_failure_trace(failures, out);
  } else {
    out.node_mtbf_s = failures.quantity("node_mtbf", Dimension::Seconds);
  }
  // Llama 3's 54-day run put restarts in the tens of minutes; 10 minutes is a common planning figure.
  out.restart_s = failures.quantity("restart", Dimension::Seconds, 600.0, true);
  out.trace_job_checkpoint_s = failures.quantity_at_most("trace_job_checkpoint", Dimension::Seconds, 0.0, true,
                                                         kMaxSimulatedTimeS, "10 years", kSimulatedTimeLimitWhy);
  return out;
}

CheckpointConfig read_checkpoint(MapReader& checkpoint)
{
  CheckpointConfig out;
  out.enabled = checkpoint.boolean("enabled", true);
  const YAML::Node interval = checkpoint.raw("interval");
  if (!(interval.IsScalar() && interval.Scalar() == "auto"))
    out.interval_s = checkpoint.quantity("interval", Dimension::Seconds, 0.0);
  out.bytes = checkpoint.quantity("size", Dimension::Bytes, 0.0);
  out.async = checkpoint.boolean("async", false);
  out.snapshot_bytes_per_s = checkpoint.quantity("snapshot_bandwidth", Dimension::BytesPerSecond, 0.0);
  return out;
}

} // namespace dcsim::internal

namespace dcsim::internal {

void validate_reliability(const JobConfig& job, const ScenarioConfig& scenario, MapReader& job_reader)
{
  const FailureConfig& failures = scenario.failures;
  const int nodes = scenario.cluster.nodes_for(job.gpus);
  const double mtbi_s = failures.job_mtbi_s(nodes);
  // A restart must outlast the next failure e^(R/M) - 1 times on average before one succeeds.
  constexpr double kMaxRestartsPerMtbi = 10;
  if (failures.enabled() && failures.restart_s > kMaxRestartsPerMtbi * mtbi_s)
    job_reader.error("gpus", "on " + std::to_string(nodes) + " nodes fails every " + format_seconds(mtbi_s) +
                                 " on average (failures.node_mtbf / nodes) but restarts take " +
                                 format_seconds(failures.restart_s) +
                                 ", so it would almost never run again; expected failures.restart under " +
                                 format_seconds(kMaxRestartsPerMtbi * mtbi_s) + " or a larger failures.node_mtbf");
  if (!job.checkpoint.enabled)
    return;
  if (scenario.cluster.storage.servers <= 0)
    job_reader.error("checkpoint", "needs somewhere to write; expected cluster.storage {servers, bandwidth_per_server}");
  if (job.checkpoint.interval_s <= 0 && !scenario.failures.enabled())
    job_reader.error("checkpoint", "interval auto (Daly's optimum) needs a failure rate; expected an interval "
                                   "such as 2h, or a failures: {node_mtbf: ...} section");
}

} // namespace dcsim::internal
