// The scenario's `failures` section and each job's `checkpoint`.
#include "config/internal/readers.hpp"

#include <algorithm>

namespace dcsim::internal {

namespace {

/// Failures are counted in epochs of one MTBF over up to 10 years of simulated time: a 64-bit
/// epoch number needs MTBFs above a nanosecond; a second is far below any real failure rate.
constexpr double kMinMtbfS = 1.0;
const char* const kMinMtbfWhy = "failure times are drawn per MTBF-long epoch over at most 10 years";

NameTable<FailureScope> failure_scope_names()
{
  NameTable<FailureScope> names;
  for (FailureScope per : kFailureScopes)
    names.emplace_back(to_string(per), per);
  return names;
}

/// `causes: [{name, per, mtbf, restart}, ...]`, each drawn on its own.
void read_causes(MapReader& failures, FailureConfig& out)
{
  const YAML::Node list = failures.raw("causes");
  const std::string expected = "; expected a list of {name, per: gpu|node|switch|job, mtbf, restart, repair, detect}";
  if (!list.IsSequence() || list.size() == 0) {
    failures.error("causes", std::string(list.IsSequence() ? "is empty" : "is not a list") + expected);
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    MapReader item(list[i], failures.path_of("causes") + "." + std::to_string(i), failures.context());
    FailureCause cause;
    cause.name = item.text("name");
    cause.per = item.choice("per", failure_scope_names());
    cause.mtbf_s = item.quantity_at_least("mtbf", Dimension::Seconds, std::nullopt, kMinMtbfS, "1s", kMinMtbfWhy);
    cause.restart_s = item.quantity("restart", Dimension::Seconds, out.restart_s, true);
    cause.detect_s = item.quantity_at_most("detect", Dimension::Seconds, out.detect_s, true, kMaxSimulatedTimeS,
                                           "10 years", kSimulatedTimeLimitWhy);
    cause.repair_s = item.quantity_at_most("repair", Dimension::Seconds, out.repair_s, true, kMaxSimulatedTimeS,
                                           "10 years", kSimulatedTimeLimitWhy);
    item.finish();
    for (const FailureCause& earlier : out.causes)
      if (!cause.name.empty() && earlier.name == cause.name)
        item.error("name", "\"" + cause.name + "\" is already a cause" +
                               (cause.name == "node" ? " (node_mtbf's)" : "") + "; expected a name of its own");
    out.causes.push_back(cause);
  }
}

} // namespace

FailureConfig read_failures(MapReader& failures)
{
  FailureConfig out;
  // Llama 3's 54-day run put restarts in the tens of minutes; 10 minutes is a common planning figure.
  out.restart_s = failures.quantity("restart", Dimension::Seconds, 600.0, true);
  out.repair_s = failures.quantity_at_most("repair", Dimension::Seconds, 0.0, true, kMaxSimulatedTimeS, "10 years",
                                           kSimulatedTimeLimitWhy);
  out.detect_s = failures.quantity_at_most("detect", Dimension::Seconds, 0.0, true, kMaxSimulatedTimeS, "10 years",
                                           kSimulatedTimeLimitWhy);
  if (failures.has("spare_nodes"))
    out.spare_nodes = static_cast<int>(failures.integer("spare_nodes", std::nullopt, 0, 1000000));
  out.elastic = failures.boolean("elastic", false);
  if (out.elastic && out.spare_nodes < 0)
    failures.error("elastic", "needs failures.spare_nodes (with unlimited spares no job waits for one); expected "
                              "spare_nodes: N beside it");
  if (failures.has("trace")) {
    for (const char* key : {"node_mtbf", "causes"})
      if (failures.has(key))
        failures.error(key, "and trace are both given; expected one: rates to draw failures from, or a "
                            "trace to replay");
    read_failure_trace(failures, out);
  } else {
    if (failures.has("node_mtbf") || !(failures.has("causes") || failures.has("maintenance"))) {
      out.node_mtbf_s = failures.quantity_at_least("node_mtbf", Dimension::Seconds, std::nullopt, kMinMtbfS, "1s",
                                                   kMinMtbfWhy);
      out.causes.push_back({"node", FailureScope::Node, out.node_mtbf_s, out.restart_s, out.repair_s, out.detect_s});
    }
    if (failures.has("causes"))
      read_causes(failures, out);
    const bool repaired = std::any_of(out.causes.begin(), out.causes.end(),
                                      [](const FailureCause& c) { return c.needs_spare() && c.repair_s > 0; });
    if (out.spare_nodes >= 0 && !repaired)
      failures.error("spare_nodes", "is given but no GPU or node failure takes time to repair; expected "
                                    "failures.repair (or a cause's repair), e.g. 24h");
  }
  if (auto maintenance = failures.child("maintenance")) {
    out.maintenance_interval_s = maintenance->quantity_at_most("interval", Dimension::Seconds, std::nullopt, false,
                                                               kMaxSimulatedTimeS, "10 years", kSimulatedTimeLimitWhy);
    out.maintenance_downtime_s = maintenance->quantity("downtime", Dimension::Seconds, 0.0, true);
    if (out.maintenance_downtime_s >= out.maintenance_interval_s && out.maintenance_interval_s > 0)
      maintenance->error("downtime", "is " + format_seconds(out.maintenance_downtime_s) + ", not shorter than the interval (" +
                                         format_seconds(out.maintenance_interval_s) +
                                         "); expected a downtime shorter than the time between maintenances");
    maintenance->finish();
  }
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
    out.interval_s = checkpoint.quantity_at_most("interval", Dimension::Seconds, 0.0, false, kMaxSimulatedTimeS,
                                                 "10 years", kSimulatedTimeLimitWhy);
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
  const FailureExtent extent = unplaced_extent(scenario.cluster, job.gpus);
  const double mtbi_s = failures.job_mtbi_s(extent);
  const double restart_s = failures.mean_restart_s(extent);
  // A restart must outlast the next failure e^(R/M) - 1 times on average before one succeeds.
  constexpr double kMaxRestartsPerMtbi = 10;
  if (failures.enabled() && restart_s > kMaxRestartsPerMtbi * mtbi_s)
    job_reader.error("gpus", "on " + std::to_string(extent.nodes) + " nodes fails every " + format_seconds(mtbi_s) +
                                 " on average (" + failures.rate_source() + ") but restarts take " + format_seconds(restart_s) +
                                 ", so it would almost never run again; expected restarts under " +
                                 format_seconds(kMaxRestartsPerMtbi * mtbi_s) + " or rarer failures");
  if (failures.maintenance_interval_s > 0 && !job.checkpoint.enabled)
    job_reader.error("checkpoint", "is missing, but failures.maintenance stops every job every " +
                                       format_seconds(failures.maintenance_interval_s) +
                                       "; expected a checkpoint section (the job saves its state before each stop)");
  if (!job.checkpoint.enabled)
    return;
  if (scenario.cluster.storage.servers <= 0)
    job_reader.error("checkpoint", "needs somewhere to write; expected cluster.storage {servers, bandwidth_per_server}");
  if (job.checkpoint.interval_s <= 0 && !scenario.failures.enabled())
    job_reader.error("checkpoint", "interval auto (Daly's optimum) needs a failure rate; expected an interval "
                                   "such as 2h, or a failures: {node_mtbf: ...} section");
}

} // namespace dcsim::internal
