// Section readers shared by the scenario loader's translation units. Not part of the API.
#pragma once

#include "config/scenario_config.hpp"
#include "config/yaml_reader.hpp"

#include <optional>
#include <string>
#include <vector>

namespace dcsim::internal {

/// Finds a file named in a scenario: relative to the scenario's folder, the working directory,
/// then the project data directory. Returns "" when not found.
std::string resolve_path(const std::string& name, const std::string& scenario_file);
/// The text of the file `name` that `reader`'s `key` names (found as resolve_path does, from the
/// reader's scenario file); on failure an error at `key`: cannot read "name"; expected `expected`.
/// `resolved` receives the path found ("" when none).
std::optional<std::string> read_named_file(MapReader& reader, const std::string& key, const std::string& name,
                                           const std::string& expected, std::string& resolved);

ClusterConfig read_cluster(MapReader& cluster, Diagnostics& diagnostics);
JobConfig read_job(MapReader& job, int index);
ModelConfig read_model(MapReader& job);
FailureConfig read_failures(MapReader& failures);
/// failures.trace and trace_servers into `out` (faults, span, and the fleet's node MTBF).
void read_failure_trace(MapReader& failures, FailureConfig& out);
CheckpointConfig read_checkpoint(MapReader& checkpoint);
PowerConfig read_power(MapReader& power);
/// The scheduler section; reads and checks the trace file it names (relative to the scenario).
/// `training_groups`: the groups the scenario's jobs name (quotas may name them too).
SchedulerConfig read_scheduler(MapReader& scheduler, const std::vector<std::string>& training_groups);
/// `switches: {count, wait}` under `parent` (none when absent).
SwitchesConfig read_switches(MapReader& parent);
/// A trace job that node failures would keep from finishing within the simulator's 10 years is
/// an error on the scheduler's `trace` (the run would otherwise stop at the limit, or take for ever).
void check_trace_failures(MapReader& scheduler, const SchedulerConfig& config, const FailureConfig& failures,
                          const ClusterConfig& cluster);
/// With trace_feedback: a job whose chain of preceding jobs and think times would submit it past
/// the simulator's 10 years is an error on the scheduler's `trace_feedback`.
void check_trace_feedback(MapReader& scheduler, const SchedulerConfig& config, const ClusterConfig& cluster);
CostConfig read_cost(MapReader& cost);
/// Slow nodes, listed or drawn from `seed` among the cluster's `cluster_nodes`.
StragglerConfig read_stragglers(MapReader& stragglers, int cluster_nodes, std::uint64_t seed);

/// Cross-field rules of one job against its cluster; `job_reader` points errors at keys.
void validate_job(const JobConfig& job, const ClusterConfig& cluster, MapReader& job_reader);

/// A job's checkpoint and failures against the scenario: storage to write to, a failure rate for
/// `auto`, restarts short enough for the job ever to run again.
void validate_reliability(const JobConfig& job, const ScenarioConfig& scenario, MapReader& job_reader);

/// Applies "a.b.0.c=value" overrides to `root`; malformed ones become diagnostics.
void apply_overrides(YAML::Node& root, const std::vector<std::string>& overrides,
                     std::map<std::string, std::string>& applied, Diagnostics& diagnostics);

} // namespace dcsim::internal
