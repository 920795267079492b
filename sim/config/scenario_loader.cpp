#include "config/scenario_loader.hpp"

#include "config/internal/readers.hpp"
#include "config/text_file.hpp"
#include "config/yaml_reader.hpp"
#include "platform/fabric_builder.hpp"

#include <algorithm>
#include <filesystem>
#include <utility>

#ifndef DCSIM_DATA_DIR
#define DCSIM_DATA_DIR "."
#endif

namespace dcsim {

std::string data_directory()
{
  if (const char* env = std::getenv("DCSIM_DATA_DIR"))
    return env;
  return DCSIM_DATA_DIR;
}

namespace internal {

std::string resolve_path(const std::string& name, const std::string& scenario_file)
{
  namespace fs = std::filesystem;
  const fs::path candidate(name);
  if (candidate.is_absolute())
    return fs::exists(candidate) ? name : "";
  const fs::path scenario_dir = fs::path(scenario_file).parent_path();
  for (const fs::path& base : {scenario_dir, fs::current_path(), fs::path(data_directory())}) {
    const fs::path p = base / candidate;
    if (fs::exists(p) && fs::is_regular_file(p))
      return p.string();
  }
  return "";
}

std::optional<std::string> read_named_file(MapReader& reader, const std::string& key, const std::string& name,
                                           const std::string& expected, std::string& resolved)
{
  resolved = resolve_path(name, reader.context().file);
  std::optional<std::string> text = resolved.empty() ? std::nullopt : read_text_file(resolved);
  if (!text)
    reader.error(key, "cannot read \"" + name + "\"; expected " + expected);
  return text;
}

} // namespace internal

namespace {

/// The groups the jobs name (`jobs[].group`), in order, for the scheduler's quotas (read before
/// the jobs); the job reader checks each key itself.
std::vector<std::string> training_groups(const YAML::Node& jobs)
{
  std::vector<std::string> groups;
  if (!jobs.IsDefined() || !jobs.IsSequence()) // an invalid node when absent: IsDefined first
    return groups;
  for (const YAML::Node& job : jobs) {
    if (!job.IsMap())
      continue;
    const YAML::Node group = job["group"]; // an invalid node when absent: only IsDefined may be asked
    if (!group.IsDefined() || !group.IsScalar())
      continue;
    const std::string name = group.Scalar();
    if (!name.empty() && std::find(groups.begin(), groups.end(), name) == groups.end())
      groups.push_back(name);
  }
  return groups;
}

/// `jobs[].after`: a job of the scenario, not the job itself nor one that (through its own
/// `after`) comes after it, and only with a scheduler, which submits it.
void check_job_order(const YAML::Node& jobs, MapReader& top, const ScenarioConfig& config)
{
  const auto index_of = [&](const std::string& name) {
    for (size_t i = 0; i < config.jobs.size(); ++i)
      if (config.jobs[i].name == name)
        return static_cast<int>(i);
    return -1;
  };
  for (size_t i = 0; i < config.jobs.size(); ++i) {
    const std::string& after = config.jobs[i].after;
    if (config.jobs[i].switches.set() && !config.scheduler.enabled) {
      MapReader job_reader(jobs[i], "jobs." + std::to_string(i), top.context());
      job_reader.error("switches", "holds the job for nodes under few leaf switches, which a scheduler decides; "
                                   "expected a scheduler section (policy: fifo will do)");
    }
    if (config.jobs[i].time_limit_s > 0 &&
        (!config.scheduler.enabled || !config.jobs[i].checkpoint.enabled ||
         (config.failures.elastic && config.jobs[i].exit_duration_s > 0))) {
      MapReader job_reader(jobs[i], "jobs." + std::to_string(i), top.context());
      job_reader.error("time_limit", !config.scheduler.enabled ? "is Slurm's, which requeues the job; expected a "
                                                                 "scheduler section (policy: fifo will do)"
                                     : !config.jobs[i].checkpoint.enabled
                                         ? "requeues the job to resume from its last checkpoint, but it writes "
                                           "none; expected a checkpoint section"
                                         : "with exit_duration is not modelled beside failures.elastic (an "
                                           "elastic run does not exit before the limit; the limit alone kills it); "
                                           "expected time_limit without exit_duration, or no elastic runs");
    } else if (const JobConfig& job = config.jobs[i];
               job.time_limit_s > 0 && job.exit_duration_s <= 0 && job.checkpoint.interval_s >= job.time_limit_s) {
      // (Daly's interval, `auto`, is known only once the run measures its write: then the run says so.)
      MapReader job_reader(jobs[i], "jobs." + std::to_string(i), top.context());
      job_reader.error("time_limit", "is not longer than the checkpoint interval, so every run is killed before "
                                     "it saves; expected a longer time_limit, a shorter checkpoint.interval or an "
                                     "exit_duration");
    }
    if (after.empty())
      continue;
    MapReader job_reader(jobs[i], "jobs." + std::to_string(i), top.context());
    if (!config.scheduler.enabled) {
      job_reader.error("after", "needs a scheduler to submit the job when \"" + after +
                                    "\" ends; expected a scheduler section (policy: fifo will do)");
      continue;
    }
    int at = index_of(after);
    if (at < 0) {
      job_reader.error("after", "\"" + after + "\" is not the name of a job of the scenario; expected one of its jobs");
      continue;
    }
    for (size_t steps = 0; at >= 0 && steps <= config.jobs.size(); ++steps) {
      if (at == static_cast<int>(i)) {
        job_reader.error("after", "\"" + after + "\" comes after this job itself (through after); expected jobs in an order");
        break;
      }
      at = index_of(config.jobs[at].after);
    }
  }
}

/// `jobs[].min_gpus`: the sizes a moldable job can start at, from `gpus` down, each with fewer
/// data-parallel replicas and checked as the job itself is (batch divisibility, memory: ZeRO
/// shards over fewer ranks), quietly; none below `gpus` is an error.
void mold_sizes(JobConfig& job, const ClusterConfig& cluster, MapReader& job_reader, const YAML::Node& node)
{
  job.sizes_gpus = {job.gpus};
  if (job.min_gpus <= 0)
    return;
  if (job.min_gpus >= job.gpus) {
    job_reader.error("min_gpus", std::to_string(job.min_gpus) + " is not below the job's " + std::to_string(job.gpus) +
                                     " GPUs; expected fewer (the least it may start on)");
    return;
  }
  for (int data = job.parallelism.data - 1; data >= 1; --data) {
    const JobConfig smaller = job.on_replicas(data);
    if (smaller.gpus < job.min_gpus)
      break;
    Diagnostics scratch;
    MapReader quiet(node, job_reader.path(), {job_reader.context().file, &scratch, job_reader.context().overrides});
    internal::validate_job(smaller, cluster, quiet);
    if (scratch.empty())
      job.sizes_gpus.push_back(smaller.gpus);
  }
  if (job.sizes_gpus.size() == 1)
    job_reader.error("min_gpus", "leaves the job no smaller size to start at (fewer data-parallel replicas must divide "
                                 "the global batch and fit in memory); expected a min_gpus that one of them reaches");
}

void read_jobs(MapReader& top, ScenarioConfig& config, Diagnostics& diagnostics, bool require_jobs, bool cluster_ok)
{
  const YAML::Node jobs = top.raw("jobs");
  if (!jobs.IsDefined() || jobs.IsNull()) {
    if (require_jobs)
      top.error("jobs", "is missing; expected a list of training jobs");
    return;
  }
  if (!jobs.IsSequence()) {
    top.error("jobs", "is not a list; expected a list of training jobs (\"- name: ...\")");
    return;
  }
  if (jobs.size() == 0 && require_jobs)
    top.error("jobs", "is empty; expected at least one training job");
  int gpus_used = 0;
  for (size_t i = 0; i < jobs.size(); ++i) {
    const size_t errors_before = diagnostics.size();
    MapReader job_reader(jobs[i], "jobs." + std::to_string(i), top.context());
    JobConfig job = internal::read_job(job_reader, static_cast<int>(i));
    job_reader.finish();
    const bool job_ok = diagnostics.size() == errors_before;
    if (job_ok && cluster_ok) {
      internal::validate_job(job, config.cluster, job_reader);
      internal::validate_reliability(job, config, job_reader);
    }
    if (job.min_gpus > 0 && !config.scheduler.enabled)
      job_reader.error("min_gpus", "lets a scheduler start the job on fewer GPUs, but the scenario has no scheduler; "
                                   "expected a scheduler section");
    else if (job_ok && cluster_ok && diagnostics.size() == errors_before)
      mold_sizes(job, config.cluster, job_reader, jobs[i]);
    else
      job.sizes_gpus = {job.gpus};
    for (size_t earlier = 0; earlier < config.jobs.size(); ++earlier)
      if (config.jobs[earlier].name == job.name)
        job_reader.error("name", "\"" + job.name + "\" is already the name of jobs." + std::to_string(earlier) +
                                     "; expected a name of its own (reports are keyed by it)");
    if (!job.group.empty() && !config.scheduler.enabled)
      job_reader.error("group", "\"" + job.group + "\" names a quota group but the scenario has no scheduler; "
                                "expected a scheduler section with quotas");
    const auto quota = config.scheduler.quotas.gpus.find(job.group);
    if (!job.group.empty() && quota != config.scheduler.quotas.gpus.end() && job.gpus > quota->second)
      job_reader.error("group", "\"" + job.group + "\" has a quota of " + std::to_string(quota->second) +
                                " GPUs and this job needs " + std::to_string(job.gpus) +
                                " (it would never start); expected a quota of at least " + std::to_string(job.gpus));
    // With a scheduler jobs queue for GPUs: each must fit the cluster alone (validate_job).
    gpus_used += config.scheduler.enabled ? 0 : job.gpus;
    if (job_ok && cluster_ok && gpus_used > config.cluster.total_gpus())
      job_reader.error("gpus", "needs " + std::to_string(job.gpus) + " GPUs but the cluster has " +
                                   std::to_string(config.cluster.total_gpus()) + " and earlier jobs use " +
                                   std::to_string(gpus_used - job.gpus) +
                                   "; expected jobs that fit the cluster together");
    config.jobs.push_back(std::move(job));
  }
  check_job_order(jobs, top, config);
}

/// Checkpoints go to every storage server: a `fabric.down` that cuts one off would stop the run
/// mid-write (found by fuzzing: a dead spine that a server hung from aborted the run). Without
/// checkpoints the servers are not used, and a dead spine is fine.
void check_storage_reachable(const ScenarioConfig& config, Diagnostics& diagnostics)
{
  const FabricConfig& fabric = config.cluster.fabric;
  const bool checkpoints = std::any_of(config.jobs.begin(), config.jobs.end(),
                                       [](const JobConfig& job) { return job.checkpoint.enabled; });
  if (!checkpoints || fabric.down.empty() || !diagnostics.empty())
    return;
  if (const std::string why = storage_cut_off(*build_fabric(config.cluster)); !why.empty())
    diagnostics.add(fabric.down_location, "cluster.fabric.down", why);
}

ScenarioConfig parse_scenario(YAML::Node root, const std::string& file, const LoadOptions& options,
                              Diagnostics& diagnostics)
{
  std::map<std::string, std::string> applied;
  internal::apply_overrides(root, options.overrides, applied, diagnostics);
  ScenarioConfig config;
  config.source_file = file;
  MapReader top(root, "", {file, &diagnostics, &applied});
  config.name = top.text("name", std::filesystem::path(file).stem().string());
  config.seed = static_cast<std::uint64_t>(top.integer("seed", 1, 0, std::numeric_limits<long long>::max()));
  if (auto cluster = top.child("cluster")) {
    config.cluster = internal::read_cluster(*cluster, diagnostics);
    cluster->finish();
  } else {
    top.error("cluster", "is missing; expected the cluster description (nodes, node, fabric)");
  }
  if (auto failures = top.child("failures")) {
    config.failures = internal::read_failures(*failures);
    failures->finish();
  }
  if (auto power = top.child("power")) {
    config.power = internal::read_power(*power);
    power->finish();
  }
  if (auto cost = top.child("cost")) {
    config.cost = internal::read_cost(*cost);
    cost->finish();
  }
  if (auto output = top.child("output")) {
    config.output.json_path = output->text("json", "");
    config.output.trace_path = output->text("trace", "");
    config.output.quiet = output->boolean("quiet", false);
    config.output.job_table = output->boolean("job_table", false);
    config.output.network_timeline = output->boolean("network_timeline", false);
    if (config.output.job_table && !std::as_const(root)["scheduler"])
      output->error("job_table", "lists the jobs a scheduler ran, but the scenario has no scheduler; expected a "
                                 "scheduler section beside it");
    output->finish();
  }
  if (auto stragglers = top.child("stragglers")) {
    config.stragglers = internal::read_stragglers(*stragglers, config.cluster.nodes, config.seed);
    stragglers->finish();
  }
  const size_t errors_before_scheduler = diagnostics.size();
  if (auto scheduler = top.child("scheduler")) {
    config.scheduler = internal::read_scheduler(*scheduler, training_groups(std::as_const(root)["jobs"]));
    internal::check_trace_failures(*scheduler, config.scheduler, config.failures, config.cluster);
    internal::check_trace_feedback(*scheduler, config.scheduler, config.cluster);
    scheduler->finish();
  }
  if (options.cluster_only)
    top.raw("jobs");
  else
    // A scheduler replaying a trace has work without training jobs; a trace that failed to read
    // has been reported, and a missing `jobs` is not a second error.
    read_jobs(top, config, diagnostics,
              options.require_jobs && config.scheduler.trace_jobs.empty() &&
                  diagnostics.size() == errors_before_scheduler,
              diagnostics.empty());
  check_storage_reachable(config, diagnostics);
  top.finish();
  return config;
}

} // namespace

ScenarioConfig load_scenario_text(const std::string& text, const std::string& name, const LoadOptions& options)
{
  Diagnostics diagnostics;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    diagnostics.add({name, e.mark.line + 1, e.mark.column + 1}, "",
                    "malformed YAML (" + e.msg + "); expected a YAML mapping");
    diagnostics.throw_if_any();
  }
  if (!root.IsDefined() || root.IsNull())
    diagnostics.add({name, 1, 1}, "", "the scenario is empty; expected a mapping with cluster and jobs");
  diagnostics.throw_if_any();
  ScenarioConfig config = parse_scenario(root, name, options, diagnostics);
  diagnostics.throw_if_any();
  return config;
}

ScenarioConfig load_scenario(const std::string& path, const LoadOptions& options)
{
  const std::optional<std::string> text = read_text_file(path);
  if (!text) {
    Diagnostics diagnostics;
    diagnostics.add({path, 0, 0}, "", "cannot read the scenario file; expected a readable YAML file");
    diagnostics.throw_if_any();
  }
  return load_scenario_text(*text, path, options);
}

} // namespace dcsim
